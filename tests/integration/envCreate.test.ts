/**
 * `mlc env create` for real: run as an unprivileged user against a
 * root-owned base it cannot write, then real installs into the env (pip,
 * a pip upgrade of a package the base has, a conda-format install by
 * py-rattler) and a real kernel. The base's checksum is compared after
 * every test.
 */
import * as fs from 'fs';
import {
  ENV_RECORD_FILE,
  parseEnvRecord,
  type IEnvCreateResult
} from '../../src/core/envRecord';
import { runWithJupyterClient, isolatedJupyterEnv } from '../harness/jupyter';
import { runCommand } from '../harness/mlc';
import {
  buildWheel,
  copyBase,
  linksToDirectories,
  mlcAsUser,
  resultData,
  runAsUser,
  treeChecksum,
  useEnvFixture,
  userDir,
  type IUserPlaces
} from '../harness/unprivilegedBase';
import { condaInstallerArgs, RATTLER_PYTHON } from '../harness/condaInstaller';

const fixture = useEnvFixture('env-create');
let base: string;
let python: string;
let places: IUserPlaces;
let envs: string;
let wheels: string;
/** A copy of the base with `mlcprobe` 1.0 pip-installed (root-owned). */
let probeBase: string;
let probeBaseSum: string;

beforeAll(() => {
  ({ base, python, places } = fixture);
  envs = userDir(`${fixture.scratch}/envs`);
  wheels = `${fixture.scratch}/wheels`;
  buildWheel(wheels, 'mlcprobe', '1.0');
  buildWheel(wheels, 'mlcprobe', '2.0');
  buildWheel(wheels, 'mlcfresh', '0.1');
  fs.chmodSync(wheels, 0o755);
  probeBase = copyBase(base, `${fixture.scratch}/probe-base`);
  const installed = runCommand(`${probeBase}/bin/python${python}`, [
    '-m',
    'pip',
    'install',
    '--no-index',
    '--find-links',
    wheels,
    '--root-user-action=ignore',
    'mlcprobe==1.0'
  ]);
  expect(installed.stderr).not.toMatch(/ERROR/);
  probeBaseSum = treeChecksum(probeBase);
});

afterEach(() => {
  // The copy with mlcprobe is a base too: never written either.
  expect(treeChecksum(probeBase)).toBe(probeBaseSum);
});

/** Create an env as the test user; returns the result event. */
function create(
  name: string,
  args: string[] = [],
  onBase = base
): IEnvCreateResult {
  const run = mlcAsUser(
    ['env', 'create', `${envs}/${name}`, '--base', onBase, '--json', ...args],
    places
  );
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return resultData<IEnvCreateResult>(run);
}

function envPython(prefix: string, code: string): string {
  const run = runAsUser(`${prefix}/bin/python`, ['-c', code], places);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return run.stdout.trim();
}

describe('mlc env create', () => {
  it('lays out a venv over the base with mirrored links, a record and a kernel', () => {
    const result = create('layout');
    const env = `${envs}/layout`;
    expect(result).toMatchObject({
      name: 'layout',
      prefix: env,
      basePrefix: base,
      python,
      mode: 'host',
      problems: []
    });
    expect(result.activateScript).toBe(`${env}/setupMe-on-host.sh`);
    expect(typeof result.elapsedMs).toBe('number');
    expect(result.mirrored.links).toBeGreaterThan(10);

    expect(fs.readFileSync(`${env}/pyvenv.cfg`, 'utf-8')).toMatch(
      new RegExp(
        `^home = ${base}/bin\ninclude-system-site-packages = true\nversion = ${python.replace('.', '\\.')}\\.\\d+\n$`
      )
    );
    expect(fs.readlinkSync(`${env}/baseEnv_dir`)).toBe(base);
    expect(fs.realpathSync(`${env}/bin/python${python}`)).toBe(
      fs.realpathSync(`${base}/bin/python${python}`)
    );
    expect(fs.readlinkSync(`${env}/bin/python3`)).toBe(`python${python}`);
    const site = `${env}/lib/python${python}/site-packages`;
    expect(fs.lstatSync(site).isDirectory()).toBe(true);
    expect(fs.readdirSync(site)).toEqual([]);
    // Real directories holding links to files; the only link to a directory is baseEnv_dir.
    expect(linksToDirectories(env)).toEqual(['baseEnv_dir']);
    expect(fs.lstatSync(`${env}/bin`).isDirectory()).toBe(true);
    expect(fs.readlinkSync(`${env}/bin/jupyter`)).toBe(
      '../baseEnv_dir/bin/jupyter'
    );
    // Headers and data stay in the base, as in the seed's envs.
    expect(fs.existsSync(`${env}/include`)).toBe(false);
    expect(fs.existsSync(`${env}/share`)).toBe(false);
    // The base's package records, as real files (rattler skips symlinked ones).
    const records = fs
      .readdirSync(`${base}/conda-meta`)
      .filter(file => file.endsWith('.json'));
    for (const file of records) {
      expect(fs.lstatSync(`${env}/conda-meta/${file}`).isFile()).toBe(true);
      expect(fs.readFileSync(`${env}/conda-meta/${file}`, 'utf-8')).toBe(
        fs.readFileSync(`${base}/conda-meta/${file}`, 'utf-8')
      );
    }
    expect(result.mirrored.records).toBe(records.length);
    expect(fs.lstatSync(`${env}/conda-meta/history`).isFile()).toBe(true);

    const record = parseEnvRecord(
      fs.readFileSync(`${env}/${ENV_RECORD_FILE}`, 'utf-8')
    );
    expect(record.ok && record.value).toMatchObject({
      prefix: env,
      basePrefix: base,
      kernelName: result.kernelName
    });
    const kernel = JSON.parse(
      fs.readFileSync(
        `${places.data}/kernels/${result.kernelName}/kernel.json`,
        'utf-8'
      )
    );
    expect(kernel.argv.slice(0, 2)).toEqual([
      `${env}/bin/python${python}`,
      '-s'
    ]);
    expect(kernel.metadata.ml_containers).toMatchObject({
      role: 'extended-env',
      envPrefix: env,
      envName: 'layout'
    });
    // Everything made belongs to the user who ran mlc.
    expect(fs.statSync(env).uid).toBe(fs.statSync(envs).uid);
  });

  it('says in human output how to re-enter the env, and --no-kernel registers none', () => {
    const run = mlcAsUser(
      ['env', 'create', `${envs}/human`, '--base', base, '--no-kernel'],
      places
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`source '${envs}/human/setupMe-on-host.sh'`);
    expect(
      fs.existsSync(`${places.data}/kernels`)
        ? fs
            .readdirSync(`${places.data}/kernels`)
            .filter(k => k.includes('human'))
        : []
    ).toEqual([]);
  });

  it("runs the base's packages with the env as sys.prefix", () => {
    create('imports', ['--no-kernel']);
    const env = `${envs}/imports`;
    const facts = JSON.parse(
      envPython(
        env,
        'import json, sys, ipykernel; print(json.dumps([sys.prefix, sys.base_prefix, ipykernel.__file__]))'
      )
    ) as string[];
    expect(facts[0]).toBe(env);
    expect(facts[1]).toBe(base);
    expect(
      facts[2].startsWith(`${base}/lib/python${python}/site-packages/`)
    ).toBe(true);
  });

  it("pip installs into the env, with python -m pip and with the env's pip", () => {
    create('pip', ['--no-kernel']);
    const env = `${envs}/pip`;
    const viaModule = runAsUser(
      `${env}/bin/python`,
      [
        '-m',
        'pip',
        'install',
        '--no-index',
        '--find-links',
        wheels,
        'mlcfresh'
      ],
      places
    );
    expect(viaModule.code).toBe(0);
    expect(envPython(env, 'import mlcfresh; print(mlcfresh.__file__)')).toBe(
      `${env}/lib/python${python}/site-packages/mlcfresh.py`
    );
    const viaScript = runAsUser(
      `${env}/bin/pip`,
      ['uninstall', '-y', 'mlcfresh'],
      places
    );
    expect(viaScript.code).toBe(0);
    expect(
      fs.existsSync(`${env}/lib/python${python}/site-packages/mlcfresh.py`)
    ).toBe(false);
    const again = runAsUser(
      `${env}/bin/pip`,
      ['install', '--no-index', '--find-links', wheels, 'mlcfresh'],
      places
    );
    expect(again.code).toBe(0);
    expect(
      fs.existsSync(`${env}/lib/python${python}/site-packages/mlcfresh.py`)
    ).toBe(true);
  });

  it("upgrades a package the base has: the env's copy wins, the base's stays", () => {
    create('upgrade', ['--no-kernel'], probeBase);
    const env = `${envs}/upgrade`;
    expect(envPython(env, 'import mlcprobe; print(mlcprobe.__version__)')).toBe(
      '1.0'
    );
    const run = runAsUser(
      `${env}/bin/python`,
      [
        '-m',
        'pip',
        'install',
        '--no-index',
        '--find-links',
        wheels,
        'mlcprobe==2.0'
      ],
      places
    );
    expect(run.code).toBe(0);
    expect(
      envPython(
        env,
        'import mlcprobe; print(mlcprobe.__version__, mlcprobe.__file__)'
      )
    ).toBe(`2.0 ${env}/lib/python${python}/site-packages/mlcprobe.py`);
    // The base's interpreter still sees its own 1.0.
    const fromBase = runCommand(`${probeBase}/bin/python${python}`, [
      '-c',
      'import mlcprobe; print(mlcprobe.__version__)'
    ]);
    expect(fromBase.stdout.trim()).toBe('1.0');
  });

  it('takes a conda package from a real conda installer (py-rattler), which sees the base as installed', () => {
    create('conda', ['--no-kernel']);
    const env = `${envs}/conda`;
    const work = userDir(`${fixture.scratch}/rattler`);
    const run = runAsUser(
      RATTLER_PYTHON,
      condaInstallerArgs({
        prefix: env,
        workDir: work,
        python,
        action: 'install',
        name: 'mlc-condaprobe',
        version: '1.0',
        message: 'condaprobe ok'
      }),
      places,
      { timeoutMs: 300000 }
    );
    // On failure, show how the installer ended (a signal, e.g. SIGSEGV) and all it said.
    expect({ code: run.code, signal: run.signal, stderr: run.stderr }).toEqual({
      code: 0,
      signal: null,
      stderr: expect.not.stringMatching(/Traceback|panicked/)
    });
    const report = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as {
      solved: string[];
    };
    // python came from the env's conda-meta (the base's records), not from the channel.
    expect(report.solved).toEqual(
      expect.arrayContaining(['mlc-condaprobe', 'python'])
    );
    expect(fs.lstatSync(`${env}/bin/mlc-condaprobe`).isFile()).toBe(true);
    expect(fs.existsSync(`${base}/bin/mlc-condaprobe`)).toBe(false);
    const recordFile = fs
      .readdirSync(`${env}/conda-meta`)
      .find(file => file.startsWith('mlc-condaprobe-1.0-'));
    expect(
      recordFile && fs.lstatSync(`${env}/conda-meta/${recordFile}`).isFile()
    ).toBe(true);
    // python stayed as it was: the env's record is still the base's.
    const pythonRecord = fs
      .readdirSync(`${base}/conda-meta`)
      .find(file => file.startsWith('python-')) as string;
    expect(fs.readFileSync(`${env}/conda-meta/${pythonRecord}`, 'utf-8')).toBe(
      fs.readFileSync(`${base}/conda-meta/${pythonRecord}`, 'utf-8')
    );
    expect(
      runAsUser(`${env}/bin/mlc-condaprobe`, [], places).stdout.trim()
    ).toBe('condaprobe ok');
  });

  it('registers a kernel that a real jupyter_client starts on the env', async () => {
    const result = create('kernel', ['--display-name', 'Kernel probe']);
    const env = `${envs}/kernel`;
    const jupyter = isolatedJupyterEnv(`${fixture.scratch}/jupyter-root`, {
      jupyterPath: [],
      path: ['/usr/bin', '/bin']
    });
    // The kernel as the user registered it, run by a Jupyter of our own.
    fs.cpSync(`${places.data}/kernels`, `${jupyter.JUPYTER_DATA_DIR}/kernels`, {
      recursive: true
    });
    const run = await runWithJupyterClient(
      jupyter,
      result.kernelName as string,
      'import sys, ipykernel\nprint("PREFIX", sys.prefix, sys.flags.no_user_site)\n'
    );
    expect(run.stdout).toContain(`PREFIX ${env} 1`);
  });
});
