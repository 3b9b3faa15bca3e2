/**
 * `mlc kernels install | env | doctor`: the image's kernel specs, the
 * JUPYTER_PATH settings for every way into the image, and a report of the
 * kernel specs a Jupyter server here would see.
 */
import { Option, type Command } from 'commander';
import type { ICliContext } from '../context';
import { UserError } from '../errors';
import { kernelsDoctor, strictProblems } from '../kernels/doctor';
import { formatDoctorReport } from '../kernels/doctorReport';
import { ENV_FORMATS, envLines, type EnvFormat } from '../kernels/entryPoints';
import { installKernels, type IInstallResult } from '../kernels/install';
import { KERNEL_LOGOS } from '../kernels/logos';
import {
  absolutePath,
  existingDirectory,
  refuseColon
} from '../kernels/prefixArg';
import { shQuote } from '../../core/quote';

export function registerKernelsCommands(
  program: Command,
  context: ICliContext
): void {
  const kernels = program
    .command('kernels')
    .description(
      "the image's kernel specs and JUPYTER_PATH settings; a report of visible kernel specs"
    );

  kernels
    .command('install')
    .description(
      "write the image's kernel specs (ML-Python3, ML-Python3-usersite) and set JUPYTER_PATH for every way into the image"
    )
    .requiredOption(
      '--prefix <dir>',
      "the image's Python env prefix, e.g. /opt/conda"
    )
    .option(
      '--python <X.Y>',
      'the Python version of the specs (default: the only python3.X in <prefix>/bin)'
    )
    .option(
      '--image <file>',
      "the image's image.json (from 'mlc image manifest'), copied beside each kernel.json"
    )
    .option(
      '--apptainer-env-dir <dir>',
      'also write the Apptainer env file there (e.g. /.singularity.d/env)'
    )
    .allowExcessArguments(false)
    .addHelpText('after', Private.INSTALL_HELP)
    .action(
      (options: {
        prefix: string;
        python?: string;
        image?: string;
        apptainerEnvDir?: string;
      }) => {
        const result = installKernels(options, context.cwd, KERNEL_LOGOS);
        context.reporter.result(
          'kernels install',
          result,
          Private.installText(result)
        );
      }
    );

  kernels
    .command('env')
    .description(
      'print the lines that set JUPYTER_PATH=<prefix>/share/jupyter, for a Dockerfile, a shell or Apptainer'
    )
    .requiredOption(
      '--prefix <dir>',
      "the image's Python env prefix as seen inside the image, e.g. /opt/conda"
    )
    .addOption(
      new Option('--format <format>', 'where the lines go')
        .choices(ENV_FORMATS)
        .default('sh')
    )
    .allowExcessArguments(false)
    .addHelpText('after', Private.ENV_HELP)
    .action((options: { prefix: string; format: EnvFormat }) => {
      if (!options.prefix.startsWith('/')) {
        throw new UserError(
          `--prefix ${options.prefix} is not an absolute path`,
          'pass the prefix as the image sees it, e.g. --prefix /opt/conda'
        );
      }
      const prefix = absolutePath('--prefix', options.prefix, '/');
      refuseColon('--prefix', prefix);
      const lines = envLines(options.format, prefix);
      context.reporter.result(
        'kernels env',
        { prefix, format: options.format, lines },
        lines.join('\n')
      );
    });

  kernels
    .command('doctor')
    .description(
      "list every kernel spec a Jupyter server started here would see, in Jupyter's search order, with what is wrong"
    )
    .option(
      '--prefix <dir>',
      'the image prefix (default: the one whose share/jupyter is in JUPYTER_PATH)'
    )
    .option(
      '--jupyter-prefix <dir>',
      'the env the Jupyter server runs from (default: that of `jupyter` on PATH)'
    )
    .option('--strict', 'exit 1 when a spec Jupyter would show has a finding')
    .allowExcessArguments(false)
    .addHelpText('after', Private.DOCTOR_HELP)
    .action(
      (options: {
        prefix?: string;
        jupyterPrefix?: string;
        strict?: boolean;
      }) => {
        const prefix =
          options.prefix === undefined
            ? undefined
            : existingDirectory(
                '--prefix',
                options.prefix,
                context.cwd,
                "pass the image's Python env prefix"
              );
        const jupyterPrefix =
          options.jupyterPrefix === undefined
            ? undefined
            : existingDirectory(
                '--jupyter-prefix',
                options.jupyterPrefix,
                context.cwd,
                'pass the prefix of the env that runs jupyter (sys.prefix)'
              );
        const report = kernelsDoctor(
          { prefix, jupyterPrefix },
          context.env,
          context.cwd
        );
        // The table only for people: built for JSON too, long names overflowed it.
        context.reporter.result('kernels doctor', report.entries, () =>
          formatDoctorReport(report)
        );
        const problems = strictProblems(report.entries);
        if (options.strict && problems.length > 0) {
          throw new UserError(
            `${problems.length} kernel spec(s) Jupyter would show have findings (${problems.map(entry => entry.name).join(', ')})`,
            'see the report above',
            1
          );
        }
      }
    );
}

namespace Private {
  export const INSTALL_HELP = `
Files written (P is --prefix; each JUPYTER_PATH setting is P/share/jupyter):
  P/share/jupyter/kernels/python3/           ML-Python3: /usr/bin/env python3.X -s [-Xfrozen_modules=off]
                                             -m ipykernel_launcher; the user site is hidden
  P/share/jupyter/kernels/python3-usersite/  ML-Python3-usersite: the same without -s
      each holds kernel.json, logo-svg.svg, logo-32x32.png, logo-64x64.png, and image.json with --image
  P/etc/conda/activate.d/ml-containers.sh    conda/micromamba activation (sh, bash, zsh): sets JUPYTER_PATH
  P/etc/conda/activate.d/ml-containers.csh   the same for csh and tcsh
  P/etc/conda/deactivate.d/ml-containers.sh  deactivation: puts the previous JUPYTER_PATH back
  P/etc/conda/deactivate.d/ml-containers.csh the same for csh and tcsh
  P/etc/ml-containers/setupMe-on-host.sh     host mode for sh, bash, zsh users: '. .../setupMe-on-host.sh'
                                             finds P from its own location (works under /cvmfs/...),
                                             sets JUPYTER_PATH and puts P/bin first on PATH
  P/etc/ml-containers/setupMe-on-host.csh    the same for csh and tcsh users: 'source .../setupMe-on-host.csh'
  P/etc/ml-containers/90-ml-containers.sh    Apptainer/Singularity: copy it to /.singularity.d/env/
                                             (or pass --apptainer-env-dir /.singularity.d/env)
Docker images: add the line 'mlc kernels env --prefix P --format docker' prints to the Dockerfile.

Each spec directory is written beside its target and renamed into place, so an interruption never
leaves half a spec; running it twice gives identical files. Bad input changes nothing.
`;

  export const ENV_HELP = `
Formats:
  docker     ENV JUPYTER_PATH=P/share/jupyter      (a Dockerfile line)
  sh         export JUPYTER_PATH=P/share/jupyter   (sh, bash, zsh)
  csh        setenv JUPYTER_PATH P/share/jupyter   (csh, tcsh)
  apptainer  export JUPYTER_PATH=P/share/jupyter   (%environment, or a /.singularity.d/env/ file)
Values are quoted for the target when the path needs it.
`;

  export const DOCTOR_HELP = `
The search order is Jupyter's: JUPYTER_PATH, the user's data dir (JUPYTER_DATA_DIR or
~/.local/share/jupyter), the Jupyter env's sys.prefix/share/jupyter (before the user's with
JUPYTER_PREFER_ENV_PATH), /usr/local/share/jupyter, /usr/share/jupyter, ~/.ipython; the first
directory holding a (lower-cased) name wins. Findings: shadowed (hidden by an earlier spec),
no interpreter (argv[0], or what /usr/bin/env runs on the spec's PATH, does not exist),
not the image's (no ml_containers metadata and an interpreter outside the image prefix).
Specs are only reported, never changed. Exit 0 unless --strict.
`;

  export function installText(result: IInstallResult): string {
    const lines = [
      `Kernel specs for Python ${result.python} in ${result.jupyterPath}/kernels:`
    ];
    const width = Math.max(...result.kernels.map(kernel => kernel.name.length));
    for (const kernel of result.kernels) {
      lines.push(`  ${kernel.name.padEnd(width)}  ${kernel.displayName}`);
    }
    lines.push(
      result.image
        ? `  with image.json of ${result.image}`
        : "  without image.json (pass --image with the image.json from 'mlc image manifest')"
    );
    lines.push(`JUPYTER_PATH=${result.jupyterPath} is set by:`);
    for (const file of result.files) {
      lines.push(`  ${file.path}`);
      lines.push(`      ${file.purpose}`);
    }
    lines.push(
      `For a Dockerfile: mlc kernels env --prefix ${shQuote(result.prefix)} --format docker`
    );
    return lines.join('\n');
  }
}
