/**
 * What a kernel reports about itself, gathered by one piece of Python run in
 * the kernel: interpreter, prefix, sys.path, the user-site marker (in the
 * kernel and in a `python` child), and where `!pip`/`!python` lead.
 */
import { USER_SITE_MARKER } from './hostHazards';

export interface IKernelFacts {
  executable: string;
  /** sys.executable with symlinks resolved. */
  realExecutable: string;
  prefix: string;
  basePrefix: string;
  path: string[];
  /** `__file__` of the marker if the kernel could import it, else null. */
  marker: string | null;
  /** `python -c "import mlc_marker"` started from the kernel with subprocess. */
  childMarker: { code: number; stdout: string; stderr: string };
  /** shutil.which() in the kernel's environment. */
  which: { python: string | null; python3: string | null; pip: string | null };
  /** Output lines of `!python -c "import sys;print(sys.prefix)"`. */
  bangPythonPrefix: string[];
}

const TAG = 'MLC-KERNEL-FACTS ';

/** The Python that prints the facts as one tagged JSON line. */
export const PROBE_CODE = `
import json, os, shutil, subprocess, sys
try:
    import ${USER_SITE_MARKER}
    marker = ${USER_SITE_MARKER}.__file__
except ImportError:
    marker = None
child = subprocess.run(['python', '-c', 'import ${USER_SITE_MARKER}; print(${USER_SITE_MARKER}.__file__)'],
                       capture_output=True, text=True)
print(${JSON.stringify(TAG)} + json.dumps({
    'executable': sys.executable,
    'realExecutable': os.path.realpath(sys.executable),
    'prefix': sys.prefix,
    'basePrefix': sys.base_prefix,
    'path': sys.path,
    'marker': marker,
    'childMarker': {'code': child.returncode, 'stdout': child.stdout.strip(), 'stderr': child.stderr},
    'which': {name: shutil.which(name) for name in ('python', 'python3', 'pip')},
    'bangPythonPrefix': list(get_ipython().getoutput('python -c "import sys;print(sys.prefix)"')),
}))
`;

/** The facts from a probe's stdout; throws with the output when there are none. */
export function parseKernelFacts(stdout: string, stderr = ''): IKernelFacts {
  const line = stdout.split('\n').find(text => text.startsWith(TAG));
  if (!line) {
    throw new Error(
      `the kernel printed no facts.\nstdout:\n${stdout}\nstderr:\n${stderr}`
    );
  }
  return JSON.parse(line.slice(TAG.length)) as IKernelFacts;
}
