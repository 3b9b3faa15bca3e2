/**
 * Issue 7, the env engine's classes: never delete or write what is not ours
 * (docs/architecture.md). Each test builds the situation a careless user or an
 * attacker makes, runs the real `mlc` as the unprivileged test user, and
 * checks that the user's precious files (a checksummed sentinel tree) are
 * whole and that the answer is one clear line or a correct result.
 */
import * as fs from 'fs';
import type {
  IEnvCheckResult,
  IEnvCreateResult,
  IEnvListResult,
  IEnvRemoveResult
} from '../../src/core/envRecord';
import { MLC_BUNDLE } from '../harness/paths';
import {
  copyBase,
  mlcAsUser,
  resultData,
  runAsUser,
  treeChecksum,
  useEnvFixture,
  userDir,
  type IUserPlaces
} from '../harness/unprivilegedBase';
import { runMlc, type IRunResult } from '../harness/mlc';
import { testUser } from '../harness/user';

const fixture = useEnvFixture('env-invariants');
let base: string;
let places: IUserPlaces;
let envs: string;
let counter = 0;

beforeAll(() => {
  ({ base, places } = fixture);
  envs = userDir(`${fixture.scratch}/envs`);
});

/** A fresh env of the test user, with its kernel. */
function createEnv(name: string, extra: string[] = []): IEnvCreateResult {
  const run = mlcAsUser(
    ['env', 'create', `${envs}/${name}`, '--base', base, '--json', ...extra],
    places
  );
  expect(run.stderr).toBe('');
  return resultData<IEnvCreateResult>(run);
}

/** A user-owned tree of precious files; returns its path and a way to prove it whole. */
function precious(label: string): { dir: string; whole: () => void } {
  const dir = userDir(`${fixture.scratch}/precious-${label}-${++counter}`);
  fs.mkdirSync(`${dir}/project/sub`, { recursive: true });
  fs.writeFileSync(`${dir}/project/notes.txt`, 'thesis draft\n');
  fs.writeFileSync(`${dir}/project/sub/data.csv`, '1,2,3\n');
  fs.writeFileSync(
    `${dir}/kernel.json`,
    '{"argv": ["x"], "display_name": "mine"}\n'
  );
  fs.writeFileSync(`${dir}/pyvenv.cfg`, 'home = /nowhere\n');
  runAsUserChown(dir);
  const sum = treeChecksum(dir);
  return { dir, whole: () => expect(treeChecksum(dir)).toBe(sum) };
}

function runAsUserChown(dir: string): void {
  const user = testUser();
  const walk = (file: string): void => {
    fs.lchownSync(file, user.uid, user.gid);
    if (fs.lstatSync(file).isDirectory()) {
      for (const name of fs.readdirSync(file)) {
        walk(`${file}/${name}`);
      }
    }
  };
  walk(dir);
}

/** One clear line on stderr, no stack, no "internal error", a non-zero exit. */
function expectOneLine(run: IRunResult, pattern: RegExp): void {
  expect(run.code).not.toBe(0);
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^mlc: error: /);
  expect(lines[0]).not.toMatch(/internal error/i);
  expect(lines[0]).toMatch(pattern);
}

function editRecord(
  env: string,
  change: (record: Record<string, unknown>) => void
): void {
  const file = `${env}/.mlc-env.json`;
  const record = JSON.parse(fs.readFileSync(file, 'utf-8')) as Record<
    string,
    unknown
  >;
  change(record);
  fs.writeFileSync(file, JSON.stringify(record));
}

describe('class 1: removal never follows a link', () => {
  /**
   * The env's kernel directory replaced by a link to a project folder that
   * holds a copy of the kernel (so the kernel still names the env), with the
   * user's work beside it; `change` edits the copy's kernel.json.
   */
  function kernelLinkedToProject(
    name: string,
    change: (spec: Record<string, unknown>) => void = () => undefined
  ) {
    const env = createEnv(name);
    const project = userDir(`${fixture.scratch}/project-${name}`);
    const kernel = `${places.data}/kernels/${env.kernelName}`;
    const spec = JSON.parse(
      fs.readFileSync(`${kernel}/kernel.json`, 'utf-8')
    ) as Record<string, unknown>;
    change(spec);
    fs.writeFileSync(`${project}/kernel.json`, JSON.stringify(spec));
    fs.writeFileSync(`${project}/analysis.py`, 'print("years of work")\n');
    runAsUserChown(project);
    const sum = treeChecksum(project);
    fs.rmSync(kernel, { recursive: true });
    fs.symlinkSync(project, kernel);
    return {
      env,
      kernel,
      whole: () => expect(treeChecksum(project)).toBe(sum)
    };
  }

  it('env remove unlinks a kernel directory that is a link, never empties its target', () => {
    const { env, kernel, whole } = kernelLinkedToProject(
      `k-link-remove-${counter++}`
    );
    const run = mlcAsUser(['env', 'remove', env.prefix, '--json'], places);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    whole();
    expect(fs.existsSync(env.prefix)).toBe(false);
    expect(fs.lstatSync(kernel, { throwIfNoEntry: false })).toBeUndefined();
  });

  it('check --fix replaces a stale kernel directory that is a link by a real one, the target untouched', () => {
    const { env, kernel, whole } = kernelLinkedToProject(
      `k-link-fix-${counter++}`,
      spec => ((spec.argv as string[])[0] = '/elsewhere/python')
    );
    const run = mlcAsUser(
      ['env', 'check', env.prefix, '--fix', '--json'],
      places
    );
    expect(run.stderr).toBe('');
    expect(
      resultData<IEnvCheckResult>(run).fixed.map(problem => problem.code)
    ).toEqual(['kernel-stale']);
    whole();
    expect(fs.lstatSync(kernel).isDirectory()).toBe(true);
  });

  it('a re-create at the same path replaces the link, the project untouched', () => {
    const { env, kernel, whole } = kernelLinkedToProject(
      `k-link-recreate-${counter++}`
    );
    fs.rmSync(env.prefix, { recursive: true });
    const run = mlcAsUser(
      ['env', 'create', env.prefix, '--base', base],
      places
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    whole();
    expect(fs.lstatSync(kernel).isDirectory()).toBe(true);
  });

  it('env remove unlinks links inside the env to precious directories', () => {
    const env = createEnv('inner-links');
    const project = precious('inner-links');
    fs.symlinkSync(project.dir, `${env.prefix}/bin/evil-dir`);
    fs.symlinkSync(
      `${project.dir}/project/notes.txt`,
      `${env.prefix}/conda-meta/evil-file.json`
    );
    fs.symlinkSync(project.dir, `${env.prefix}/lib/evil`);
    expect(mlcAsUser(['env', 'remove', env.prefix], places).code).toBe(0);
    project.whole();
  });
});

describe('class 2: names read from files are validated', () => {
  it.each([['.'], ['..'], ['../../x'], ['/'], ['a/b'], ['.hidden']])(
    'kernelName %j: refused with one line, no kernel touched',
    name => {
      const env = createEnv(`kn-${counter++}`);
      const other = createEnv(`kn-other-${counter++}`);
      const kernelsBefore = treeChecksum(`${places.data}`);
      const project = precious('kn');
      editRecord(env.prefix, record => (record.kernelName = name));
      for (const args of [
        ['env', 'check', env.prefix, '--fix'],
        ['env', 'remove', env.prefix],
        ['env', 'check', env.prefix]
      ]) {
        const run = mlcAsUser(args, places);
        expectOneLine(run, /kernelName/);
      }
      expect(treeChecksum(`${places.data}`)).toBe(kernelsBefore);
      expect(
        fs.existsSync(`${places.data}/kernels/${other.kernelName}/kernel.json`)
      ).toBe(true);
      expect(fs.existsSync(`${env.prefix}/.mlc-env.json`)).toBe(true);
      project.whole();
    }
  );

  it('lines of .mlc-base-records that are not record file names are never used as paths', () => {
    const baseCopy = copyBase(
      base,
      `${fixture.scratch}/base-records-${counter++}`
    );
    const run = mlcAsUser(
      [
        'env',
        'create',
        `${envs}/records`,
        '--base',
        baseCopy,
        '--no-kernel',
        '--json'
      ],
      places
    );
    const env = resultData<IEnvCreateResult>(run);
    const project = precious('records');
    const list = `${env.prefix}/conda-meta/.mlc-base-records`;
    const rel = `../../${project.dir.split('/').slice(-1)[0]}/project/notes.txt`;
    const relFromEnv = `../../../${fixture.scratch.split('/').slice(-1)[0]}/${project.dir.split('/').slice(-1)[0]}/kernel.json`;
    fs.appendFileSync(
      list,
      `${rel}\n${relFromEnv}\n${project.dir}/project/sub/data.csv\n../x-1-0.json\n`
    );
    // The base changes, so check --fix drops copies the base no longer has.
    const record = fs
      .readdirSync(`${baseCopy}/conda-meta`)
      .find(file => file.endsWith('.json')) as string;
    fs.renameSync(
      `${baseCopy}/conda-meta/${record}`,
      `${baseCopy}/conda-meta/zz-renamed-1.0-h0_0.json`
    );
    const fixed = mlcAsUser(
      ['env', 'check', env.prefix, '--fix', '--base', baseCopy, '--json'],
      places
    );
    expect(fixed.stderr).not.toMatch(/internal error/i);
    project.whole();
  });
});

describe('class 3: env remove removes only what proves to be an env', () => {
  it('mlc env remove ~ with a stray record in the home directory refuses and deletes nothing', () => {
    const env = createEnv('stray');
    const home = userDir(`${fixture.scratch}/home-stray-${counter++}`);
    fs.copyFileSync(`${env.prefix}/.mlc-env.json`, `${home}/.mlc-env.json`);
    fs.writeFileSync(`${home}/thesis.tex`, 'precious\n');
    runAsUserChown(home);
    const sum = treeChecksum(home);
    for (const extra of [{ HOME: home }, {}]) {
      const run = mlcAsUser(['env', 'remove', home], places, { env: extra });
      expectOneLine(run, /not removed|is not an mlc env/);
      expect(treeChecksum(home)).toBe(sum);
    }
  });

  it("a directory with a copy of or a link to another env's record, even with an env layout, is refused", () => {
    const env = createEnv('original');
    const copy = `${envs}/copied`;
    runAsUser('cp', ['-a', env.prefix, copy], places);
    const linked = userDir(`${envs}/linked-${counter++}`);
    fs.symlinkSync(`${env.prefix}/.mlc-env.json`, `${linked}/.mlc-env.json`);
    fs.writeFileSync(`${linked}/keep`, 'x');
    for (const dir of [copy, linked]) {
      const sum = treeChecksum(dir);
      const run = mlcAsUser(['env', 'remove', dir], places);
      expectOneLine(run, /not removed|not an mlc env/);
      expect(treeChecksum(dir)).toBe(sum);
    }
    expect(fs.existsSync(`${env.prefix}/.mlc-env.json`)).toBe(true);
  });

  it('a record whose prefix names this directory but without the layout of an env is refused', () => {
    const dir = userDir(`${envs}/bare-${counter++}`);
    const env = createEnv(`layout-${counter++}`);
    const record = JSON.parse(
      fs.readFileSync(`${env.prefix}/.mlc-env.json`, 'utf-8')
    );
    record.prefix = dir;
    fs.writeFileSync(`${dir}/.mlc-env.json`, JSON.stringify(record));
    fs.writeFileSync(`${dir}/work.txt`, 'x');
    runAsUserChown(dir);
    const run = mlcAsUser(['env', 'remove', dir], places);
    expectOneLine(run, /lacks the layout of an env/);
    expect(fs.existsSync(`${dir}/work.txt`)).toBe(true);
  });

  it('a record that is a directory, or a FIFO, is one line', () => {
    for (const make of [
      (file: string) => fs.mkdirSync(file),
      (file: string) => runAsUser('mkfifo', [file], places)
    ]) {
      const dir = userDir(`${envs}/odd-record-${counter++}`);
      make(`${dir}/.mlc-env.json`);
      for (const verb of ['remove', 'check']) {
        const run = mlcAsUser(['env', verb, dir], places, { timeoutMs: 20000 });
        expectOneLine(run, /not an mlc env/);
      }
      expect(fs.existsSync(`${dir}/.mlc-env.json`)).toBe(true);
    }
  });
});

describe('class 4: check --fix writes nothing through links', () => {
  it.each([['conda-meta'], ['bin'], ['lib']])(
    '%s replaced by a link to a user directory: refused, the target untouched',
    dir => {
      const env = createEnv(`through-${dir}-${counter++}`);
      const victim = precious(`through-${dir}`);
      fs.renameSync(`${env.prefix}/${dir}`, `${env.prefix}/${dir}.real`);
      fs.symlinkSync(victim.dir, `${env.prefix}/${dir}`);
      // Damage that --fix would repair by writing into the directory.
      fs.rmSync(`${env.prefix}/${dir}.real`, { recursive: true });
      const run = mlcAsUser(['env', 'check', env.prefix, '--fix'], places);
      expectOneLine(run, /symbolic link/);
      victim.whole();
    }
  );

  it('as root, with conda-meta pointing into a base: the base is untouched', () => {
    const baseCopy = copyBase(
      base,
      `${fixture.scratch}/base-root-${counter++}`
    );
    const envDir = `${fixture.scratch}/root-env-${counter++}`;
    const created = runMlc([
      'env',
      'create',
      envDir,
      '--base',
      baseCopy,
      '--no-kernel',
      '--json'
    ]);
    expect(created.code).toBe(0);
    fs.rmSync(`${envDir}/conda-meta`, { recursive: true });
    fs.symlinkSync(`${baseCopy}/conda-meta`, `${envDir}/conda-meta`);
    // The base gains a record, so --fix has something to copy.
    fs.writeFileSync(`${baseCopy}/conda-meta/newpkg-1.0-h0_0.json`, '{}\n');
    const sum = treeChecksum(baseCopy);
    const run = runMlc(['env', 'check', envDir, '--fix']);
    expect(run.stderr).not.toMatch(/internal error/i);
    expect(run.code).not.toBe(0);
    expect(treeChecksum(baseCopy)).toBe(sum);
  });

  it('check --fix on a path that is a link to an env refuses', () => {
    const env = createEnv(`via-link-${counter++}`);
    const alias = `${envs}/alias-${counter++}`;
    fs.symlinkSync(env.prefix, alias);
    expectOneLine(
      mlcAsUser(['env', 'check', alias, '--fix'], places),
      /symbolic link/
    );
  });
});

describe('class 6: odd bases and envs are one line, never an internal error', () => {
  it('conda-meta of the env a file, or unreadable', () => {
    const env = createEnv(`odd-meta-${counter++}`);
    fs.rmSync(`${env.prefix}/conda-meta`, { recursive: true });
    fs.writeFileSync(`${env.prefix}/conda-meta`, '');
    const check = mlcAsUser(['env', 'check', env.prefix, '--fix'], places);
    expectOneLine(check, /not a directory|symbolic link|a file is where/);
    const env2 = createEnv(`odd-meta-${counter++}`);
    fs.chmodSync(`${env2.prefix}/conda-meta`, 0);
    const check2 = mlcAsUser(['env', 'check', env2.prefix, '--fix'], places);
    expect(check2.stderr).not.toMatch(/internal error/i);
    fs.chmodSync(`${env2.prefix}/conda-meta`, 0o755);
  });

  it('a base whose conda-meta is a file or unreadable, or whose bin is a link loop', () => {
    const cases: Array<(dir: string) => void> = [
      dir => {
        fs.rmSync(`${dir}/conda-meta`, { recursive: true });
        fs.writeFileSync(`${dir}/conda-meta`, '');
      },
      dir => fs.chmodSync(`${dir}/conda-meta`, 0o700),
      dir => {
        fs.symlinkSync('loop-b', `${dir}/loop-a`);
        fs.symlinkSync('loop-a', `${dir}/loop-b`);
        fs.symlinkSync('loop-a', `${dir}/lib/loop-c`);
      }
    ];
    for (const damage of cases) {
      const odd = copyBase(base, `${fixture.scratch}/odd-base-${counter++}`);
      damage(odd);
      const run = mlcAsUser(
        [
          'env',
          'create',
          `${envs}/on-odd-${counter++}`,
          '--base',
          odd,
          '--no-kernel'
        ],
        places
      );
      if (run.code !== 0) {
        expectOneLine(run, /./);
      }
    }
  });

  it('a very long parent path', () => {
    let parent = userDir(`${fixture.scratch}/long`);
    const segment = 'd'.repeat(200);
    for (let index = 0; index < 25; index++) {
      parent = `${parent}/${segment}`;
    }
    const run = mlcAsUser(
      ['env', 'create', `${parent}/env`, '--base', base, '--no-kernel'],
      places
    );
    expectOneLine(run, /./);
  });

  it('a kernels directory that is a file', () => {
    const data = userDir(`${fixture.scratch}/data-file-${counter++}`);
    fs.writeFileSync(`${data}/kernels`, '');
    runAsUserChown(data);
    const run = mlcAsUser(
      ['env', 'create', `${envs}/kfile-${counter++}`, '--base', base],
      places,
      { env: { JUPYTER_DATA_DIR: data } }
    );
    expectOneLine(run, /kernel/);
  });
});

describe('class 7: accepted, then broken', () => {
  it('an env path with ":" is refused up front', () => {
    const run = mlcAsUser(
      ['env', 'create', `${envs}/a:b`, '--base', base],
      places
    );
    expectOneLine(run, /":"/);
    expect(fs.existsSync(`${envs}/a:b`)).toBe(false);
    const inCwd = userDir(`${envs}/c:d`);
    const relative = mlcAsUser(
      ['env', 'create', 'sub', '--base', base],
      places,
      { cwd: inCwd }
    );
    expectOneLine(relative, /":"/);
  });

  it('a path argument that is not valid UTF-8 is refused, not turned into U+FFFD', () => {
    for (const [verb, extra] of [
      ['create', '--base "$2"'],
      ['remove', ''],
      ['check', '--fix --base "$2"']
    ]) {
      const run = runAsUser(
        'bash',
        [
          '-c',
          `exec "$0" "$1" env ${verb} "$(printf '${envs}/bad\\377name')" ${extra}`,
          process.execPath,
          MLC_BUNDLE,
          base
        ],
        places
      );
      expectOneLine(run, /not valid UTF-8/);
    }
    expect(fs.readdirSync(envs).some(name => name.includes('\uFFFD'))).toBe(
      false
    );
  });
});

describe('class 8: activation keeps the base kernels in JUPYTER_PATH', () => {
  it.each([['bash'], ['zsh']])(
    '%s: a base activate.d hook overwriting JUPYTER_PATH does not win',
    shell => {
      const baseCopy = copyBase(
        base,
        `${fixture.scratch}/base-hook-${counter++}`
      );
      fs.mkdirSync(`${baseCopy}/etc/conda/activate.d`, { recursive: true });
      fs.writeFileSync(
        `${baseCopy}/etc/conda/activate.d/zz-jupyter.sh`,
        'export JUPYTER_PATH="$CONDA_PREFIX/share/jupyter"\n'
      );
      const env = `${envs}/hooked-${counter++}`;
      expect(
        mlcAsUser(
          ['env', 'create', env, '--base', baseCopy, '--no-kernel'],
          places
        ).code
      ).toBe(0);
      const run = runAsUser(
        shell,
        [
          '-c',
          `. '${env}/setupMe-on-host.sh' && printf '%s\\n' "$JUPYTER_PATH"`
        ],
        places,
        {
          env: { JUPYTER_PATH: '/site/jupyter' }
        }
      );
      expect(run.stdout.trim()).toBe(
        `${env}/share/jupyter:${baseCopy}/share/jupyter:/site/jupyter`
      );
    }
  );
});

describe('class 8 in sh', () => {
  it('sh (dash) is told to use bash or zsh, and its JUPYTER_PATH is left as it was', () => {
    const env = `${envs}/in-sh-${counter++}`;
    expect(
      mlcAsUser(['env', 'create', env, '--base', base, '--no-kernel'], places)
        .code
    ).toBe(0);
    const run = runAsUser(
      'sh',
      ['-c', `. '${env}/setupMe-on-host.sh'; printf '%s\\n' "$JUPYTER_PATH"`],
      places,
      { env: { JUPYTER_PATH: '/site/jupyter' } }
    );
    expect(run.stderr).toMatch(/needs bash or zsh/);
    expect(run.stdout.trim()).toBe('/site/jupyter');
  });
});

describe('class 9: interrupted and racing', () => {
  it('an env whose kernel registration never happened: create names check --fix, which registers it', () => {
    const env = createEnv(`interrupted-${counter++}`);
    fs.rmSync(`${places.data}/kernels/${env.kernelName}`, { recursive: true });
    // `env list` shows it (beside envs with kernels), with the fix to run.
    const listed = resultData<IEnvListResult>(
      mlcAsUser(['env', 'list', '--json'], places)
    );
    expect(
      listed.envs
        .find(found => found.prefix === env.prefix)
        ?.problems.map(problem => problem.code)
    ).toEqual(['kernel-missing']);
    const again = mlcAsUser(
      ['env', 'create', env.prefix, '--base', base],
      places
    );
    expectOneLine(again, /mlc env check .* --fix/);
    const fixed = resultData<IEnvCheckResult>(
      mlcAsUser(['env', 'check', env.prefix, '--fix', '--json'], places)
    );
    expect(fixed.fixed.map(problem => problem.code)).toContain(
      'kernel-missing'
    );
    expect(
      fs.existsSync(`${places.data}/kernels/${env.kernelName}/kernel.json`)
    ).toBe(true);
  });

  it('a remove unregisters only the kernel of the creation it removes', () => {
    const env = createEnv(`recreated-${counter++}`);
    const record = JSON.parse(
      fs.readFileSync(`${env.prefix}/.mlc-env.json`, 'utf-8')
    );
    const kernel = JSON.parse(
      fs.readFileSync(
        `${places.data}/kernels/${env.kernelName}/kernel.json`,
        'utf-8'
      )
    );
    expect(record.creationId).toMatch(/^[0-9a-f]{32}$/);
    expect(kernel.metadata.ml_containers.envCreationId).toBe(record.creationId);
    // The old env's record, as a remove still busy with it holds it: another creation.
    editRecord(env.prefix, old => (old.creationId = '0'.repeat(32)));
    const removed = resultData<IEnvRemoveResult>(
      mlcAsUser(['env', 'remove', env.prefix, '--json'], places)
    );
    expect(removed.kernelName).toBeNull();
    expect(
      fs.existsSync(`${places.data}/kernels/${env.kernelName}/kernel.json`)
    ).toBe(true);
  });
});
