/**
 * `mlc image fix-root-config`: the seed's second PyROOT repair. ROOT from
 * conda-forge links against the env's own libz, but `root-config --libs`
 * does not name it, so programs built with its flags pick up the system
 * libz, which is not compatible. The repair appends `-lz` to the script's
 * `rootlibs` list (which --libs, --glibs and --evelibs all print after
 * `-L${libdir}`, so the linker finds the env's libz first), as one marked
 * block inserted before the script's "end of machine and compiler dependent
 * settings" line. Running it again changes nothing.
 *
 * The script's shape (checked in ROOT's config/root-config.in): shell
 * variables `newlib=`, `rootlibs="..."`, `auxlibs=...`, a `case` on the
 * options with a `--libs)` branch printing `$forcelibs $libs ${auxlibs}`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { fsUserError } from '../fs/errors';
import { resolves } from '../fs/probes';
import { readRegularFile } from '../fs/regularFile';
import { writeFileStaged } from '../fs/stagedWrite';
import { UserError } from '../errors';

/** The first line of the block we insert; its presence means "already repaired". */
export const ROOT_CONFIG_MARKER =
  "# mlc image fix-root-config: link the env's own libz (found through -L${libdir})";

export interface IFixRootConfigResult {
  script: string;
  /** False when the script already had the repair (or already named -lz). */
  changed: boolean;
  reason: string;
}

export function fixRootConfig(prefix: string): IFixRootConfigResult {
  const script = path.join(prefix, 'bin', 'root-config');
  const stat = Private.scriptStat(script);
  Private.checkLibz(prefix);
  const read = readRegularFile(script, {
    maxBytes: Private.MAX_SCRIPT_BYTES,
    followLinks: false
  });
  if (!read.ok) {
    throw new UserError(
      `cannot read ${script}: it ${read.reason}`,
      'pass the prefix of an env with ROOT installed; the file was left as it was'
    );
  }
  const text = read.text;
  const lines = text.split('\n');
  if (lines.includes(ROOT_CONFIG_MARKER)) {
    return { script, changed: false, reason: 'already repaired' };
  }
  const rootlibs = lines.findIndex(line =>
    Private.ROOTLIBS_ASSIGNMENT.test(line)
  );
  const anchor = lines.findIndex(line => Private.ANCHOR.test(line));
  if (
    rootlibs < 0 ||
    anchor < 0 ||
    anchor < rootlibs ||
    !lines.some(line => Private.LIBS_BRANCH.test(line))
  ) {
    throw new UserError(
      `${script} does not have the shape of ROOT's root-config (a rootlibs="..." list, a --libs) branch and the "### end of machine and compiler dependent settings ###" line)`,
      'check that this prefix holds ROOT from conda-forge; the file was left as it was'
    );
  }
  if (Private.namesLibz(lines.slice(rootlibs, anchor))) {
    return { script, changed: false, reason: 'rootlibs already names -lz' };
  }
  const block = [ROOT_CONFIG_MARKER, 'rootlibs="$rootlibs -lz"', ''];
  const repaired = [
    ...lines.slice(0, anchor),
    ...block,
    ...lines.slice(anchor)
  ].join('\n');
  try {
    // Mode and owner kept; no link below the prefix is written through.
    writeFileStaged(script, repaired, stat, prefix);
  } catch (error) {
    throw fsUserError(error, `writing ${script}`);
  }
  return { script, changed: true, reason: 'added -lz to rootlibs' };
}

namespace Private {
  export const ROOTLIBS_ASSIGNMENT = /^\s*rootlibs="/;
  export const ANCHOR =
    /^\s*### end of machine and compiler dependent settings ###\s*$/;
  export const LIBS_BRANCH = /^\s*--libs\)/;
  /** ROOT's root-config is some 30 KB. */
  export const MAX_SCRIPT_BYTES = 16 * 1024 * 1024;

  export function scriptStat(script: string): fs.Stats {
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(script);
    } catch {
      throw new UserError(
        `no root-config in ${path.dirname(script)}`,
        'pass the prefix of an env with ROOT installed (e.g. micromamba install root)'
      );
    }
    if (stat.isSymbolicLink()) {
      throw new UserError(
        `${script} is a symbolic link`,
        'repair the file it points to through its own prefix'
      );
    }
    if (!stat.isFile()) {
      throw new UserError(
        `${script} is not a regular file`,
        'pass the prefix of an env with ROOT installed'
      );
    }
    return stat;
  }

  /** The libz the repair points at must be there, or -lz would find the system's after all. */
  export function checkLibz(prefix: string): void {
    const lib = path.join(prefix, 'lib');
    const names = resolves(lib) ? fs.readdirSync(lib) : [];
    if (
      !names.some(name => name === 'libz.so' || name.startsWith('libz.so.'))
    ) {
      throw new UserError(
        `no libz.so in ${lib}`,
        'install zlib into the env (it comes with ROOT from conda-forge)'
      );
    }
  }

  /** Whether a `rootlibs=` assignment (continued lines joined) already lists -lz. */
  export function namesLibz(lines: string[]): boolean {
    const statements = lines.join('\n').replace(/\\\n/g, ' ').split('\n');
    return statements.some(
      line =>
        ROOTLIBS_ASSIGNMENT.test(line) && /(^|["\s])-lz(["\s]|$)/.test(line)
    );
  }
}
