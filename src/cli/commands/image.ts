/** `mlc image ...`: what an image holds, written at image build time. */
import type { Command } from 'commander';
import * as path from 'path';
import { IMAGE_JSON_FILE } from '../../core/kernelspec';
import { PACKAGE_LIST_FILE } from '../../core/packageManifest';
import type { ICliContext } from '../context';
import {
  writeManifest,
  type IManifestOptions,
  type IManifestResult
} from '../image/writeManifest';
import { registerImageRepairCommands } from './imageRepairs';

export function registerImageCommands(
  program: Command,
  context: ICliContext
): void {
  const image = program
    .command('image')
    .description('what an image holds (run at image build time)');
  image
    .command('manifest')
    .description(
      `write ${PACKAGE_LIST_FILE} and ${IMAGE_JSON_FILE} for an image env prefix`
    )
    .requiredOption('--prefix <dir>', 'the image env prefix, e.g. /opt/conda')
    .requiredOption(
      '--out-dir <dir>',
      'the existing directory the two files are written into, e.g. /'
    )
    .option(
      '--name <name>',
      'image name, e.g. ml-base (default: the name in <out-dir>/image.json)'
    )
    .option('--tag <tag>', 'image tag, e.g. alma9-python311')
    .option(
      '--os <text>',
      'operating system to record (default: PRETTY_NAME of <root>/etc/os-release)'
    )
    .option('--flavour <flavour>', 'cpu or gpu (default: cpu)')
    .option(
      '--docker-path <ref>',
      'registry path, e.g. docker.io/yesw2000/ml-base:alma9-python311'
    )
    .option(
      '--build-date <iso>',
      'ISO 8601 build date (default: SOURCE_DATE_EPOCH, else now)'
    )
    .option(
      '--root <dir>',
      'root of the system whose OS packages are listed',
      '/'
    )
    .addHelpText(
      'after',
      `
Environment:
  SOURCE_DATE_EPOCH  the build date in seconds since 1970 (0 to 253402300799), unless --build-date
  MLC_RPM_TIMEOUT    seconds 'rpm -qa' may take before it is stopped (1 to 3600, default 60)
Only regular files are read under --prefix and --root (no FIFO, device or oversized file).`
    )
    .action(async (flags: IManifestOptions) => {
      const resolve = (p: string) => path.resolve(context.cwd, p);
      const result = await writeManifest(
        {
          prefix: resolve(flags.prefix),
          outDir: resolve(flags.outDir),
          root: resolve(flags.root),
          name: flags.name,
          tag: flags.tag,
          os: flags.os,
          flavour: flags.flavour,
          dockerPath: flags.dockerPath,
          buildDate: flags.buildDate
        },
        context.env,
        new Date()
      );
      for (const warning of result.warnings) {
        context.reporter.warning(warning);
      }
      context.reporter.result(
        'image manifest',
        result,
        Private.summary(result)
      );
    });
  registerImageRepairCommands(image, context);
}

namespace Private {
  export function summary(result: IManifestResult): string {
    const { conda, pip, system } = result.counts;
    return [
      `wrote ${result.listFile} (${result.packageCount} packages: ${conda} conda, ${pip} pip, ${system} system)`,
      `wrote ${result.imageJson} (${result.image}, Python ${result.python || 'unknown'}, ${result.os || 'OS unknown'})`
    ].join('\n');
  }
}
