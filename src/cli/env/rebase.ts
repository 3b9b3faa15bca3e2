/**
 * `mlc env rebase ENV`: make the env's own packages work on the image as it
 * is now, after the image was updated in place (docs/architecture.md, "Env
 * life"). The env is built again in a hidden temporary sibling (as `env
 * create` builds one: links to the image as it is now, the same record and
 * creation id, the revisions so far), the env's conda records (with the
 * image's conda installer, condaRebase.ts) and pip pins are installed there
 * with the image's packages as constraints, every top-level module of the
 * env's packages is imported and `pip check` run there; only then are the
 * two trees swapped in one step (renameat2 RENAME_EXCHANGE) and the old one
 * removed. The live env is not touched before the swap but for the pending
 * mark, so a failure or a kill at any moment leaves it whole: as it was
 * (then `env check` says the rebase did not finish and the env is
 * unchanged) or rebased. The old package set is the previous revision, and
 * `mlc env rollback` installs it again.
 */
import {
  REVISIONS_DIR,
  normalizeName,
  type IEnvRebaseResult
} from '../../core/envLife';
import type { EnvRecord } from '../../core/envRecord';
import type { ICliContext } from '../context';
import { UserError } from '../errors';
import { exchangeDirectories } from './exchangeDirs';
import { ensureRealDirectory } from '../fs/realDir';
import { readRegularFile } from '../fs/regularFile';
import { writeFileStaged } from '../fs/stagedWrite';
import { inspectBase } from './base';
import { envStaging } from './create';
import { removeLeftovers } from './leftovers';
import {
  assertNoChangeRunning,
  changeTarget,
  finishChange,
  installTimeoutMs,
  keepLog,
  pipErrorLine,
  type IEnvTarget
} from './envChange';
import { condaPinsPlan } from './condaInstall';
import { rebuildCondaPins } from './condaRebase';
import { currentImage } from './imageIdentity';
import { PIP_QUIET_FLAGS } from './install';
import { readEnvRecord } from './layout';
import { pipEnvironment, runPip, runPipInstallThenCheck } from './pipRun';
import {
  clearPending,
  envPackages,
  readRevisions,
  revisionsDir,
  writeImagePackages,
  writePending
} from './revisions';
import { envPathFrom } from './target';
import { TEMPLATES } from './templateTexts';
import { runBounded } from '../image/boundedRun';
import { listRealDirectory } from '../fs/listDir';

export async function rebaseEnv(
  options: { prefix: string },
  context: ICliContext
): Promise<IEnvRebaseResult> {
  const started = performance.now();
  const target = changeTarget(options.prefix, context);
  const image = currentImage(
    target.record.basePrefix,
    target.record.python,
    undefined,
    target.basePip
  );
  const from = target.record.image ?? image.identity;
  const reporter = context.reporter;
  const env = pipEnvironment(context.env);
  const timeoutMs = installTimeoutMs(context);
  assertNoChangeRunning(target);
  const before = envPackages(target.envDir, target.record.python);
  const conda = before.conda.length
    ? condaPinsPlan(target.record.basePrefix, before.conda)
    : null;
  const { revisions } = readRevisions(target.envDir);
  const specs = before.pip.map(pin => `${pin.name}==${pin.version}`);
  const base = inspectBase(target.record.basePrefix);
  const place = envPathFrom(target.envDir, context.cwd);
  // Leftovers of an interrupted create or rebase of this env (ours only: see leftovers.ts).
  removeLeftovers(target.envDir);
  const staging = envStaging.tempSibling(place);
  const staged: IEnvTarget = {
    ...target,
    envDir: staging,
    interpreter: `${staging}/bin/python${target.record.python}`,
    record: { ...target.record, image: image.identity }
  };
  writePending(target.envDir, {
    command: 'rebase',
    args: [],
    fromRevision: revisions.length ? revisions[revisions.length - 1].number : 0
  });
  let swapped = false;
  try {
    reporter.progress(
      'building the env again beside it, on the image as it is now',
      'resolve'
    );
    try {
      ensureRealDirectory(staging, 0o755);
      envStaging.build(staging, base, staged.record, TEMPLATES, {
        directories: 0,
        links: 0,
        records: 0
      });
      Private.copyRevisions(target.envDir, staging);
      writeImagePackages(staging, image);
    } catch (error) {
      throw new UserError(
        `the env could not be built again beside it: ${(error as Error).message.slice(0, 300)}; the env is unchanged`,
        `check the space and permissions of ${place.parent}`,
        1
      );
    }
    let log = conda ? await rebuildCondaPins(staged, conda, context) : '';
    // pip check's answer when it ran in the install's interpreter.
    let checked: { code: number; stdout: string } | null = null;
    if (specs.length) {
      const own = new Set(before.pip.map(pin => normalizeName(pin.name)));
      const constraints = `${staging}/${REVISIONS_DIR}/.constraints.txt`;
      writeFileStaged(
        constraints,
        [...target.imagePip.entries()]
          .filter(([key]) => !own.has(key))
          .map(([key, pkg]) => `${key}==${pkg.version}\n`)
          .join('')
      );
      reporter.progress(
        `installing the env's ${specs.length} package(s) on the image as it is now`,
        'install'
      );
      // --no-compile: byte code would name the temporary path; it is written at first import.
      const both = await runPipInstallThenCheck(
        staged.interpreter,
        [...PIP_QUIET_FLAGS, '--no-compile', '-c', constraints, '--', ...specs],
        {
          env,
          timeoutMs,
          onPhase: (phase, line) => reporter.progress(line, phase)
        }
      );
      const run = both.install;
      checked = both.check;
      log += run.log;
      if (run.stopped) {
        throw new UserError(
          `the rebase was stopped (${run.stopped}); the env is unchanged`,
          'run it again',
          1
        );
      }
      if (run.code !== 0) {
        keepLog(target, log);
        throw new UserError(
          `the env's packages do not fit the image as it is now: ${pipErrorLine(run.log)}; the env is unchanged`,
          'uninstall or change the package named (mlc env uninstall / install), then rebase again',
          1
        );
      }
    }
    if (specs.length || conda) {
      Private.moveScripts(staging, target.envDir);
    }
    reporter.progress(
      "importing the env's modules and running pip check",
      'verify'
    );
    const provided = Private.topLevelModules(staging, target.record.python);
    const modules = [...provided.keys()];
    const smoke = await runBounded(
      staged.interpreter,
      [
        '-c',
        'import importlib, sys\nfor m in sys.argv[1:]:\n    try:\n        importlib.import_module(m)\n    except Exception as e:\n        print(f"{m}: {type(e).__name__}: {e}"[:300]); sys.exit(1)',
        ...modules
      ],
      {
        env: { ...env, PYTHONDONTWRITEBYTECODE: '1' },
        timeoutMs: 600000,
        maxOutputBytes: 1 << 20
      }
    );
    if (smoke.kind !== 'exited' || smoke.code !== 0) {
      const why =
        smoke.kind === 'exited'
          ? smoke.stdout.trim().split('\n')[0] ||
            smoke.stderr.trim().split('\n').pop()
          : smoke.kind;
      keepLog(target, log);
      const owner = provided.get((why ?? '').split(':')[0]);
      throw new UserError(
        `a package of the env does not import on the image as it is now: ${owner ? `${owner} (` : ''}${why}${owner ? ')' : ''}; the env is unchanged`,
        'uninstall or upgrade it, then rebase again',
        1
      );
    }
    if (!checked) {
      const pipCheck = await runPip(
        staged.interpreter,
        ['check', '--disable-pip-version-check'],
        { env: { ...env, PYTHONDONTWRITEBYTECODE: '1' }, timeoutMs }
      );
      log += pipCheck.log;
      checked = { code: pipCheck.code ?? 1, stdout: pipCheck.stdout };
    }
    const verdict =
      checked.code === 0
        ? 'ok'
        : checked.stdout
            .trim()
            .split('\n')
            .slice(0, 3)
            .join('; ')
            .slice(0, 500);
    const logFile = keepLog(staged, log);
    const after = envPackages(staging, target.record.python);
    const previous = revisions.length
      ? revisions[revisions.length - 1].number
      : 0;
    const revision = finishChange(
      staged,
      'rebase',
      [],
      revisions,
      after,
      image
    );
    reporter.progress('swapping the rebuilt env in', 'verify');
    const exchange = await exchangeDirectories(
      target.interpreter,
      staging,
      target.envDir
    );
    if (!exchange.ok) {
      throw new UserError(
        exchange.unsupported
          ? `the file system of ${place.parent} cannot swap two directories in one step (${exchange.reason}); the env is unchanged`
          : `the rebuilt env could not be swapped in (${exchange.reason}); the env is unchanged`,
        exchange.unsupported
          ? 'export the env (mlc env export) and create it again from the file (mlc env create --from)'
          : 'run it again',
        1
      );
    }
    swapped = true;
    // The old tree now sits at the temporary name: ours (same creation id) and gone.
    Private.removeOldTree(staging, target.record);
    return {
      prefix: target.envDir,
      from,
      to: image.identity,
      revision,
      previous,
      imported: modules,
      pipCheck: verdict,
      logFile:
        logFile === null
          ? null
          : `${target.envDir}/${logFile.slice(staging.length + 1)}`,
      elapsedMs: Math.round(performance.now() - started)
    };
  } finally {
    if (!swapped) {
      envStaging.removeQuietly(staging);
      clearPending(target.envDir);
    }
  }
}

namespace Private {
  /** The readable revisions of the live env, copied into the rebuilt one (refused files stay behind). */
  export function copyRevisions(from: string, to: string): void {
    ensureRealDirectory(revisionsDir(to), 0o755);
    for (const revision of readRevisions(from).revisions) {
      const file = `${revisionsDir(from)}/${revision.number}.json`;
      const read = readRegularFile(file, {
        maxBytes: 16 << 20,
        followLinks: false,
        strictUtf8: true
      });
      if (read.ok) {
        writeFileStaged(
          `${revisionsDir(to)}/${revision.number}.json`,
          read.text
        );
      }
    }
  }

  /**
   * pip writes the interpreter's absolute path into the console scripts it
   * installs (`#!<env>/bin/python3.X`, or the sh polyglot for long paths):
   * in the rebuilt env that is the temporary path, rewritten here to the
   * env's own. Only regular files of bin/ (the image's are links) are read.
   */
  export function moveScripts(staging: string, final: string): void {
    const bin = `${staging}/bin`;
    const listing = listRealDirectory(bin, 100000);
    if (!listing.ok) {
      return;
    }
    for (const entry of listing.entries) {
      if (!entry.isFile()) {
        continue;
      }
      const file = `${bin}/${entry.name}`;
      const read = readRegularFile(file, {
        maxBytes: 1 << 20,
        followLinks: false
      });
      if (!read.ok || !read.text.startsWith('#!') || read.text.includes('\0')) {
        continue;
      }
      const head = read.text.slice(0, 4096);
      if (head.includes(`${staging}/`)) {
        writeFileStaged(
          file,
          head.split(`${staging}/`).join(`${final}/`) + read.text.slice(4096),
          0o755
        );
      }
    }
  }

  /** Remove the pre-rebase tree, once it proves to be this env's (its record's creation id). */
  export function removeOldTree(dir: string, live: EnvRecord): void {
    const record = readEnvRecord(dir);
    if (
      record.ok &&
      record.value.prefix === live.prefix &&
      record.value.creationId === live.creationId
    ) {
      envStaging.removeQuietly(dir);
    }
  }

  /** The importable top-level modules the env's own distributions provide, each with its package. */
  export function topLevelModules(
    envDir: string,
    python: string
  ): Map<string, string> {
    const site = `${envDir}/lib/python${python}/site-packages`;
    const listing = listRealDirectory(site, 100000);
    const modules = new Map<string, string>();
    if (!listing.ok) {
      return modules;
    }
    for (const entry of listing.entries) {
      if (!entry.name.endsWith('.dist-info')) {
        continue;
      }
      const read = readRegularFile(`${site}/${entry.name}/top_level.txt`, {
        maxBytes: 1 << 16,
        followLinks: false
      });
      const names = read.ok
        ? read.text.split('\n')
        : Private.fromRecord(`${site}/${entry.name}/RECORD`);
      for (const name of names.map(line => line.trim())) {
        if (
          /^[A-Za-z_][A-Za-z0-9_]{0,100}$/.test(name) &&
          !name.startsWith('_')
        ) {
          modules.set(
            name,
            entry.name.replace(/-[^-]+\.dist-info$/, '').replace(/_/g, '-')
          );
        }
      }
    }
    return new Map(
      [...modules.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .slice(0, 1000)
    );
  }

  export function fromRecord(file: string): string[] {
    const read = readRegularFile(file, {
      maxBytes: 16 << 20,
      followLinks: false
    });
    if (!read.ok) {
      return [];
    }
    const names = new Set<string>();
    for (const line of read.text.split('\n')) {
      const first = line.split(',')[0].split('/');
      if (first.length === 1 && first[0].endsWith('.py')) {
        names.add(first[0].slice(0, -3));
      } else if (
        first.length > 1 &&
        !first[0].includes('.') &&
        first[first.length - 1] === '__init__.py'
      ) {
        names.add(first[0]);
      }
    }
    return [...names];
  }
}
