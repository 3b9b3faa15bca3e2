/**
 * Envs inside envs, bases that hold everything, and verbs killed half-way,
 * as the unprivileged test user on a real base:
 * - `env create A/B` is refused when A (or any ancestor) is an env, and
 *   `env remove A` when A holds another env, naming it (data lost before);
 * - `env check --fix --base X` is held to the base rules of create (`/`, a
 *   base around or inside the env);
 * - an `env remove` or `env create` killed mid-way leaves hidden trees that
 *   `env list`/`env check` report and the next verb on that env cleans; a
 *   staged file of a killed `check --fix` likewise; only what proves to be
 *   ours goes (our pattern, a dead pid, not a link).
 * Each run is classified and counted; the table goes to
 * build/reports/hostile-env-nested-table.json.
 */
import { execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { shortDigest } from '../../src/core/validate';
import { MLC_BUNDLE, REPO } from '../harness/paths';
import { useEnvFixture, userDir } from '../harness/unprivilegedBase';
import { testUser } from '../harness/user';

const fixture = useEnvFixture('env-nested');
const HANG_MS = 120000;

const tally = {
  cases: 0,
  'clean errors': 0,
  'correct results': 0,
  crashes: 0,
  hangs: 0,
  'partial state': 0,
  'base writes': 0,
  'data lost': 0,
  'code executed': 0,
  'options injected': 0,
  'writes outside': 0
};
const findings: string[] = [];
let root: string;
let counter = 0;

beforeAll(() => {
  root = userDir(`${fixture.scratch}/envs`);
});

afterAll(() => {
  fs.mkdirSync(path.join(REPO, 'build', 'reports'), { recursive: true });
  fs.writeFileSync(
    path.join(REPO, 'build', 'reports', 'hostile-env-nested-table.json'),
    JSON.stringify({ ...tally, findings }, null, 2) + '\n'
  );
  const rows = Object.entries(tally).map(
    ([what, count]) => `  ${what.padEnd(17)} ${count}`
  );
  process.stdout.write(
    `\nnested envs and interruptions:\n${rows.join('\n')}\n${findings.map(line => `  finding: ${line}`).join('\n')}\n`
  );
});

interface IRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

function userEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...fixture.places.env,
    USER: testUser().name
  };
}

function mlc(args: string[]): IRun {
  const user = testUser();
  const run = spawnSync(process.execPath, [MLC_BUNDLE, ...args], {
    uid: user.uid,
    gid: user.gid,
    env: userEnv(),
    encoding: 'utf-8',
    timeout: HANG_MS,
    killSignal: 'SIGKILL'
  });
  return {
    status: run.error ? null : run.status,
    stdout: run.stdout ?? '',
    stderr: run.stderr ?? ''
  };
}

/** Run and count one case; `expect` is what a correct mlc does. */
function tried(
  label: string,
  args: string[],
  expected: 'error' | 'ok',
  message?: RegExp,
  /** What to count before the verdict: whether the user's data was lost, the env changed. */
  harm?: () => 'data lost' | 'partial state' | null
): IRun {
  const run = mlc(args);
  tally.cases++;
  const lines = run.stderr.trimEnd().split('\n').filter(Boolean);
  let outcome: string;
  if (run.status === null) {
    outcome = 'hang';
    tally.hangs++;
  } else if (
    /internal error/i.test(run.stderr) ||
    (run.status !== 0 &&
      (lines.length !== 1 || !lines[0].startsWith('mlc: error: ')))
  ) {
    outcome = 'crash';
    tally.crashes++;
  } else {
    outcome = run.status === 0 ? 'ok' : 'error';
    const right =
      outcome === expected &&
      (message === undefined || message.test(run.stderr + run.stdout));
    if (right) {
      tally[outcome === 'ok' ? 'correct results' : 'clean errors']++;
    }
  }
  const right =
    outcome === expected &&
    (message === undefined || message.test(run.stderr + run.stdout));
  if (!right) {
    findings.push(
      `${label}: ${outcome} (wanted ${expected}): ${run.stderr.slice(0, 200)}`
    );
  }
  const harmed = harm?.() ?? null;
  if (harmed) {
    tally[harmed]++;
    findings.push(`${label}: ${harmed}`);
  }
  expect({ label, harmed }).toEqual({ label, harmed: null });
  expect({ label, outcome, right }).toEqual({
    label,
    outcome: expected,
    right: true
  });
  return run;
}

function place(): string {
  return userDir(`${root}/${++counter}`);
}

function create(prefix: string, label = `create ${prefix}`): void {
  tried(label, ['env', 'create', prefix, '--base', fixture.base], 'ok');
}

function asUser(command: string, ...args: string[]): void {
  const user = testUser();
  execFileSync(command, args, { uid: user.uid, gid: user.gid });
}

/** A pid that ran and ended. */
function deadPid(): number {
  return spawnSync('true').pid as number;
}

/** Everything below `dir` (links not followed): path -> size or link text. */
function inventory(dir: string): string {
  const found: string[] = [];
  if (!fs.existsSync(dir)) {
    return '(gone)';
  }
  const walk = (current: string) => {
    for (const name of fs.readdirSync(current).sort()) {
      const file = `${current}/${name}`;
      const stat = fs.lstatSync(file);
      found.push(
        `${path.relative(dir, file)} ${stat.isSymbolicLink() ? fs.readlinkSync(file) : stat.size}`
      );
      if (stat.isDirectory()) {
        walk(file);
      }
    }
  };
  walk(dir);
  return found.join('\n');
}

describe('an env inside an env', () => {
  it.each([['B'], ['sub/B'], ['sub/deeper/B']])(
    'create A/%s is refused when A is an env',
    inner => {
      const dir = place();
      create(`${dir}/A`);
      const before = inventory(`${dir}/A`);
      tried(
        `create A/${inner}`,
        ['env', 'create', `${dir}/A/${inner}`, '--base', fixture.base],
        'error',
        /inside the env .*\/A/,
        () => (inventory(`${dir}/A`) !== before ? 'partial state' : null)
      );
    }
  );

  it('create through a link into an env is refused too', () => {
    const dir = place();
    create(`${dir}/A`);
    asUser('ln', '-s', `${dir}/A`, `${dir}/L`);
    tried(
      'create L/B (L -> env A)',
      ['env', 'create', `${dir}/L/B`, '--base', fixture.base],
      'error',
      /inside the env/
    );
    expect(fs.existsSync(`${dir}/A/B`)).toBe(false);
  });

  it.each([['B'], ['data/B']])(
    'remove A is refused while A holds the env %s, naming it',
    inner => {
      const dir = place();
      create(`${dir}/A`);
      create(`${dir}/elsewhere/B`);
      fs.writeFileSync(`${dir}/elsewhere/B/notes.txt`, 'the user’s work\n');
      asUser('mkdir', '-p', path.dirname(`${dir}/A/${inner}`));
      // The user moves an env into another: mlc did not make it so, but must not lose it.
      asUser('mv', `${dir}/elsewhere/B`, `${dir}/A/${inner}`);
      const before = inventory(`${dir}/A`);
      tried(
        `remove A holding ${inner}`,
        ['env', 'remove', `${dir}/A`],
        'error',
        new RegExp(`holds another env, .*A/${inner}`),
        () => (inventory(`${dir}/A`) !== before ? 'data lost' : null)
      );
    }
  );
});

describe('check --fix --base is held to the base rules of create', () => {
  it.each([
    ['/', () => '/'],
    ['the env’s parent', (env: string) => path.dirname(env)],
    ['the env itself', (env: string) => env],
    ['a directory inside the env', (env: string) => `${env}/lib`]
  ])('--base %s is refused, the env unchanged', (label, baseOf) => {
    const dir = place();
    create(`${dir}/A`);
    const before = inventory(`${dir}/A`);
    tried(
      `check --fix --base ${label}`,
      ['env', 'check', `${dir}/A`, '--fix', '--base', baseOf(`${dir}/A`)],
      'error',
      /inside the base|contains the base/,
      () => (inventory(`${dir}/A`) !== before ? 'partial state' : null)
    );
  });
});

describe('a relative Jupyter data directory', () => {
  it.each([
    ['JUPYTER_DATA_DIR', 'jdata'],
    ['JUPYTER_DATA_DIR', './jdata'],
    ['XDG_DATA_HOME', 'xdg']
  ])(
    '%s=%s: create is refused up front, nothing left behind',
    (name, value) => {
      const dir = place();
      const user = testUser();
      const env: NodeJS.ProcessEnv = { ...userEnv(), [name]: value };
      if (name === 'XDG_DATA_HOME') {
        delete env.JUPYTER_DATA_DIR;
      }
      const run = spawnSync(
        process.execPath,
        [MLC_BUNDLE, 'env', 'create', `${dir}/A`, '--base', fixture.base],
        {
          uid: user.uid,
          gid: user.gid,
          env,
          cwd: dir,
          encoding: 'utf-8',
          timeout: HANG_MS
        }
      );
      tally.cases++;
      expect(run.status).toBe(2);
      const lines = run.stderr.trim().split('\n');
      expect(lines).toEqual([
        expect.stringMatching(
          new RegExp(
            `^mlc: error: ${name} is a relative path .*set ${name} to an absolute path`
          )
        )
      ]);
      // No env, no staging tree, no kernel under the working directory.
      expect(fs.readdirSync(dir)).toEqual([]);
      tally['clean errors']++;
      // With --no-kernel the data directory does not matter.
      const noKernel = spawnSync(
        process.execPath,
        [
          MLC_BUNDLE,
          'env',
          'create',
          `${dir}/A`,
          '--base',
          fixture.base,
          '--no-kernel'
        ],
        {
          uid: user.uid,
          gid: user.gid,
          env,
          cwd: dir,
          encoding: 'utf-8',
          timeout: HANG_MS
        }
      );
      expect(noKernel.stderr).toBe('');
      expect(noKernel.status).toBe(0);
      expect(fs.readdirSync(dir)).toEqual(['A']);
      tally['correct results']++;
    }
  );
});

describe('verbs killed half-way', () => {
  /** Start `mlc ARGS` as the user; kill it once `ready()` holds; false when it finished first. */
  function killWhen(args: string[], ready: () => boolean): Promise<boolean> {
    const user = testUser();
    return new Promise(resolve => {
      const child = spawn(process.execPath, [MLC_BUNDLE, ...args], {
        uid: user.uid,
        gid: user.gid,
        env: userEnv(),
        stdio: 'ignore'
      });
      let killed = false;
      const poll = setInterval(() => {
        if (ready()) {
          killed = true;
          child.kill('SIGKILL');
          clearInterval(poll);
        }
      }, 2);
      child.on('close', () => {
        clearInterval(poll);
        resolve(killed);
      });
    });
  }

  function hidden(dir: string, prefix: string): string[] {
    return fs.readdirSync(dir).filter(name => name.startsWith(prefix));
  }

  it('a killed remove is reported, then finished by the next remove', async () => {
    let dir = '';
    let killed = false;
    for (let attempt = 0; attempt < 4 && !killed; attempt++) {
      dir = place();
      create(`${dir}/A`);
      // Enough of the user's files that the deletion takes a while.
      asUser(
        'sh',
        '-c',
        'mkdir -p "$1/data" && cd "$1/data" && seq 1 20000 | xargs touch',
        'sh',
        `${dir}/A`
      );
      killed = await killWhen(
        ['env', 'remove', `${dir}/A`],
        () => hidden(dir, '.mlc-tmp.rm.').length > 0
      );
    }
    expect(killed).toBe(true);
    expect(hidden(dir, '.mlc-tmp.rm.')).toHaveLength(1);
    const list = tried(
      'list after a killed remove',
      ['--json', 'env', 'list'],
      'ok'
    );
    expect(list.stdout).toContain('"code":"leftovers"');
    tried('remove again', ['env', 'remove', `${dir}/A`], 'ok');
    const left = hidden(dir, '.mlc-tmp.');
    if (left.length > 0) {
      tally['partial state']++;
      findings.push(`remove after a killed remove left ${left[0]}`);
    }
    expect(left).toEqual([]);
    const listAfter = tried(
      'list after the remove',
      ['--json', 'env', 'list'],
      'ok'
    );
    expect(listAfter.stdout).not.toContain(`${dir}/A`);
  });

  /** Run `mlc ARGS` as the user without waiting (to race another). */
  function started(args: string[]): Promise<IRun> {
    const user = testUser();
    return new Promise(resolve => {
      const child = spawn(process.execPath, [MLC_BUNDLE, ...args], {
        uid: user.uid,
        gid: user.gid,
        env: userEnv(),
        timeout: HANG_MS,
        killSignal: 'SIGKILL'
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', chunk => (stdout += chunk));
      child.stderr.on('data', chunk => (stderr += chunk));
      child.on('close', status => resolve({ status, stdout, stderr }));
    });
  }

  it('two removes of one env at once: one succeeds, the other says so in one line', async () => {
    const outcomes = new Set<string>();
    for (let round = 0; round < 5; round++) {
      const dir = place();
      create(`${dir}/A`);
      // A few files, so that one remove is often still deleting when the other looks.
      asUser(
        'sh',
        '-c',
        'mkdir -p "$1/data" && cd "$1/data" && seq 1 3000 | xargs touch',
        'sh',
        `${dir}/A`
      );
      const runs = await Promise.all([
        started(['env', 'remove', `${dir}/A`]),
        started(['env', 'remove', `${dir}/A`])
      ]);
      tally.cases += 2;
      const ok = runs.filter(run => run.status === 0);
      const refused = runs.filter(run => run.status !== 0);
      if (ok.length !== 1) {
        findings.push(
          `two removes, round ${round}: ${ok.length} reported success: ${runs.map(run => run.stderr.trim()).join(' | ')}`
        );
      }
      const seen = runs.map(run => `${run.status}: ${run.stderr.trim()}`);
      expect(ok.length === 1 ? 'one success' : seen).toBe('one success');
      expect(refused).toHaveLength(1);
      // 1 when it saw the other at work, 2 (no such env) when it came after.
      expect([1, 2]).toContain(refused[0].status);
      const lines = refused[0].stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^mlc: error: .*\/A (is being removed by another mlc command \(pid \d+\)|was already removed by another mlc command|does not exist \(already removed\?\))/
      );
      outcomes.add(lines[0].replace(/.*\/A /, '').replace(/\d+/, 'N'));
      tally['correct results']++;
      tally['clean errors']++;
      // Gone, no leftovers, and its kernel unregistered.
      expect(fs.readdirSync(dir)).toEqual([]);
      const list = tried(
        'list after two removes',
        ['--json', 'env', 'list'],
        'ok'
      );
      expect(list.stdout).not.toContain(`${dir}/A`);
    }
    process.stdout.write(
      `two removes, refusals seen: ${[...outcomes].join('; ')}\n`
    );
  });

  it('a killed create is cleaned by the next create, ours only', async () => {
    let dir = '';
    let killed = false;
    for (let attempt = 0; attempt < 4 && !killed; attempt++) {
      dir = place();
      killed = await killWhen(
        ['env', 'create', `${dir}/A`, '--base', fixture.base, '--no-kernel'],
        () => hidden(dir, '.mlc-tmp.').length > 0
      );
    }
    expect(killed).toBe(true);
    const prefix = `.mlc-tmp.${shortDigest('A')}.${shortDigest(os.hostname())}.`;
    // Not ours: a live process's staging, and a link by our pattern.
    const live = `${dir}/${prefix}${process.pid}.live`;
    userDir(live);
    const link = `${dir}/${prefix}${deadPid()}.link`;
    asUser('ln', '-s', fixture.base, link);
    const killedTrees = hidden(dir, prefix).filter(
      name => !name.endsWith('.live') && !name.endsWith('.link')
    );
    expect(killedTrees.length).toBeGreaterThan(0);
    create(`${dir}/A`, 'create after a killed create');
    for (const name of killedTrees) {
      expect(fs.existsSync(`${dir}/${name}`)).toBe(false);
    }
    expect(fs.existsSync(live)).toBe(true);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it('a staged file of a killed check --fix is reported, then cleaned by --fix', () => {
    const dir = place();
    create(`${dir}/A`);
    const meta = `${dir}/A/conda-meta`;
    const stale = `${meta}/.x-1.0-h0_0.json.mlc-tmp-${deadPid()}-0badc0de`;
    const live = `${meta}/.y-1.0-h0_0.json.mlc-tmp-${process.pid}-0badc0de`;
    const link = `${meta}/.z-1.0-h0_0.json.mlc-tmp-${deadPid()}-0badc0de`;
    asUser(
      'sh',
      '-c',
      'printf "{" > "$1"; printf "{" > "$2"',
      'sh',
      stale,
      live
    );
    asUser('ln', '-s', '/etc/hostname', link);
    // A check that finds problems reports them (stdout) and exits 1.
    const check = mlc(['--json', 'env', 'check', `${dir}/A`]);
    tally.cases++;
    expect(check.status).toBe(1);
    expect(check.stdout).toContain('"code":"leftovers"');
    tally['correct results']++;
    tried('check --fix cleans it', ['env', 'check', `${dir}/A`, '--fix'], 'ok');
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.existsSync(live)).toBe(true);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
  });
});
