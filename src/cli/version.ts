/**
 * `mlc --version`: the one answer, from main's commander path and from the
 * entry's fast path (src/cli/index.ts), which answers a bare version request
 * without loading commander or any command.
 */
import { Reporter } from './output';

declare const MLC_VERSION: string;

/** The program's own flags that a bare version request may carry. */
const VERSION_REQUEST_FLAGS = new Set(['--json', '--version', '-V']);

export function mlcVersion(): string {
  return typeof MLC_VERSION === 'string' ? MLC_VERSION : '0.0.0-dev';
}

/** The version as a result (a `version` event in --json mode). */
export function reportVersion(reporter: Reporter): void {
  const text = `${mlcVersion()}\n`;
  reporter.result('version', { version: mlcVersion(), text }, text);
}

/**
 * Whether `args` only asks for the version: --version or -V, with --json
 * or not, nothing else (commander answers such a line the same way).
 */
export function isVersionRequest(args: readonly string[]): boolean {
  return (
    args.length > 0 &&
    args.every(arg => VERSION_REQUEST_FLAGS.has(arg)) &&
    args.some(arg => arg !== '--json')
  );
}

/** Answer a version request as main() would; resolves to the exit code. */
export function answerVersionRequest(args: readonly string[]): number {
  const reporter = new Reporter({ kind: 'human' });
  if (args.includes('--json')) {
    reporter.useJson();
  }
  reportVersion(reporter);
  if (reporter.machine) {
    reporter.emit({ type: 'end', exitCode: 0 });
  }
  return 0;
}
