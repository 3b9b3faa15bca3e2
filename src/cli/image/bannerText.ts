/**
 * The start-up banner of an image (the seed's "For the content in this
 * container, please read ..." message) and the shell snippets that show
 * it, as text. Pure: `banner.ts` writes the files.
 *
 * Shown only to people: every snippet prints nothing unless the shell is
 * interactive (Apptainer: unless the command is `shell` or `run` on a
 * terminal), prints to standard error so the standard output of anything
 * run in the image stays exactly the command's own, and prints once per
 * session (MLC_BANNER_SHOWN is exported).
 */
import { cshQuote, shQuote } from '../../core/quote';

/** The image facts the banner names (from image.json when there is one). */
export interface IBannerFacts {
  /** `name:tag`, or '' when unknown. */
  image: string;
  python: string;
  os: string;
  /** `YYYY-MM-DD`, or ''. */
  buildDate: string;
}

/** Where the seed's entry points are, as seen inside the image. */
export interface IBannerPaths {
  packageList: string;
  createScript: string;
}

/** A banner line: plain text, or text around a path that moves with the image root in host mode. */
export type BannerLine =
  string | { before: string; path: string; after: string };

/** The variable the first-time guard exports. */
export const SHOWN_VARIABLE = 'MLC_BANNER_SHOWN';

export function bannerLines(
  facts: IBannerFacts,
  paths: IBannerPaths
): BannerLine[] {
  const details = [
    facts.python && `Python ${facts.python}`,
    facts.os,
    facts.buildDate && `built ${facts.buildDate}`
  ].filter(Boolean);
  const head = facts.image
    ? [`${facts.image}${details.length ? ` (${details.join(', ')})` : ''}`, '']
    : [];
  return [
    ...head,
    'For the content in this container,',
    { before: '  please read the file ', path: paths.packageList, after: '' },
    '',
    {
      before: 'To create your own new env, run "source ',
      path: paths.createScript,
      after: ' -h" for help'
    },
    'To install new pkg(s) in a writable container, run "micromamba install pkg1 [pkg2 ...]"',
    '  or "python -m pip install pkg1 [pkg2 ...]"; in a read-only image, create an env first.'
  ];
}

/** The banner as plain text, with the paths as the image sees them. */
export function bannerPlainText(lines: BannerLine[]): string {
  return (
    lines
      .map(line =>
        typeof line === 'string'
          ? line
          : `${line.before}${line.path}${line.after}`
      )
      .join('\n') + '\n'
  );
}

/**
 * `<prefix>/etc/ml-containers/banner.sh`, sourced by the shell hooks and by
 * setupMe-on-host.sh. In host mode that script sets `_mlc_prefix` to where
 * the prefix is mounted; the image root is that path minus the build-time
 * prefix, and the banner's paths are shown below it.
 */
export function bannerSh(prefix: string, lines: BannerLine[]): string {
  const args = lines.map(line =>
    typeof line === 'string'
      ? shQuote(line)
      : `${shQuote(line.before)}"$_mlc_banner_root"${shQuote(line.path + line.after)}`
  );
  return [
    '# ml-containers start-up banner (written by `mlc image banner`). Sourced by',
    '# interactive shells in the image and by setupMe-on-host.sh; silent when',
    '# the shell is not interactive, printed on stderr, once per session.',
    `if [ -z "\${${SHOWN_VARIABLE}:-}" ]; then`,
    '    case $- in',
    '    *i*)',
    '        _mlc_banner_root=',
    '        case ${_mlc_prefix:-} in',
    `        ?*${shQuote(prefix)}) _mlc_banner_root=\${_mlc_prefix%${shQuote(prefix)}} ;;`,
    '        esac',
    "        printf '%s\\n' '' \\",
    ...args.map(arg => `            ${arg} \\`),
    "            '' >&2",
    `        ${SHOWN_VARIABLE}=1`,
    `        export ${SHOWN_VARIABLE}`,
    '        unset _mlc_banner_root',
    '        ;;',
    '    esac',
    'fi',
    ''
  ].join('\n');
}

/** The same for csh/tcsh users (container paths only). */
export function bannerCsh(textFile: string): string {
  return [
    '# ml-containers start-up banner (written by `mlc image banner`): interactive',
    '# shells only ($prompt is set), on stderr, once per session.',
    `if ( $?prompt && ! $?${SHOWN_VARIABLE} ) then`,
    `    if ( -r ${cshQuote(textFile)} ) /bin/sh -c 'cat "$1" >&2' sh ${cshQuote(textFile)}`,
    `    setenv ${SHOWN_VARIABLE} 1`,
    'endif',
    ''
  ].join('\n');
}

/** The line added to a system shell rc file (bash.bashrc, bashrc, zshrc): sources banner.sh. */
export function rcHookLine(bannerShPath: string): string {
  const quoted = shQuote(bannerShPath);
  return `if [ -r ${quoted} ]; then . ${quoted}; fi # ml-containers banner (mlc image banner)`;
}

/**
 * The Apptainer env file: Apptainer sources /.singularity.d/env/*.sh from a
 * non-interactive sh for every run, exec and shell, so `$-` cannot tell;
 * APPTAINER_COMMAND (SINGULARITY_COMMAND in Singularity) and terminals on
 * stdin and stderr can.
 */
export function apptainerEnvScript(
  bannerShPath: string,
  textFile: string
): string {
  return [
    '# ml-containers start-up banner (written by `mlc image banner`): shown for',
    '# `apptainer shell` and `apptainer run` on a terminal, on stderr; never for exec.',
    `if [ -z "\${${SHOWN_VARIABLE}:-}" ] && [ -t 0 ] && [ -t 2 ] && [ -r ${shQuote(textFile)} ]; then`,
    '    case ${APPTAINER_COMMAND:-${SINGULARITY_COMMAND:-}} in',
    '    shell|run)',
    `        { echo; cat ${shQuote(textFile)}; echo; } >&2`,
    `        ${SHOWN_VARIABLE}=1`,
    `        export ${SHOWN_VARIABLE}`,
    '        ;;',
    '    esac',
    'fi',
    `# ${bannerShPath} is the same banner for shells started later.`,
    ''
  ].join('\n');
}
