/**
 * Swap two directories in one step: renameat2(2) with RENAME_EXCHANGE, so
 * that at every moment each path holds a whole tree (a kill before the call
 * leaves both as they were, after it both swapped). Node has no binding for
 * it; the image's own interpreter makes the one call through ctypes. A file
 * system without the flag (some network ones) is reported, never emulated
 * by two renames, which would leave a moment with no tree at all.
 */
import { runBounded } from '../image/boundedRun';

export type ExchangeResult =
  { ok: true } | { ok: false; unsupported: boolean; reason: string };

const EXCHANGE_SCRIPT = [
  'import ctypes, errno, os, sys',
  'libc = ctypes.CDLL(None, use_errno=True)',
  'call = getattr(libc, "renameat2", None)',
  'if call is None:',
  '    print("ENOSYS"); sys.exit(3)',
  'call.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]',
  // AT_FDCWD is -100, RENAME_EXCHANGE is 2 (linux/fs.h).
  'if call(-100, os.fsencode(sys.argv[1]), -100, os.fsencode(sys.argv[2]), 2) != 0:',
  '    code = ctypes.get_errno(); print(errno.errorcode.get(code, str(code))); sys.exit(3)'
].join('\n');

const UNSUPPORTED = new Set(['EINVAL', 'ENOSYS', 'EOPNOTSUPP', 'ENOTSUP']);

/** Exchange the absolute paths `a` and `b` with `python` (a Python 3 interpreter). */
export async function exchangeDirectories(
  python: string,
  a: string,
  b: string
): Promise<ExchangeResult> {
  if (!a.startsWith('/') || !b.startsWith('/')) {
    return {
      ok: false,
      unsupported: false,
      reason: 'the paths must be absolute'
    };
  }
  const run = await runBounded(
    python,
    ['-I', '-S', '-c', EXCHANGE_SCRIPT, a, b],
    {
      timeoutMs: 60000,
      maxOutputBytes: 1 << 16
    }
  );
  if (run.kind !== 'exited') {
    return {
      ok: false,
      unsupported: false,
      reason: `the interpreter ${run.kind}`
    };
  }
  if (run.code === 0) {
    return { ok: true };
  }
  const code = run.stdout.trim().split('\n')[0] ?? '';
  if (/^E[A-Z]{1,20}$/.test(code)) {
    return { ok: false, unsupported: UNSUPPORTED.has(code), reason: code };
  }
  return {
    ok: false,
    unsupported: false,
    reason: (run.stderr.trim().split('\n').pop() ?? 'failed').slice(0, 300)
  };
}
