/**
 * Kernel hygiene (docs/architecture.md, "Contracts"): whatever the host leaks into the
 * Jupyter server, the image's kernels run the image's interpreter, keep the
 * user site out of ML-Python3 (and its children), and send `!pip`/`!python`
 * to the image. Proven with a real jupyter_server, real ipykernel kernels and
 * jupyter_client, asserting only on what the kernels report about themselves.
 *
 * One server per host variant, several kernels per server.
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
import { IImageUnderTest, imageUnderTest } from '../harness/imageKernels';
import {
  IKernelFacts,
  PROBE_CODE,
  parseKernelFacts
} from '../harness/kernelProbe';
import {
  DECOY_OUTPUT,
  USER_SITE_MARKER,
  makeDecoyBin,
  plantUserKernel,
  plantUserSiteMarker,
  whichOnPath
} from '../harness/hostHazards';
import { runCommand } from '../harness/mlc';
import { VENV, makeScratch } from '../harness/paths';

const ISOLATED = 'python3';
const USERSITE = 'python3-usersite';

/** A host PATH without the image on it; Debian's own python3.X lives in /usr/bin. */
const SYSTEM_PATH = ['/usr/local/bin', '/usr/bin', '/bin'];

/** The interpreter of the old user-level `python3` kernel: the venv's, not the image's. */
const USER_KERNEL_PYTHON = path.join(VENV, 'bin', 'python3');

// Servers and kernels start in hooks; a first run also builds the prefix (see below).
jest.setTimeout(180000);

const scratch = makeScratch('hygiene');
let image: IImageUnderTest;

beforeAll(() => {
  // @jupyterlab/services logs every websocket it opens at debug level.
  jest.spyOn(console, 'debug').mockImplementation(() => undefined);
  // Builds the shared prefix if this machine has none yet (about a minute).
  image = imageUnderTest(scratch.dir);
}, 900000);

afterAll(() => scratch.cleanup());

describe('a server with a decoy python3.X first on its PATH', () => {
  const hub = useHub('decoy', () => ({
    path: [decoyBin(), ...SYSTEM_PATH]
  }));

  it('finds the decoy itself when it looks up python3.X (the hazard is real)', () => {
    const found = whichOnPath(`python${image.python}`, hub().env.PATH);
    expect(found).toBe(path.join(decoyBin(), `python${image.python}`));
    const run = runCommand(found as string, ['-c', 'print(1)']);
    expect({ code: run.code, stdout: run.stdout.trim() }).toEqual({
      code: 1,
      stdout: DECOY_OUTPUT
    });
  });

  it.each([ISOLATED, USERSITE])(
    'starts %s on the prefix interpreter',
    async kernel => {
      const facts = await hub().facts(kernel);
      expectImageInterpreter(facts);
    }
  );

  it('lists the image python3, not the user-level one, in /api/kernelspecs', async () => {
    const specs = (await getJson(
      hub().server,
      'api/kernelspecs'
    )) as IKernelSpecsModel;
    const python3 = specs.kernelspecs[ISOLATED].spec;
    expect(python3.display_name).toBe('ML-Python3');
    expect(python3.argv.slice(0, 2)).toEqual([
      '/usr/bin/env',
      `python${image.python}`
    ]);
    expect(python3.metadata.ml_containers.prefix).toBe(image.prefix);
    expect(specs.kernelspecs[USERSITE].spec.display_name).toBe(
      'ML-Python3-usersite'
    );
    // The user's spec is there to lose: it names its own interpreter.
    const userSpec = path.join(
      hub().env.JUPYTER_DATA_DIR,
      'kernels',
      ISOLATED,
      'kernel.json'
    );
    expect(JSON.parse(fs.readFileSync(userSpec, 'utf-8')).argv[0]).toBe(
      USER_KERNEL_PYTHON
    );
  });

  it('starts python3 on the image interpreter, not the user-level spec', async () => {
    const facts = await hub().facts(ISOLATED);
    expect(facts.executable).not.toBe(USER_KERNEL_PYTHON);
    expect(facts.prefix).toBe(image.prefix);
  });

  it('runs a kernel interpreter other than the server’s own Python', async () => {
    const serverPython = fs.realpathSync(
      `/proc/${hub().server.process.pid}/exe`
    );
    expect(serverPython.startsWith(image.prefix + path.sep)).toBe(false);
    for (const kernel of [ISOLATED, USERSITE]) {
      const facts = await hub().facts(kernel);
      expect(facts.realExecutable).not.toBe(serverPython);
      expect(facts.realExecutable.startsWith(image.prefix + path.sep)).toBe(
        true
      );
    }
  });

  it('keeps the user site out of ML-Python3 and of a python child it starts', async () => {
    const facts = await hub().facts(ISOLATED);
    expect(facts.marker).toBeNull();
    expect(
      facts.path.some(entry =>
        entry.startsWith(path.join(hub().env.HOME, '.local'))
      )
    ).toBe(false);
    // The child must fail on the import (not on a decoy `python`).
    expect(facts.childMarker.code).not.toBe(0);
    expect(facts.childMarker.stderr).toContain(
      `No module named '${USER_SITE_MARKER}'`
    );
  });

  it('imports from the user site in ML-Python3-usersite and its children', async () => {
    const facts = await hub().facts(USERSITE);
    expect(facts.marker).toBe(hub().marker);
    expect(facts.childMarker).toMatchObject({ code: 0, stdout: hub().marker });
  });

  it.each([ISOLATED, USERSITE])(
    'resolves !pip and !python to the prefix in %s',
    async kernel => {
      const facts = await hub().facts(kernel);
      const bin = path.join(image.prefix, 'bin');
      expect(facts.which).toEqual({
        python: path.join(bin, 'python'),
        python3: path.join(bin, 'python3'),
        pip: path.join(bin, 'pip')
      });
      expect(facts.bangPythonPrefix).toEqual([image.prefix]);
    }
  );
});

describe('a server whose PYTHONHOME is right for it and wrong for the image', () => {
  let serverHome = '';
  const hub = useHub('pythonhome', () => {
    serverHome = runCommand(USER_KERNEL_PYTHON, [
      '-I',
      '-c',
      'import sys; print(sys.base_prefix)'
    ]).stdout.trim();
    return { path: SYSTEM_PATH, extra: { PYTHONHOME: serverHome } };
  });

  it('would move the image interpreter elsewhere if it leaked (the hazard is real)', () => {
    const interpreter = path.join(image.prefix, 'bin', `python${image.python}`);
    const probe = runCommand(
      interpreter,
      ['-c', 'import sys; print(sys.prefix)'],
      { env: { PYTHONHOME: serverHome } }
    );
    expect(probe.stdout.trim()).toBe(serverHome);
    expect(serverHome).not.toBe(image.prefix);
  });

  it.each([ISOLATED, USERSITE])(
    'starts %s with sys.prefix the image prefix',
    async kernel => {
      const facts = await hub().facts(kernel);
      expectImageInterpreter(facts);
      expect(facts.basePrefix).toBe(image.prefix);
      expect(
        facts.path.some(entry => entry.startsWith(serverHome + path.sep))
      ).toBe(false);
    }
  );
});

describe('jupyter_client without a server (jupyter run), decoy python3.X first on PATH', () => {
  let env: IJupyterEnv;
  let marker = '';
  beforeAll(() => {
    env = hubEnv('client', { path: [decoyBin(), ...SYSTEM_PATH] });
    marker = plantUserSiteMarker(env.HOME, image.python);
  });

  it('starts python3 on the prefix interpreter without the user site', async () => {
    const facts = await clientFacts(env, ISOLATED);
    expectImageInterpreter(facts);
    expect(facts.marker).toBeNull();
    expect(facts.childMarker.stderr).toContain(
      `No module named '${USER_SITE_MARKER}'`
    );
    expect(facts.bangPythonPrefix).toEqual([image.prefix]);
  });

  it('starts python3-usersite on the prefix interpreter with the user site', async () => {
    const facts = await clientFacts(env, USERSITE);
    expectImageInterpreter(facts);
    expect(facts.marker).toBe(marker);
    expect(facts.childMarker).toMatchObject({ code: 0, stdout: marker });
  });
});

/** The part of /api/kernelspecs these tests read. */
interface IKernelSpecsModel {
  kernelspecs: Record<
    string,
    {
      spec: {
        argv: string[];
        display_name: string;
        metadata: { ml_containers: { prefix: string } };
      };
    }
  >;
}

/** A running server in one host variant, with memoised kernel probes. */
interface IHub {
  env: IJupyterEnv;
  server: IJupyterServer;
  /** The user-site marker file planted in the server's HOME. */
  marker: string;
  /** The facts kernel `name` reports (one kernel per name per server). */
  facts: (name: string) => Promise<IKernelFacts>;
}

/**
 * A server for the tests of one `describe`: started in beforeAll in an
 * isolated env (user-site marker and a user-level python3 spec planted, as
 * on a hub user's account), stopped in afterAll.
 */
function useHub(
  label: string,
  variant: () => { path: string[]; extra?: Record<string, string> }
): () => IHub {
  let hub: IHub | null = null;
  beforeAll(async () => {
    const options = variant();
    const env = hubEnv(label, options);
    const marker = plantUserSiteMarker(env.HOME, image.python);
    plantUserKernel(env.JUPYTER_DATA_DIR, ISOLATED, USER_KERNEL_PYTHON);
    const server = await startJupyterServer({ env });
    const probes = new Map<string, Promise<IKernelFacts>>();
    const facts = (name: string): Promise<IKernelFacts> => {
      if (!probes.has(name)) {
        probes.set(name, Private.serverFacts(server, name));
      }
      return probes.get(name) as Promise<IKernelFacts>;
    };
    hub = { env, server, marker, facts };
  });
  afterAll(async () => {
    if (hub) {
      await stopJupyterServer(hub.server);
    }
  });
  return () => {
    if (!hub) {
      throw new Error(`the ${label} server did not start`);
    }
    return hub;
  };
}

/** An isolated Jupyter env whose JUPYTER_PATH holds only the image's specs. */
function hubEnv(
  label: string,
  options: { path: string[]; extra?: Record<string, string> }
): IJupyterEnv {
  return isolatedJupyterEnv(path.join(scratch.dir, label), {
    jupyterPath: [image.jupyterDir],
    path: options.path,
    extra: options.extra
  });
}

/** The decoy directory (made once): python, python3, python3.X and pip that print DECOY. */
function decoyBin(): string {
  const dir = path.join(scratch.dir, 'decoy-bin');
  if (!fs.existsSync(dir)) {
    makeDecoyBin(dir, [
      'python',
      'python3',
      `python${image.python}`,
      'pip',
      'pip3'
    ]);
  }
  return dir;
}

async function clientFacts(
  env: IJupyterEnv,
  kernel: string
): Promise<IKernelFacts> {
  const run = await runWithJupyterClient(env, kernel, PROBE_CODE);
  if (run.code !== 0) {
    throw new Error(
      `jupyter run --kernel ${kernel} exited ${run.code}:\n${run.stderr}`
    );
  }
  return parseKernelFacts(run.stdout, run.stderr);
}

/** The kernel runs the prefix's own interpreter, and Python agrees it is in the prefix. */
function expectImageInterpreter(facts: IKernelFacts): void {
  expect(facts.executable).toBe(
    path.join(image.prefix, 'bin', `python${image.python}`)
  );
  expect(facts.realExecutable.startsWith(image.prefix + path.sep)).toBe(true);
  expect(facts.prefix).toBe(image.prefix);
}

namespace Private {
  export async function serverFacts(
    server: IJupyterServer,
    kernel: string
  ): Promise<IKernelFacts> {
    const run = await runInKernel(server, kernel, PROBE_CODE);
    if (run.error) {
      throw new Error(
        `kernel ${kernel} raised ${run.error.ename}: ${run.error.evalue}\n${run.stderr}`
      );
    }
    return parseKernelFacts(run.stdout, run.stderr);
  }
}
