/**
 * A JupyterLab (or single-user server) that a test started somewhere it
 * cannot hold as a child process (a Slurm job, a container), reached over
 * HTTP with its token; and the checks every facility shape makes on it.
 */
import { runInKernel, type IKernelRun } from '../../harness/kernelClient';
import type { IJupyterServer } from '../../harness/jupyter';
import { waitFor } from './ports';

export interface IRemoteLab {
  /** `http://127.0.0.1:PORT/` (with the base URL, if any). */
  baseUrl: string;
  token: string;
  /** What the server printed so far (its job output or container log). */
  log: () => string;
}

/** GET a path below the server's base URL with its token; JSON or text. */
export async function getFromLab(
  lab: IRemoteLab,
  apiPath: string
): Promise<{ status: number; text: string }> {
  const response = await fetch(new URL(apiPath, lab.baseUrl), {
    headers: { Authorization: `token ${lab.token}` },
    signal: AbortSignal.timeout(30000)
  });
  return { status: response.status, text: await response.text() };
}

/**
 * Wait (bounded) until the server answers /api/status; `alive` says whether
 * whatever runs it (job, container) is still there, so a dead one fails fast.
 */
export async function waitForLab(
  lab: IRemoteLab,
  alive: () => boolean,
  limitMs = 180000
): Promise<void> {
  await waitFor(
    `JupyterLab at ${lab.baseUrl} to answer`,
    async () => {
      if (!alive()) {
        throw new Error(
          `the server's job or container ended; its log:\n${Private.tail(lab.log())}`
        );
      }
      const status = await getFromLab(lab, 'api/status').catch(() => null);
      return status?.status === 200 ? true : null;
    },
    limitMs
  ).catch(error => {
    throw new Error(
      `${(error as Error).message}\nlog:\n${Private.tail(lab.log())}`
    );
  });
}

/** The server's kernel specs: name to display name. */
export async function kernelDisplayNames(
  lab: IRemoteLab
): Promise<Record<string, string>> {
  const answer = await getFromLab(lab, 'api/kernelspecs');
  if (answer.status !== 200) {
    throw new Error(`GET api/kernelspecs: HTTP ${answer.status}`);
  }
  const specs = JSON.parse(answer.text).kernelspecs as Record<
    string,
    { spec: { display_name: string } }
  >;
  return Object.fromEntries(
    Object.entries(specs).map(([name, spec]) => [name, spec.spec.display_name])
  );
}

/** The federated extensions JupyterLab's /lab page will load. */
export async function labExtensionsListed(lab: IRemoteLab): Promise<string[]> {
  const page = await getFromLab(lab, 'lab');
  const match =
    /<script id="jupyter-config-data" type="application\/json">([\s\S]*?)<\/script>/.exec(
      page.text
    );
  if (page.status !== 200 || !match) {
    throw new Error(`GET lab: HTTP ${page.status}, no page config`);
  }
  const config = JSON.parse(match[1]) as {
    federated_extensions?: { name: string }[];
  };
  return (config.federated_extensions ?? []).map(extension => extension.name);
}

/** Run code in a kernel of the remote server (REST API + kernel websocket). */
export function runOnLab(
  lab: IRemoteLab,
  kernelName: string,
  code: string
): Promise<IKernelRun> {
  // runInKernel reads only baseUrl, token and log of a server.
  const server = {
    baseUrl: lab.baseUrl,
    token: lab.token,
    log: lab.log
  } as unknown as IJupyterServer;
  return runInKernel(server, kernelName, code);
}

/** A line the probe code prints: `sys.executable`, `sys.prefix` and whether ~/.local is on sys.path. */
export const PROBE_CODE = [
  'import sys, site',
  'print("EXE=" + sys.executable)',
  'print("PREFIX=" + sys.prefix)',
  'print("USERSITE=" + str(any(p.startswith(site.getuserbase()) for p in sys.path)))'
].join('\n');

/** The values PROBE_CODE printed. */
export function probeValues(run: IKernelRun): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of run.stdout.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) {
      values[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return values;
}

namespace Private {
  export function tail(text: string): string {
    return text.split('\n').slice(-40).join('\n');
  }
}
