/**
 * The Jupyter harness itself: what runInKernel and runWithJupyterClient
 * report, and that stopping a server leaves no kernel behind. Uses the
 * venv's own ipykernel spec (no image prefix needed).
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  IJupyterEnv,
  IJupyterServer,
  getJson,
  isolatedJupyterEnv,
  runInKernel,
  runWithJupyterClient,
  startJupyterServer,
  stopJupyterServer
} from '../harness/jupyter';
import { VENV, makeScratch } from '../harness/paths';
import { processesMentioning } from '../harness/processes';

jest.setTimeout(180000);

const CODE =
  'import sys\nprint("to stdout")\nprint("to stderr", file=sys.stderr)\n6 * 7\n';

const scratch = makeScratch('harness');
let env: IJupyterEnv;
let server: IJupyterServer;

beforeAll(async () => {
  jest.spyOn(console, 'debug').mockImplementation(() => undefined);
  env = isolatedJupyterEnv(scratch.dir, {
    jupyterPath: [],
    path: [path.join(VENV, 'bin'), '/usr/bin', '/bin']
  });
  // A kernel whose interpreter exits at once, as a wrong argv[0] would.
  const broken = path.join(env.JUPYTER_DATA_DIR, 'kernels', 'broken');
  fs.mkdirSync(broken, { recursive: true });
  fs.writeFileSync(
    path.join(broken, 'kernel.json'),
    JSON.stringify({
      argv: ['/bin/false', '{connection_file}'],
      display_name: 'Broken',
      language: 'python'
    })
  );
  server = await startJupyterServer({ env });
});

afterAll(async () => {
  if (server) {
    await stopJupyterServer(server);
  }
  scratch.cleanup();
});

describe('runInKernel', () => {
  it('reports stdout, stderr and the result apart, then shuts the kernel down', async () => {
    const run = await runInKernel(server, 'python3', CODE);
    expect(run).toEqual({
      stdout: 'to stdout\n',
      stderr: 'to stderr\n',
      result: '42',
      error: null
    });
    expect(await getJson(server, 'api/kernels')).toEqual([]);
  });

  it('reports an exception as the error', async () => {
    const run = await runInKernel(
      server,
      'python3',
      'raise ValueError("boom")'
    );
    expect(run.error).toMatchObject({ ename: 'ValueError', evalue: 'boom' });
  });

  it('fails, with the server log, on a kernel that cannot start', async () => {
    const run = runInKernel(server, 'broken', 'print(1)');
    await expect(run).rejects.toThrow(
      /kernel broken went (dead|restarting|autorestarting)/
    );
  });
});

describe('runWithJupyterClient', () => {
  it('runs code without a server and returns its output', async () => {
    const run = await runWithJupyterClient(env, 'python3', CODE);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('to stdout');
    expect(run.stderr).toContain('to stderr');
  });

  it('exits non-zero when the code raises', async () => {
    const run = await runWithJupyterClient(
      env,
      'python3',
      'raise ValueError("boom")'
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('ValueError');
  });
});

describe('stopJupyterServer', () => {
  it('leaves neither the server nor a kernel it was running', async () => {
    const own = isolatedJupyterEnv(path.join(scratch.dir, 'stop'), {
      jupyterPath: [],
      path: [path.join(VENV, 'bin'), '/usr/bin', '/bin']
    });
    const running = await startJupyterServer({ env: own });
    const response = await fetch(new URL('api/kernels', running.baseUrl), {
      method: 'POST',
      headers: { Authorization: `token ${running.token}` },
      body: JSON.stringify({ name: 'python3' })
    });
    expect(response.status).toBe(201);
    expect(processesMentioning(own.JUPYTER_RUNTIME_DIR)).toHaveLength(1);
    await stopJupyterServer(running);
    expect(
      running.process.exitCode ?? running.process.signalCode
    ).not.toBeNull();
    expect(processesMentioning(own.JUPYTER_RUNTIME_DIR)).toEqual([]);
  });
});
