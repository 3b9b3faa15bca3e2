/**
 * The files that set JUPYTER_PATH=<prefix>/share/jupyter for every way into
 * an image (docs/architecture.md, "Contracts"), as text: conda activation (sh and csh,
 * with deactivation restoring the previous value), the host-mode setup
 * scripts, and the Apptainer environment file. `mlc kernels env` prints the
 * same settings for a Dockerfile, a shell or an Apptainer definition.
 *
 * Pure string building; `install.ts` writes the files.
 */
import { cshQuote, dockerfileQuote, shQuote } from '../../core/quote';

/** Where, relative to the prefix, the files live. */
export const ENTRY_POINT_PATHS = {
  activateSh: 'etc/conda/activate.d/ml-containers.sh',
  activateCsh: 'etc/conda/activate.d/ml-containers.csh',
  deactivateSh: 'etc/conda/deactivate.d/ml-containers.sh',
  deactivateCsh: 'etc/conda/deactivate.d/ml-containers.csh',
  hostSh: 'etc/ml-containers/setupMe-on-host.sh',
  hostCsh: 'etc/ml-containers/setupMe-on-host.csh',
  apptainer: 'etc/ml-containers/90-ml-containers.sh'
} as const;

/** The Apptainer file's name, also in `--apptainer-env-dir` (sourced in name order). */
export const APPTAINER_ENV_FILE = '90-ml-containers.sh';

/** One file to write below the prefix. */
export interface IEntryPointFile {
  /** Path relative to the prefix. */
  path: string;
  /** What sources it, for the help text and the report. */
  purpose: string;
  content: string;
}

/** The formats `mlc kernels env` prints. */
export const ENV_FORMATS = ['docker', 'sh', 'csh', 'apptainer'] as const;
export type EnvFormat = (typeof ENV_FORMATS)[number];

/** `<prefix>/share/jupyter`, the one JUPYTER_PATH entry of an image. */
export function jupyterPathOf(prefix: string): string {
  return prefix === '/'
    ? '/share/jupyter'
    : `${prefix.replace(/\/+$/, '')}/share/jupyter`;
}

/** The exact lines that set JUPYTER_PATH for `prefix` in `format`. */
export function envLines(format: EnvFormat, prefix: string): string[] {
  const value = jupyterPathOf(prefix);
  switch (format) {
    case 'docker':
      return [`ENV JUPYTER_PATH=${dockerfileQuote(value)}`];
    case 'csh':
      return [`setenv JUPYTER_PATH ${cshQuote(value)}`];
    case 'sh':
    case 'apptainer':
      return [`export JUPYTER_PATH=${shQuote(value)}`];
  }
}

/** Every file `mlc kernels install` writes below `prefix` besides the specs. */
export function entryPointFiles(prefix: string): IEntryPointFile[] {
  return [
    {
      path: ENTRY_POINT_PATHS.activateSh,
      purpose: 'conda/micromamba activation (sh, bash, zsh)',
      content: Private.activateSh(prefix)
    },
    {
      path: ENTRY_POINT_PATHS.activateCsh,
      purpose: 'conda/micromamba activation (csh, tcsh)',
      content: Private.activateCsh(prefix)
    },
    {
      path: ENTRY_POINT_PATHS.deactivateSh,
      purpose:
        'conda/micromamba deactivation: restores the previous JUPYTER_PATH (sh)',
      content: Private.deactivateSh()
    },
    {
      path: ENTRY_POINT_PATHS.deactivateCsh,
      purpose:
        'conda/micromamba deactivation: restores the previous JUPYTER_PATH (csh)',
      content: Private.deactivateCsh()
    },
    {
      path: ENTRY_POINT_PATHS.hostSh,
      purpose:
        'host mode, sourced by sh/bash/zsh users; also puts <prefix>/bin first on PATH',
      content: Private.hostSh(prefix)
    },
    {
      path: ENTRY_POINT_PATHS.hostCsh,
      purpose:
        'host mode, sourced by csh/tcsh users; also puts <prefix>/bin first on PATH',
      content: Private.hostCsh(prefix)
    },
    {
      path: ENTRY_POINT_PATHS.apptainer,
      purpose:
        'Apptainer/Singularity: copy to /.singularity.d/env/ (or use --apptainer-env-dir)',
      content: apptainerEnvScript(prefix)
    }
  ];
}

/** The Apptainer environment file (a POSIX sh fragment, sourced at container start). */
export function apptainerEnvScript(prefix: string): string {
  return Private.lines(
    '# ml-containers (written by `mlc kernels install`): Apptainer and Singularity',
    '# source the files in /.singularity.d/env/ when a container starts; this one',
    "# makes Jupyter list the image's kernels first.",
    ...envLines('apptainer', prefix)
  );
}

namespace Private {
  export function lines(...text: string[]): string {
    return text.join('\n') + '\n';
  }

  /** What the scripts say, on stderr, instead of setting a path that cannot work. */
  const COLON_WARNING =
    "ml-containers: not setting JUPYTER_PATH: the path ${_mlc_prefix} has a ':', which PATH and JUPYTER_PATH cannot hold; reach the image through a path without ':'";

  /**
   * Run `body` unless `$_mlc_prefix` holds a ':' (PATH and JUPYTER_PATH
   * split on it). The host scripts use the physical path, so an
   * `image:tag` name under /cvmfs that links to a plainer path still works.
   */
  export function shUnlessColon(body: string[]): string[] {
    return [
      'case $_mlc_prefix in',
      '    *:*)',
      `        printf '%s\\n' "${COLON_WARNING}" >&2`,
      '        ;;',
      '    *)',
      ...body.map(line => `        ${line}`),
      '        ;;',
      'esac'
    ];
  }

  export function cshUnlessColon(body: string[]): string[] {
    return [
      'if ( "$_mlc_prefix" =~ *:* ) then',
      // csh cannot send its own output to stderr alone; sh can (/dev/stderr
      // cannot be opened when stderr is a socket).
      `    sh -c 'printf "%s\\n" "$1" >&2' sh "${COLON_WARNING}"`,
      'else',
      ...body.map(line => `    ${line}`),
      'endif'
    ];
  }

  // The previous JUPYTER_PATH is kept in exported variables (as conda's own
  // packages do) so that deactivation in a subshell restores it too, and
  // "unset" is told apart from "set but empty".
  const SAVED = '_MLC_JUPYTER_PATH_SAVED';
  const BACKUP = '_MLC_JUPYTER_PATH_BACKUP';

  /** Activation hooks run with CONDA_PREFIX set to the env being activated. */
  export function activateSh(prefix: string): string {
    return lines(
      '# ml-containers (written by `mlc kernels install`): sourced by conda/micromamba',
      "# activation, so that Jupyter lists this env's kernels first. The previous",
      '# JUPYTER_PATH comes back on deactivation (deactivate.d/ml-containers.sh).',
      `if [ -z "\${${SAVED}:-}" ]; then`,
      '    if [ -n "${JUPYTER_PATH+set}" ]; then',
      `        ${SAVED}=set`,
      `        ${BACKUP}=$JUPYTER_PATH`,
      `        export ${BACKUP}`,
      '    else',
      `        ${SAVED}=unset`,
      '    fi',
      `    export ${SAVED}`,
      'fi',
      '_mlc_prefix=${CONDA_PREFIX:-}',
      'if [ -z "$_mlc_prefix" ]; then',
      `    _mlc_prefix=${shQuote(prefix)}`,
      'fi',
      ...shUnlessColon([
        'JUPYTER_PATH="$_mlc_prefix/share/jupyter"',
        'export JUPYTER_PATH'
      ]),
      'unset _mlc_prefix'
    );
  }

  export function deactivateSh(): string {
    return lines(
      '# ml-containers (written by `mlc kernels install`): sourced by conda/micromamba',
      '# deactivation; puts back the JUPYTER_PATH that activation replaced.',
      `case \${${SAVED}:-} in`,
      '    set)',
      `        JUPYTER_PATH=\${${BACKUP}-}`,
      '        export JUPYTER_PATH',
      '        ;;',
      '    unset)',
      '        unset JUPYTER_PATH',
      '        ;;',
      'esac',
      `unset ${SAVED} ${BACKUP}`
    );
  }

  // csh evaluates every variable of an `if` expression before testing it, so
  // each "is it set" test guards the use in a nested block. `:q` keeps a
  // value one word whatever it holds.
  export function activateCsh(prefix: string): string {
    return lines(
      '# ml-containers (written by `mlc kernels install`): sourced by conda/micromamba',
      "# activation, so that Jupyter lists this env's kernels first. The previous",
      '# JUPYTER_PATH comes back on deactivation (deactivate.d/ml-containers.csh).',
      `if ( ! $?${SAVED} ) then`,
      '    if ( $?JUPYTER_PATH ) then',
      `        setenv ${SAVED} set`,
      `        setenv ${BACKUP} \${JUPYTER_PATH:q}`,
      '    else',
      `        setenv ${SAVED} unset`,
      '    endif',
      'endif',
      `set _mlc_prefix = ${cshQuote(prefix)}`,
      'if ( $?CONDA_PREFIX ) then',
      '    if ( "$CONDA_PREFIX" != "" ) set _mlc_prefix = ${CONDA_PREFIX:q}',
      'endif',
      ...cshUnlessColon(['setenv JUPYTER_PATH "${_mlc_prefix}/share/jupyter"']),
      'unset _mlc_prefix'
    );
  }

  export function deactivateCsh(): string {
    return lines(
      '# ml-containers (written by `mlc kernels install`): sourced by conda/micromamba',
      '# deactivation; puts back the JUPYTER_PATH that activation replaced.',
      `if ( $?${SAVED} ) then`,
      `    if ( "$${SAVED}" == set ) then`,
      `        if ( $?${BACKUP} ) then`,
      `            setenv JUPYTER_PATH \${${BACKUP}:q}`,
      '        endif',
      '    else',
      '        unsetenv JUPYTER_PATH',
      '    endif',
      `    unsetenv ${SAVED}`,
      `    unsetenv ${BACKUP}`,
      'endif'
    );
  }

  /**
   * The prefix is found from the script's own path, three levels up, so the
   * script works wherever the image is mounted (/cvmfs/.../ml-base:tag/...);
   * it is the physical path, as /proc gives it to dash and tcsh, so every
   * shell sets the same value.
   * bash and zsh name the file being sourced; other shells (dash, ksh) keep
   * it open, so Linux's /proc/$$/fd shows it. The install-time prefix is the
   * last resort.
   */
  export function hostSh(prefix: string): string {
    return lines(
      "# ml-containers (written by `mlc kernels install`): use this image's Python env",
      '# on the host, without a container:',
      '#     . <prefix>/etc/ml-containers/setupMe-on-host.sh',
      '# puts <prefix>/bin first on PATH and sets JUPYTER_PATH=<prefix>/share/jupyter.',
      '# <prefix> is found from where this script is, so it works wherever the image',
      '# is mounted (for example under /cvmfs/).',
      '_mlc_script=',
      'if [ -n "${BASH_VERSION:-}" ]; then',
      "    eval '_mlc_script=${BASH_SOURCE[0]}'",
      'elif [ -n "${ZSH_VERSION:-}" ]; then',
      "    eval '_mlc_script=${(%):-%x}'",
      'fi',
      'if [ -z "$_mlc_script" ] && [ -d "/proc/$$/fd" ]; then',
      '    for _mlc_fd in /proc/$$/fd/*; do',
      '        _mlc_target=$(readlink "$_mlc_fd" 2>/dev/null) || continue',
      '        case $_mlc_target in',
      '            */etc/ml-containers/setupMe-on-host.sh) _mlc_script=$_mlc_target ;;',
      '        esac',
      '    done',
      'fi',
      '_mlc_prefix=',
      'if [ -n "$_mlc_script" ]; then',
      '    _mlc_prefix=$(CDPATH= cd -- "$(dirname -- "$_mlc_script")/../.." && pwd -P) || _mlc_prefix=',
      'fi',
      'if [ -z "$_mlc_prefix" ]; then',
      `    _mlc_prefix=${shQuote(prefix)}`,
      'fi',
      ...shUnlessColon([
        'PATH="$_mlc_prefix/bin:$PATH"',
        'JUPYTER_PATH="$_mlc_prefix/share/jupyter"',
        'export PATH JUPYTER_PATH'
      ]),
      // The start-up banner of `mlc image banner`, if the image has one (it prints only when interactive).
      'if [ -r "$_mlc_prefix/etc/ml-containers/banner.sh" ]; then',
      '    . "$_mlc_prefix/etc/ml-containers/banner.sh"',
      'fi',
      'unset _mlc_script _mlc_fd _mlc_target _mlc_prefix'
    );
  }

  /** As hostSh, for csh: tcsh keeps the sourced file open, so /proc/$$/fd shows it. */
  export function hostCsh(prefix: string): string {
    return lines(
      "# ml-containers (written by `mlc kernels install`): use this image's Python env",
      '# on the host, without a container:',
      '#     source <prefix>/etc/ml-containers/setupMe-on-host.csh',
      '# puts <prefix>/bin first on PATH and sets JUPYTER_PATH=<prefix>/share/jupyter.',
      '# <prefix> is found from where this script is, so it works wherever the image',
      '# is mounted (for example under /cvmfs/).',
      "set _mlc_script = ''",
      'if ( -d /proc/$$/fd ) then',
      '    foreach _mlc_fd ( /proc/$$/fd/* )',
      '        set _mlc_target = "`readlink $_mlc_fd`"',
      '        if ( "$_mlc_target" =~ */etc/ml-containers/setupMe-on-host.csh ) set _mlc_script = "$_mlc_target"',
      '    end',
      'endif',
      `set _mlc_prefix = ${cshQuote(prefix)}`,
      'if ( "$_mlc_script" != "" ) set _mlc_prefix = "${_mlc_script:h:h:h}"',
      ...cshUnlessColon([
        'setenv PATH "${_mlc_prefix}/bin:${PATH}"',
        'setenv JUPYTER_PATH "${_mlc_prefix}/share/jupyter"'
      ]),
      'unset _mlc_script _mlc_fd _mlc_target _mlc_prefix'
    );
  }
}
