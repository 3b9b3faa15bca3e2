/**
 * `mlc env install ENV SPEC...` and `mlc env uninstall ENV NAME...` with the
 * env's own pip (docs/architecture.md, "Env life"). The image is protected:
 * its pip packages are constraints, so an install that would put another
 * version of one into the env fails in pip's resolver, before anything is
 * written, and is then explained package by package.
 */
import * as path from 'path';
import {
  MAX_ENV_PACKAGES,
  PACKAGE_NAME_PATTERN,
  PACKAGE_VERSION_PATTERN,
  PIP_HASH_PATTERN,
  REVISIONS_DIR,
  normalizeName,
  packageChanges,
  changeKind,
  type IEnvInstallResult,
  type IImageShadow,
  type IPackageChange,
  type PipPin
} from '../../core/envLife';
import { userPathProblem } from '../../core/problemText';
import { elideText } from '../../core/visibleText';
import type { ICliContext } from '../context';
import { UserError } from '../errors';
import { randomHex } from '../fs/random';
import { readRegularFile } from '../fs/regularFile';
import { removeEntry } from '../fs/removeTree';
import { writeNewFile } from '../fs/stagedWrite';
import {
  IMAGE_OVERRIDE_HINT,
  assertOwnPackages,
  elapsedSince,
  settleRun,
  assertPackageNames,
  finishedChange,
  imageRefusal,
  startChange
} from './changeOutcome';
import {
  changeTarget,
  failedChange,
  installTimeoutMs,
  keepLog,
  pipErrorLine,
  type IEnvTarget
} from './envChange';
import { pipEnvironment, runPip } from './pipRun';
import { envPackages, type IEnvPackages } from './revisions';

export interface IInstallOptions {
  prefix: string;
  specs: string[];
  dryRun: boolean;
  allowImageOverride: boolean;
}

/** The flags every pip run of mlc gets. */
export const PIP_QUIET_FLAGS = [
  '--disable-pip-version-check',
  '--no-input',
  '--progress-bar',
  'off',
  '--no-warn-script-location'
];

/** A pip requirement spec mlc passes on: a name with optional extras and version clauses. */
const SPEC_PATTERN =
  /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?(?:\[[A-Za-z0-9._,-]*\])?(?:(?:===|==|!=|~=|>=|<=|>|<)[A-Za-z0-9.*+!_-]+(?:,(?:===|==|!=|~=|>=|<=|>|<)[A-Za-z0-9.*+!_-]+)*)?$/;

/** The specs as pip gets them (spaces dropped, wheel paths absolute); a bad one is a UserError. */
export function validateSpecs(specs: string[], cwd: string): string[] {
  if (specs.length === 0) {
    throw new UserError(
      'no package to install',
      'give specs, e.g. mlc env install ENV requests "numpy<2"'
    );
  }
  if (specs.length > 500) {
    throw new UserError('more than 500 specs', 'install them in parts');
  }
  return specs.map(raw => {
    if (raw.endsWith('.whl') && !raw.startsWith('-')) {
      const problem = userPathProblem(raw);
      if (problem) {
        throw new UserError(
          `invalid wheel path: ${problem}`,
          'give the path of a .whl file'
        );
      }
      return path.resolve(cwd, raw);
    }
    const spec = raw.replace(/\s+/g, '');
    if (spec.length > 300 || !SPEC_PATTERN.test(spec)) {
      throw new UserError(
        `invalid package spec '${elideText(raw, 100)}'`,
        'give a name with optional version clauses, e.g. requests or "numpy>=1.26,<2" or a path to a .whl'
      );
    }
    return spec;
  });
}

export async function installPackages(
  options: IInstallOptions,
  context: ICliContext
): Promise<IEnvInstallResult> {
  const started = performance.now();
  const specs = validateSpecs(options.specs, context.cwd);
  const target = changeTarget(options.prefix, context);
  const reporter = context.reporter;
  const env = pipEnvironment(context.env);
  const timeoutMs = installTimeoutMs(context);
  reporter.progress(`resolving ${specs.join(' ')}`, 'resolve');

  if (options.dryRun) {
    const preview = await Private.preview(target, specs, env, timeoutMs);
    const refused =
      preview.shadowed.length && !options.allowImageOverride
        ? imageRefusal(preview.shadowed)
        : null;
    return {
      prefix: target.envDir,
      installer: 'pip',
      dryRun: true,
      specs: options.specs,
      changes: preview.changes,
      shadowed: preview.shadowed,
      refused,
      revision: null,
      logFile: null,
      elapsedMs: elapsedSince(started)
    };
  }

  const begun = startChange(target, 'install', options.specs);
  const { revisions, before } = begun;
  const work = `${target.envDir}/${REVISIONS_DIR}`;
  const constraints = `${work}/.constraints-${process.pid}-${randomHex(4)}.txt`;
  const report = `${work}/.report-${process.pid}.json`;
  const args = ['install', ...PIP_QUIET_FLAGS, '--report', report];
  if (!options.allowImageOverride) {
    // Read once by pip and removed below: created exclusively (a fresh name), no fsync.
    writeNewFile(constraints, Private.constraintsText(target, before), 0o644, {
      durable: false
    });
    args.push('-c', constraints);
  }
  let run;
  try {
    run = await runPip(target.interpreter, [...args, '--', ...specs], {
      env,
      timeoutMs,
      onPhase: (phase, line) => reporter.progress(line, phase)
    });
  } finally {
    removeEntry(constraints);
  }
  const reported = Private.readReport(report);
  removeEntry(report);
  const logFile = keepLog(target, run.log);
  if (run.stopped || run.code !== 0) {
    if (run.stopped) {
      throw failedChange(
        target,
        before,
        revisions,
        `the install was stopped (${run.stopped})`,
        'try again'
      );
    }
    // A resolver failure under the constraints: find out which image package it was about.
    if (
      !options.allowImageOverride &&
      /ResolutionImpossible|conflict/i.test(run.log)
    ) {
      const preview = await Private.preview(
        target,
        specs,
        env,
        timeoutMs
      ).catch(() => null);
      if (preview?.shadowed.length) {
        const error = failedChange(
          target,
          before,
          revisions,
          imageRefusal(preview.shadowed),
          ''
        );
        throw new UserError(error.message, IMAGE_OVERRIDE_HINT, 1);
      }
    }
    throw failedChange(
      target,
      before,
      revisions,
      `pip could not install ${options.specs.join(' ')}: ${pipErrorLine(run.log)}`,
      logFile ? `the installer's output is in ${logFile}` : "see pip's output"
    );
  }
  reporter.progress('verifying the env', 'verify');
  const after = Private.withHashes(
    envPackages(target.envDir, target.record.python),
    reported
  );
  return finishedChange(target, begun, after, {
    installer: 'pip',
    specs: options.specs,
    shadowed: shadowsOf(target, after.pip),
    logFile,
    started
  });
}

export async function uninstallPackages(
  options: { prefix: string; names: string[]; dryRun: boolean },
  context: ICliContext
): Promise<IEnvInstallResult> {
  const started = performance.now();
  assertPackageNames(options.names, PACKAGE_NAME_PATTERN, {
    what: 'package name',
    none: 'give names, e.g. mlc env uninstall ENV requests',
    bad: 'give names as pip lists them, e.g. requests'
  });
  const target = changeTarget(options.prefix, context);
  const now = envPackages(target.envDir, target.record.python);
  assertOwnPackages(
    target,
    options.names,
    new Set(now.pip.map(pin => normalizeName(pin.name))),
    target.imagePip,
    name => `${name} is not installed in the env`
  );
  const keep = now.pip.filter(
    pin =>
      !options.names.some(
        name => normalizeName(name) === normalizeName(pin.name)
      )
  );
  const planned = packageChanges(now.pip, keep, 'pip');
  const base = {
    prefix: target.envDir,
    installer: 'pip' as const,
    specs: options.names,
    refused: null
  };
  if (options.dryRun) {
    return {
      ...base,
      dryRun: true,
      changes: planned,
      shadowed: shadowsOf(target, keep),
      revision: null,
      logFile: null,
      elapsedMs: elapsedSince(started)
    };
  }
  const begun = startChange(target, 'uninstall', options.names);
  context.reporter.progress(
    `uninstalling ${options.names.join(' ')}`,
    'install'
  );
  const run = await runPip(
    target.interpreter,
    [
      'uninstall',
      '-y',
      '--disable-pip-version-check',
      '--no-input',
      '--',
      ...options.names
    ],
    { env: pipEnvironment(context.env), timeoutMs: installTimeoutMs(context) }
  );
  const logFile = settleRun(
    target,
    begun,
    run,
    stopped =>
      `pip could not uninstall ${options.names.join(' ')}: ${stopped ?? pipErrorLine(run.log)}`,
    "see pip's output"
  );
  context.reporter.progress('verifying the env', 'verify');
  const after = envPackages(target.envDir, target.record.python);
  return finishedChange(target, begun, after, {
    installer: 'pip',
    specs: options.names,
    shadowed: shadowsOf(target, after.pip),
    logFile,
    started
  });
}

/** The env's pins that shadow an image package of another version. */
export function shadowsOf(
  target: IEnvTarget,
  pins: ReadonlyArray<{ name: string; version: string }>
): IImageShadow[] {
  const shadows: IImageShadow[] = [];
  for (const pin of pins) {
    const image = target.imagePip.get(normalizeName(pin.name));
    if (image && image.version !== pin.version) {
      shadows.push({
        name: pin.name,
        imageVersion: image.version,
        envVersion: pin.version
      });
    }
  }
  return shadows;
}

/** One entry of pip's installation report, validated. */
export interface IReportedInstall {
  name: string;
  version: string;
  hash?: string;
}

/** pip's `--report` JSON: the packages it installs (or would), names and versions validated. */
export function parsePipReport(text: string): IReportedInstall[] | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const install = (raw as { install?: unknown } | null)?.install;
  if (!Array.isArray(install) || install.length > MAX_ENV_PACKAGES) {
    return null;
  }
  const found: IReportedInstall[] = [];
  for (const item of install as unknown[]) {
    const entry = item as {
      metadata?: { name?: unknown; version?: unknown };
      download_info?: {
        archive_info?: { hashes?: { sha256?: unknown }; hash?: unknown };
      };
    } | null;
    const name = entry?.metadata?.name;
    const version = entry?.metadata?.version;
    if (
      typeof name !== 'string' ||
      typeof version !== 'string' ||
      !PACKAGE_NAME_PATTERN.test(name) ||
      !PACKAGE_VERSION_PATTERN.test(version)
    ) {
      return null;
    }
    const sha = entry?.download_info?.archive_info?.hashes?.sha256;
    const hash = typeof sha === 'string' ? `sha256:${sha}` : undefined;
    found.push({
      name,
      version,
      ...(hash && PIP_HASH_PATTERN.test(hash) ? { hash } : {})
    });
  }
  return found;
}

namespace Private {
  /** `name==version` of every image pip package the env does not already shadow. */
  export function constraintsText(
    target: IEnvTarget,
    before: IEnvPackages
  ): string {
    const own = new Set(before.pip.map(pin => normalizeName(pin.name)));
    return [...target.imagePip.entries()]
      .filter(
        ([key, pkg]) =>
          !own.has(key) && PACKAGE_VERSION_PATTERN.test(pkg.version)
      )
      .map(([key, pkg]) => `${key}==${pkg.version}\n`)
      .join('');
  }

  /** What `pip install --dry-run` says the specs would do, without the image's constraints. */
  export async function preview(
    target: IEnvTarget,
    specs: string[],
    env: NodeJS.ProcessEnv,
    timeoutMs: number
  ): Promise<{ changes: IPackageChange[]; shadowed: IImageShadow[] }> {
    const run = await runPip(
      target.interpreter,
      [
        'install',
        ...PIP_QUIET_FLAGS,
        '--dry-run',
        '--quiet',
        '--report',
        '-',
        '--',
        ...specs
      ],
      { env, timeoutMs }
    );
    if (run.stopped || run.code !== 0) {
      throw new UserError(
        `pip cannot resolve ${specs.join(' ')}: ${run.stopped ?? pipErrorLine(run.log)}`,
        'check the names and versions, and that the package index is reachable',
        1
      );
    }
    const reported = parsePipReport(run.stdout.slice(run.stdout.indexOf('{')));
    if (!reported) {
      throw new UserError(
        "pip's installation report could not be read",
        'upgrade pip in the image (pip >= 23 writes --report)',
        1
      );
    }
    const own = new Map(
      envPackages(target.envDir, target.record.python).pip.map(pin => [
        normalizeName(pin.name),
        pin
      ])
    );
    const changes: IPackageChange[] = reported.map(item => {
      const was = own.get(normalizeName(item.name));
      const from = was?.version ?? null;
      return {
        name: item.name,
        from,
        to: item.version,
        kind: changeKind(from, item.version),
        installer: 'pip'
      };
    });
    return { changes, shadowed: shadowsOf(target, reported) };
  }

  export function readReport(file: string): IReportedInstall[] {
    const read = readRegularFile(file, {
      maxBytes: 64 << 20,
      followLinks: false,
      strictUtf8: true
    });
    return read.ok ? (parsePipReport(read.text) ?? []) : [];
  }

  export function withHashes(
    packages: IEnvPackages,
    reported: IReportedInstall[]
  ): IEnvPackages {
    const hashes = new Map(
      reported
        .filter(item => item.hash)
        .map(item => [
          `${normalizeName(item.name)}==${item.version}`,
          item.hash as string
        ])
    );
    const pip: PipPin[] = packages.pip.map(pin => {
      const hash = hashes.get(`${normalizeName(pin.name)}==${pin.version}`);
      return hash ? { ...pin, hash } : pin;
    });
    return { ...packages, pip };
  }
}
