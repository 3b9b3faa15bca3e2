/**
 * `mlc env rebase ENV`: make the env's own packages work on the image as it
 * is now, after the image was updated in place (docs/architecture.md, "Env
 * life"). First pip resolves the env's pins against the new image's
 * packages without writing anything (a failure names the package, nothing
 * changes); then the env's links are refreshed from the base, what the
 * resolution needs is installed, every top-level module of the env's
 * packages is imported and `pip check` run; only then is the new image
 * recorded. The state before is the previous revision.
 */
import {
  REVISIONS_DIR,
  normalizeName,
  type IEnvRebaseResult
} from '../../core/envLife';
import type { ICliContext } from '../context';
import { UserError } from '../errors';
import { readRegularFile } from '../fs/regularFile';
import { removeEntry } from '../fs/removeTree';
import { writeFileStaged } from '../fs/stagedWrite';
import { checkEnv } from './check';
import {
  assertNoChangeRunning,
  beginChange,
  changeTarget,
  failedChange,
  finishChange,
  installTimeoutMs,
  keepLog,
  pipErrorLine
} from './envChange';
import { currentImage } from './imageIdentity';
import { parsePipReport, PIP_QUIET_FLAGS } from './install';
import { writeEnvRecord } from './layout';
import { pipEnvironment, runPip } from './pipRun';
import { envPackages, writeImagePackages } from './revisions';
import { TEMPLATES } from './templateTexts';
import { runBounded } from '../image/boundedRun';
import { listRealDirectory } from '../fs/listDir';

export async function rebaseEnv(
  options: { prefix: string },
  context: ICliContext
): Promise<IEnvRebaseResult> {
  const started = performance.now();
  let target = changeTarget(options.prefix, context);
  const image = currentImage(target.record.basePrefix, target.record.python);
  const from = target.record.image ?? image.identity;
  const reporter = context.reporter;
  const env = pipEnvironment(context.env);
  const timeoutMs = installTimeoutMs(context);
  assertNoChangeRunning(target);
  const pins = envPackages(target.envDir, target.record.python).pip;
  const specs = pins.map(pin => `${pin.name}==${pin.version}`);
  const work = `${target.envDir}/${REVISIONS_DIR}`;
  const constraints = `${work}/.constraints-${process.pid}.txt`;
  const own = new Set(pins.map(pin => normalizeName(pin.name)));
  writeFileStaged(
    constraints,
    [...target.imagePip.entries()]
      .filter(([key]) => !own.has(key))
      .map(([key, pkg]) => `${key}==${pkg.version}\n`)
      .join('')
  );
  try {
    // Whether the resolution on the new image needs anything installed.
    let needed = 0;
    if (specs.length) {
      reporter.progress(
        `resolving ${specs.length} package(s) on the image as it is now`,
        'resolve'
      );
      const check = await runPip(
        target.interpreter,
        [
          'install',
          ...PIP_QUIET_FLAGS,
          '--dry-run',
          '--quiet',
          '--report',
          '-',
          '-c',
          constraints,
          '--',
          ...specs
        ],
        { env, timeoutMs }
      );
      if (check.stopped) {
        throw new UserError(
          `the rebase was stopped (${check.stopped}); the env is unchanged`,
          'run it again',
          1
        );
      }
      if (check.code !== 0) {
        throw new UserError(
          `the env's packages do not fit the image as it is now: ${pipErrorLine(check.log)}; the env is unchanged`,
          'uninstall or change the package named (mlc env uninstall / install), then rebase again',
          1
        );
      }
      const report = parsePipReport(
        check.stdout.slice(Math.max(0, check.stdout.indexOf('{')))
      );
      // An unreadable report: install anyway, pip decides.
      needed = report ? report.length : specs.length;
    }
    const { revisions, before } = beginChange(target, 'rebase', []);
    reporter.progress('refreshing the links to the image', 'install');
    const checked = checkEnv(
      { prefix: target.envDir, fix: true },
      context,
      TEMPLATES
    );
    const left = checked.problems.filter(
      problem =>
        problem.code !== 'base-updated' && problem.code !== 'change-interrupted'
    );
    if (left.length) {
      throw failedChange(
        target,
        before,
        revisions,
        `the env cannot be repaired on the image: ${left[0].message}`,
        left[0].hint
      );
    }
    target = changeTarget(target.envDir, context);
    let log = '';
    if (needed > 0) {
      reporter.progress(
        'installing what the image as it is now needs',
        'install'
      );
      const run = await runPip(
        target.interpreter,
        ['install', ...PIP_QUIET_FLAGS, '-c', constraints, '--', ...specs],
        {
          env,
          timeoutMs,
          onPhase: (phase, line) => reporter.progress(line, phase)
        }
      );
      log = run.log;
      if (run.stopped || run.code !== 0) {
        keepLog(target, log);
        throw failedChange(
          target,
          before,
          revisions,
          `the rebase could not install: ${run.stopped ?? pipErrorLine(run.log)}`,
          'see the log in the env'
        );
      }
    }
    reporter.progress(
      "importing the env's modules and running pip check",
      'verify'
    );
    const provided = Private.topLevelModules(
      target.envDir,
      target.record.python
    );
    const modules = [...provided.keys()];
    const smoke = await runBounded(
      target.interpreter,
      [
        '-c',
        'import importlib, sys\nfor m in sys.argv[1:]:\n    try:\n        importlib.import_module(m)\n    except Exception as e:\n        print(f"{m}: {type(e).__name__}: {e}"[:300]); sys.exit(1)',
        ...modules
      ],
      { env, timeoutMs: 600000, maxOutputBytes: 1 << 20 }
    );
    if (smoke.kind !== 'exited' || smoke.code !== 0) {
      const why =
        smoke.kind === 'exited'
          ? smoke.stdout.trim().split('\n')[0] ||
            smoke.stderr.trim().split('\n').pop()
          : smoke.kind;
      keepLog(target, log);
      const owner = provided.get((why ?? '').split(':')[0]);
      throw failedChange(
        target,
        before,
        revisions,
        `a package of the env does not import on the image as it is now: ${owner ? `${owner} (` : ''}${why}${owner ? ')' : ''}`,
        'uninstall or upgrade it, then rebase again'
      );
    }
    const pipCheck = await runPip(
      target.interpreter,
      ['check', '--disable-pip-version-check'],
      { env, timeoutMs }
    );
    const verdict =
      pipCheck.code === 0
        ? 'ok'
        : pipCheck.stdout
            .trim()
            .split('\n')
            .slice(0, 3)
            .join('; ')
            .slice(0, 500);
    writeImagePackages(target.envDir, image);
    writeEnvRecord(target.envDir, { ...target.record, image: image.identity });
    target = changeTarget(target.envDir, context);
    const logFile = keepLog(target, log + pipCheck.log);
    const after = envPackages(target.envDir, target.record.python);
    const previous = revisions.length
      ? revisions[revisions.length - 1].number
      : 0;
    const revision = finishChange(
      target,
      'rebase',
      [],
      revisions,
      after,
      image
    );
    return {
      prefix: target.envDir,
      from,
      to: image.identity,
      revision,
      previous,
      imported: modules,
      pipCheck: verdict,
      logFile,
      elapsedMs: Math.round(performance.now() - started)
    };
  } finally {
    removeEntry(constraints);
  }
}

namespace Private {
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
