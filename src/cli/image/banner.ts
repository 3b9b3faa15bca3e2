/**
 * `mlc image banner`: write the image's start-up banner into the image env
 * (`<prefix>/etc/ml-containers/banner.{txt,sh,csh}`) and the hooks that
 * show it: /etc/profile.d for login shells, a line in the system bashrc /
 * zshrc / csh.cshrc files that exist for interactive non-login shells (what
 * `podman run -it IMAGE` starts), and, when asked, an Apptainer env file.
 * Host mode shows it through setupMe-on-host.sh, which sources banner.sh.
 */
import * as path from 'path';
import { imageReference } from '../../core/imageMetadata';
import { labelProblem, pathProblem } from '../../core/problemText';
import { fsUserError } from '../fs/errors';
import { cshQuote } from '../../core/quote';
import { UserError } from '../errors';
import { makeDirectories } from '../fs/entries';
import { entryStat, isRealDirectory, resolves } from '../fs/probes';
import { readRegularFile } from '../fs/regularFile';
import { assertNoLinkBelow, writeFilesStaged } from '../fs/stagedWrite';
import { imageJsonIn } from './imageJsonFile';
import { MAX_IMAGE_JSON_BYTES } from './writeManifest';
import {
  apptainerEnvScript,
  bannerCsh,
  bannerLines,
  bannerPlainText,
  bannerSh,
  rcHookLine,
  type IBannerFacts
} from './bannerText';

/** The banner's files below the prefix. */
export const BANNER_DIR = 'etc/ml-containers';
export const APPTAINER_BANNER_FILE = '95-ml-containers-banner.sh';
const PROFILE_NAME = 'zz-ml-containers-banner';
/** System rc files read by interactive shells; a hook line is added to those that exist. */
const SH_RC_FILES = [
  'etc/bash.bashrc',
  'etc/bashrc',
  'etc/zsh/zshrc',
  'etc/zshrc'
];
const CSH_RC_FILE = 'etc/csh.cshrc';
const HOOK_MARK = '# ml-containers banner (mlc image banner)';
/** No system rc file comes near this; a bigger one is not ours to rewrite. */
const RC_MAX_BYTES = 16 * 1024 * 1024;

export interface IBannerOptions {
  /** The image env prefix, absolute, existing. */
  prefix: string;
  /** The root whose /etc gets the hooks, absolute, existing ('/' in a build). */
  root: string;
  /** image.json to take the facts from; default: the one beside the python3 kernel spec, if any. */
  image?: string;
  packageList: string;
  createScript: string;
  apptainerEnvDir?: string;
}

export interface IBannerResult {
  text: string;
  written: string[];
  hooked: string[];
}

export function installBanner(options: IBannerOptions): IBannerResult {
  for (const [option, value] of [
    ['--package-list', options.packageList],
    ['--create-script', options.createScript]
  ] as const) {
    const problem = pathProblem(value);
    if (problem || !value.startsWith('/')) {
      throw new UserError(
        `${option} ${JSON.stringify(value)}: ${problem ?? 'not an absolute path'}`,
        'pass the path as the image sees it, e.g. /list-of-pkgs-inside.txt'
      );
    }
  }
  const facts = Private.facts(options);
  const lines = bannerLines(facts, {
    packageList: options.packageList,
    createScript: options.createScript
  });
  const text = bannerPlainText(lines);
  const dir = path.join(options.prefix, BANNER_DIR);
  const textFile = path.join(dir, 'banner.txt');
  const shFile = path.join(dir, 'banner.sh');
  const cshFile = path.join(dir, 'banner.csh');
  const written: string[] = [];
  const hooked: string[] = [];
  const apptainerDir = options.apptainerEnvDir;
  if (apptainerDir !== undefined && !isRealDirectory(apptainerDir)) {
    throw new UserError(
      `--apptainer-env-dir ${apptainerDir} is not a directory`,
      'create it first (e.g. mkdir -p /.singularity.d/env)'
    );
  }
  const etc = path.join(options.root, 'etc');
  const profileDir = path.join(etc, 'profile.d');
  try {
    // Every directory written into, checked before the first write: a link
    // below the prefix or the root refuses the whole banner.
    assertNoLinkBelow(options.prefix, dir);
    assertNoLinkBelow(options.root, profileDir);
    for (const rc of [...SH_RC_FILES, CSH_RC_FILE]) {
      const file = path.join(options.root, rc);
      if (resolves(file)) {
        assertNoLinkBelow(options.root, path.dirname(file));
      }
    }
    makeDirectories(options.prefix, dir, 0o755);
    writeFilesStaged(
      dir,
      [
        { name: 'banner.txt', text },
        { name: 'banner.sh', text: bannerSh(options.prefix, lines) },
        { name: 'banner.csh', text: bannerCsh(textFile) }
      ],
      0o644,
      options.prefix
    );
    written.push(textFile, shFile, cshFile);
    if (isRealDirectory(etc)) {
      makeDirectories(options.root, profileDir, 0o755);
      writeFilesStaged(
        profileDir,
        [
          { name: `${PROFILE_NAME}.sh`, text: rcHookLine(shFile) + '\n' },
          {
            name: `${PROFILE_NAME}.csh`,
            text: Private.cshHook(cshFile) + '\n'
          }
        ],
        0o644,
        options.root
      );
      written.push(
        path.join(profileDir, `${PROFILE_NAME}.sh`),
        path.join(profileDir, `${PROFILE_NAME}.csh`)
      );
    }
    for (const rc of SH_RC_FILES) {
      if (
        Private.appendHook(
          options.root,
          path.join(options.root, rc),
          rcHookLine(shFile)
        )
      ) {
        hooked.push(path.join(options.root, rc));
      }
    }
    if (
      Private.appendHook(
        options.root,
        path.join(options.root, CSH_RC_FILE),
        Private.cshHook(cshFile)
      )
    ) {
      hooked.push(path.join(options.root, CSH_RC_FILE));
    }
    if (apptainerDir !== undefined) {
      writeFilesStaged(
        apptainerDir,
        [
          {
            name: APPTAINER_BANNER_FILE,
            text: apptainerEnvScript(shFile, textFile)
          }
        ],
        0o644,
        apptainerDir
      );
      written.push(path.join(apptainerDir, APPTAINER_BANNER_FILE));
    }
  } catch (error) {
    throw fsUserError(error, `writing the banner into ${options.prefix}`);
  }
  return { text, written, hooked };
}

namespace Private {
  export function cshHook(cshFile: string): string {
    const quoted = cshQuote(cshFile);
    return `if ( -r ${quoted} ) source ${quoted} ${HOOK_MARK}`;
  }

  /**
   * Add `line` to an existing regular rc file unless a hook is there
   * already; true when the file now has it. A link is never written through.
   */
  export function appendHook(
    root: string,
    file: string,
    line: string
  ): boolean {
    const read = readRegularFile(file, {
      maxBytes: RC_MAX_BYTES,
      followLinks: false
    });
    if (!read.ok) {
      if (read.missing || /not a regular file|ELOOP/.test(read.reason)) {
        return false;
      }
      throw new UserError(
        `${file} ${read.reason}`,
        'repair or remove that shell start-up file and run mlc image banner again'
      );
    }
    const text = read.text;
    if (text.split('\n').some(existing => existing.endsWith(HOOK_MARK))) {
      return true;
    }
    const updated = `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${line}\n`;
    writeFilesStaged(
      path.dirname(file),
      [{ name: path.basename(file), text: updated }],
      (entryStat(file)?.mode ?? 0o644) & 0o7777,
      root
    );
    return true;
  }

  /** The facts from image.json (validated like user input), or blanks when there is none. */
  export function facts(options: IBannerOptions): IBannerFacts {
    const file =
      options.image ??
      path.join(
        options.prefix,
        'share',
        'jupyter',
        'kernels',
        'python3',
        'image.json'
      );
    const read = readRegularFile(file, { maxBytes: MAX_IMAGE_JSON_BYTES });
    if (!read.ok) {
      if (options.image !== undefined) {
        throw new UserError(
          `cannot read --image ${file} (${read.reason})`,
          "pass the image.json written by 'mlc image manifest'"
        );
      }
      return { image: '', python: '', os: '', buildDate: '' };
    }
    const image = imageJsonIn(file, read.text);
    const facts = {
      image: imageReference(image),
      python: image.python,
      os: image.os,
      buildDate: image.buildDate.slice(0, 10)
    };
    for (const [field, value] of Object.entries(facts)) {
      const problem = value === '' ? null : labelProblem(value);
      if (problem) {
        throw new UserError(
          `${file}: the ${field} ${problem}`,
          "write it again with 'mlc image manifest'"
        );
      }
    }
    return facts;
  }
}
