/**
 * `mlc env create` for real: run as an unprivileged user against a
 * root-owned base it cannot write, then real installs into the env (pip,
 * a pip upgrade of a package the base has, a conda-format install by
 * py-rattler) and a real kernel. The base's checksum is compared after
 * every test.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  ENV_RECORD_FILE,
  parseEnvRecord,
  type IEnvCreateResult
} from '../../src/core/envRecord';
import { runWithJupyterClient, isolatedJupyterEnv } from './harness/jupyter';
import { REPO } from './harness/paths';
import { runCommand } from './harness/mlc';
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
} from './harness/unprivileged-base';

const RATTLER_PYTHON = path.join(
  REPO,
  'build',
  'rattler-venv',
  'bin',
  'python'
);

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
      ['-c', Private.RATTLER_SCRIPT, env, work, python],
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

namespace Private {
  /**
   * Build a one-file conda package (bin/mlc-condaprobe, noarch, depends on
   * python) into a local file:// channel, then solve and install it into the
   * env with the env's conda-meta as the installed packages, as conda does.
   */
  export const RATTLER_SCRIPT = String.raw`
import asyncio, glob, hashlib, io, json, os, sys, tarfile, time
from rattler import PrefixRecord, install, solve

prefix, work, pyver = sys.argv[1:4]
channel = os.path.join(work, "channel")
name, version, build = "mlc-condaprobe", "1.0", "0"
fn = f"{name}-{version}-{build}.tar.bz2"
body = b"#!/bin/sh\necho condaprobe ok\n"
index = {"name": name, "version": version, "build": build, "build_number": 0, "depends": [f"python >={pyver}"],
         "subdir": "noarch", "noarch": "generic", "license": "BSD-3-Clause", "timestamp": 1700000000000}
paths = {"paths": [{"_path": "bin/mlc-condaprobe", "path_type": "hardlink",
                    "sha256": hashlib.sha256(body).hexdigest(), "size_in_bytes": len(body)}], "paths_version": 1}
for subdir in ("noarch", "linux-64"):
    os.makedirs(os.path.join(channel, subdir), exist_ok=True)
archive = os.path.join(channel, "noarch", fn)
with tarfile.open(archive, "w:bz2") as tar:
    for member, data, mode in (("info/index.json", json.dumps(index).encode(), 0o644),
                               ("info/paths.json", json.dumps(paths).encode(), 0o644),
                               ("bin/mlc-condaprobe", body, 0o755)):
        info = tarfile.TarInfo(member)
        info.size, info.mode, info.mtime = len(data), mode, int(time.time())
        tar.addfile(info, io.BytesIO(data))
data = open(archive, "rb").read()
entry = dict(index, md5=hashlib.md5(data).hexdigest(), sha256=hashlib.sha256(data).hexdigest(), size=len(data))
for subdir, packages in (("noarch", {fn: entry}), ("linux-64", {})):
    with open(os.path.join(channel, subdir, "repodata.json"), "w") as f:
        json.dump({"info": {"subdir": subdir}, "packages": packages, "packages.conda": {}, "repodata_version": 1}, f)

async def main():
    installed = [PrefixRecord.from_path(p) for p in sorted(glob.glob(os.path.join(prefix, "conda-meta", "*.json")))]
    solved = await solve(sources=["file://" + channel], specs=[name], locked_packages=installed,
                         platforms=["linux-64", "noarch"], virtual_packages=[])
    # As conda does, packages the request does not touch stay installed.
    names = {r.name.normalized for r in solved}
    desired = solved + [r for r in installed if r.name.normalized not in names]
    await install(desired, target_prefix=prefix, cache_dir=os.path.join(work, "cache"),
                  installed_packages=installed, show_progress=False)
    print(json.dumps({"solved": sorted(r.name.normalized for r in solved)}))

asyncio.run(main())
# py-rattler's calls run on a Tokio runtime (pyo3-async-runtimes) whose worker
# threads can still touch the interpreter while it finalizes: now and then the
# process then dies by SIGSEGV/SIGABRT after all its work, with no traceback
# (issue 8 item 12). Everything is written: leave without finalizing.
sys.stdout.flush()
sys.stderr.flush()
os._exit(0)
`;
}
