/**
 * `mlc env history ENV` and `mlc env rollback ENV N` (docs/architecture.md,
 * "Env life"). A rollback first asks pip whether every wheel it needs can be
 * had (a dry run, no dependencies), so a wheel gone from the index and the
 * cache is one clear line with the env unchanged; only then does it remove
 * what revision N did not have and install N's pins with --no-deps. The
 * env's own conda packages go the same way with the image's conda
 * installer (condaRollback.ts), checked first too.
 */
import {
  normalizeName,
  packageChanges,
  type EnvRevision,
  type IEnvHistoryResult,
  type IEnvRollbackResult,
  type IRevisionSummary
} from '../../core/envLife';
import type { ICliContext } from '../context';
import { UserError } from '../errors';
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
import { existingEnvPath, requireEnvRecord } from './existing';
import {
  applyCondaRollback,
  checkCondaRollback,
  condaRollbackPlan
} from './condaRollback';
import { condaErrorLine } from './condaRun';
import { PIP_QUIET_FLAGS } from './install';
import { pipEnvironment, runPip, type IPipRun } from './pipRun';
import {
  envPackages,
  readRevision,
  readRevisions,
  samePackages
} from './revisions';

export function envHistory(
  raw: string,
  context: ICliContext
): IEnvHistoryResult {
  const envDir = existingEnvPath(raw, context.cwd);
  const record = requireEnvRecord(envDir);
  const { revisions, unreadable } = readRevisions(envDir);
  const summaries: IRevisionSummary[] = revisions.map((revision, index) => ({
    ...revision,
    changes:
      index === 0
        ? []
        : [
            ...packageChanges(revisions[index - 1].pip, revision.pip, 'pip'),
            ...packageChanges(
              revisions[index - 1].conda,
              revision.conda,
              'conda'
            )
          ]
  }));
  const last = revisions.length ? revisions[revisions.length - 1] : null;
  return {
    prefix: envDir,
    revisions: summaries,
    current: last?.number ?? 0,
    matchesCurrent: last
      ? samePackages(last, envPackages(envDir, record.python))
      : false,
    unreadable
  };
}

export async function rollbackEnv(
  options: { prefix: string; revision: string },
  context: ICliContext
): Promise<IEnvRollbackResult> {
  const started = performance.now();
  if (!/^[1-9]\d{0,3}$/.test(options.revision)) {
    throw new UserError(
      `invalid revision '${options.revision.slice(0, 50)}'`,
      'give a revision number as mlc env history lists them, e.g. 2'
    );
  }
  const number = Number(options.revision);
  const target = changeTarget(options.prefix, context);
  const wanted = readRevision(target.envDir, number);
  if (!wanted.ok) {
    throw new UserError(
      `revision ${number} cannot be used: ${wanted.error}`,
      `see the revisions: mlc env history ${target.envDir}`
    );
  }
  const goal: EnvRevision = wanted.value;
  const now = envPackages(target.envDir, target.record.python);
  const conda = condaRollbackPlan(target, now.conda, goal.conda);
  const current = new Map(now.pip.map(pin => [normalizeName(pin.name), pin]));
  const keep = new Set(goal.pip.map(pin => normalizeName(pin.name)));
  const toRemove = now.pip
    .filter(pin => !keep.has(normalizeName(pin.name)))
    .map(pin => pin.name);
  const toInstall = goal.pip
    .filter(
      pin => current.get(normalizeName(pin.name))?.version !== pin.version
    )
    .map(pin => `${pin.name}==${pin.version}`);
  const env = pipEnvironment(context.env);
  const timeoutMs = installTimeoutMs(context);
  const reporter = context.reporter;
  if (toInstall.length) {
    reporter.progress(
      `checking that ${toInstall.length} wheel(s) can be had`,
      'resolve'
    );
    const check = await runPip(
      target.interpreter,
      [
        'install',
        ...PIP_QUIET_FLAGS,
        '--dry-run',
        '--quiet',
        '--no-deps',
        '--report',
        '-',
        '--',
        ...toInstall
      ],
      { env, timeoutMs }
    );
    if (check.stopped || check.code !== 0) {
      throw new UserError(
        `cannot roll back to revision ${number}: ${check.stopped ?? pipErrorLine(check.log)}; the env is unchanged`,
        "make the package index reachable (or the wheels available in pip's cache) and try again",
        1
      );
    }
  }
  if (conda) {
    reporter.progress(
      `checking that ${conda.install?.specs.length ?? 0} conda package(s) can be had`,
      'resolve'
    );
    await checkCondaRollback(target, conda, number, context);
  }
  if (!toInstall.length && !toRemove.length && !conda) {
    return {
      prefix: target.envDir,
      target: number,
      revision: null,
      changes: [],
      logFile: null,
      elapsedMs: Math.round(performance.now() - started)
    };
  }
  assertNoChangeRunning(target);
  const args = [String(number)];
  const { revisions, before } = beginChange(target, 'rollback', args);
  let log = '';
  // One wording for a pip step that failed: its log kept, the env's state said.
  const throwIfFailed = (
    run: IPipRun,
    doing: string,
    errorLine = pipErrorLine
  ): void => {
    log += run.log;
    if (run.stopped || run.code !== 0) {
      const logFile = keepLog(target, log);
      throw failedChange(
        target,
        before,
        revisions,
        `the rollback could not ${doing}: ${run.stopped ?? errorLine(run.log)}`,
        logFile ? `see ${logFile}` : "see pip's output"
      );
    }
  };
  if (conda) {
    for (const run of await applyCondaRollback(target, conda, context)) {
      throwIfFailed(run, 'change the conda packages', condaErrorLine);
    }
  }
  if (toRemove.length) {
    reporter.progress(`removing ${toRemove.join(' ')}`, 'install');
    const run = await runPip(
      target.interpreter,
      [
        'uninstall',
        '-y',
        '--disable-pip-version-check',
        '--no-input',
        '--',
        ...toRemove
      ],
      { env, timeoutMs }
    );
    throwIfFailed(run, `remove ${toRemove.join(' ')}`);
  }
  if (toInstall.length) {
    reporter.progress(`installing ${toInstall.join(' ')}`, 'install');
    const run = await runPip(
      target.interpreter,
      ['install', ...PIP_QUIET_FLAGS, '--no-deps', '--', ...toInstall],
      {
        env,
        timeoutMs,
        onPhase: (phase, line) => reporter.progress(line, phase)
      }
    );
    throwIfFailed(run, `install ${toInstall.join(' ')}`);
  }
  const logFile = keepLog(target, log);
  reporter.progress('verifying the env', 'verify');
  const after = envPackages(target.envDir, target.record.python);
  const revision = finishChange(target, 'rollback', args, revisions, after);
  return {
    prefix: target.envDir,
    target: number,
    revision,
    changes: [
      ...packageChanges(before.pip, after.pip, 'pip'),
      ...packageChanges(before.conda, after.conda, 'conda')
    ],
    logFile,
    elapsedMs: Math.round(performance.now() - started)
  };
}
