/**
 * The env verbs against hostile trees, as the unprivileged test user: links
 * to precious directories, link loops, FIFOs, unreadable directories, huge
 * and deep files, names that are not UTF-8, edited records, shell text in
 * names. Every verb (create, list, check, check --fix, remove,
 * install-scripts) runs on every tree with a spawn timeout (a hang is a
 * finding, not a wait). Each outcome is classified and counted; the table is
 * printed and written to build/reports/hostile-table.json. The suite fails
 * on any crash, hang, partial state, base write, lost data or executed code.
 */
import { execFileSync, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { MLC_BUNDLE, REPO } from '../harness/paths';
import {
  treeChecksum,
  useEnvFixture,
  userDir,
  type IUserPlaces
} from '../harness/unprivilegedBase';
import { testUser } from '../harness/user';

const fixture = useEnvFixture('env-hostile');
/** Long enough for a create on a loaded machine, short enough to call a hang a hang. */
const HANG_MS = 60000;

type Outcome = 'clean error' | 'correct result' | 'crash' | 'hang';

interface ITally {
  cases: number;
  'clean errors': number;
  'correct results': number;
  crashes: number;
  hangs: number;
  'partial state': number;
  'base writes': number;
  'data lost': number;
  'code executed': number;
}

const tally: ITally = {
  cases: 0,
  'clean errors': 0,
  'correct results': 0,
  crashes: 0,
  hangs: 0,
  'partial state': 0,
  'base writes': 0,
  'data lost': 0,
  'code executed': 0
};
const findings: string[] = [];

let base: string;
let places: IUserPlaces;
let root: string;
let sentinel: string;
let canary: string;
let bystander: string;
let counter = 0;

beforeAll(() => {
  ({ base, places } = fixture);
  root = userDir(`${fixture.scratch}/trees`);
  sentinel = userDir(`${fixture.scratch}/precious`);
  fs.mkdirSync(`${sentinel}/thesis/chapters`, { recursive: true });
  fs.writeFileSync(`${sentinel}/thesis/chapters/1.tex`, 'precious\n');
  fs.writeFileSync(
    `${sentinel}/kernel.json`,
    '{"argv": ["mine"], "display_name": "mine"}\n'
  );
  fs.writeFileSync(`${sentinel}/.mlc-env.json`, 'not a record\n');
  fs.writeFileSync(`${sentinel}/pyvenv.cfg`, 'home = /x\n');
  chownTree(sentinel);
  canary = `${fixture.scratch}/canary`;
  // Another kernel of the user's: no verb on any tree may remove it.
  userDir(`${places.data}/kernels`);
  bystander = userDir(`${places.data}/kernels/bystander`);
  fs.writeFileSync(
    `${bystander}/kernel.json`,
    '{"argv": ["python3"], "display_name": "bystander", "language": "python"}\n'
  );
  chownTree(bystander);
});

afterAll(() => {
  const table = { ...tally, findings };
  fs.mkdirSync(path.join(REPO, 'build', 'reports'), { recursive: true });
  fs.writeFileSync(
    path.join(REPO, 'build', 'reports', 'hostile-table.json'),
    JSON.stringify(table, null, 2) + '\n'
  );
  const rows = Object.entries(tally).map(
    ([what, count]) => `  ${what.padEnd(16)} ${count}`
  );
  process.stdout.write(
    `\nhostile env trees:\n${rows.join('\n')}\n${findings.map(line => `  finding: ${line}`).join('\n')}\n`
  );
});

function chownTree(dir: string): void {
  const user = testUser();
  execFileSync('chown', ['-hR', `${user.uid}:${user.gid}`, '--', dir]);
}

/** path -> content digest (or link text) of everything below `dir`, links not followed. */
function inventory(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (current: string): void => {
    for (const name of fs.readdirSync(current)) {
      const file = `${current}/${name}`;
      const stat = fs.lstatSync(file);
      const rel = path.relative(dir, file);
      if (stat.isDirectory()) {
        found.set(rel, 'dir');
        walk(file);
      } else if (stat.isSymbolicLink()) {
        found.set(rel, `-> ${fs.readlinkSync(file)}`);
      } else {
        found.set(
          rel,
          createHash('sha256').update(fs.readFileSync(file)).digest('hex')
        );
      }
    }
  };
  walk(dir);
  return found;
}

/** One hostile tree: made below `dir`, it gives the path each verb is run on. */
interface IHostileTree {
  label: string;
  make: (dir: string) => string;
  /** Extra environment for the runs (e.g. a data dir whose kernels folder is a file). */
  env?: (dir: string) => NodeJS.ProcessEnv;
  /** Files of the user's below `dir` that no verb may delete (the tree is not an env). */
  keep?: (dir: string) => string[];
}

/** A real env of the test user at `dir/env`, made with the real mlc. */
function realEnv(dir: string, name = 'env'): string {
  const env = `${dir}/${name}`;
  const run = runMlcAsUser(
    ['env', 'create', env, '--base', base, '--json'],
    {}
  );
  if (run.status !== 0) {
    throw new Error(`setup: env create failed: ${run.stderr}${run.stdout}`);
  }
  return env;
}

function editRecord(
  env: string,
  change: (record: Record<string, unknown>) => void
): void {
  const record = JSON.parse(
    fs.readFileSync(`${env}/.mlc-env.json`, 'utf-8')
  ) as Record<string, unknown>;
  change(record);
  fs.writeFileSync(`${env}/.mlc-env.json`, JSON.stringify(record));
}

function kernelOf(env: string): string {
  const record = JSON.parse(
    fs.readFileSync(`${env}/.mlc-env.json`, 'utf-8')
  ) as { kernelName: string };
  return `${places.data}/kernels/${record.kernelName}`;
}

const trees: IHostileTree[] = [
  {
    label: 'a link to a precious directory',
    make: dir => (fs.symlinkSync(sentinel, `${dir}/p`), `${dir}/p`)
  },
  {
    label: 'a directory of link loops and links to precious things',
    make: dir => {
      fs.mkdirSync(`${dir}/p`);
      fs.symlinkSync('a', `${dir}/p/b`);
      fs.symlinkSync('b', `${dir}/p/a`);
      fs.symlinkSync(sentinel, `${dir}/p/precious`);
      fs.symlinkSync(`${sentinel}/.mlc-env.json`, `${dir}/p/.mlc-env.json`);
      return `${dir}/p`;
    }
  },
  {
    label: 'a self-referencing link',
    make: dir => (fs.symlinkSync('p', `${dir}/p`), `${dir}/p`)
  },
  {
    label: 'a FIFO as the record',
    make: dir => {
      fs.mkdirSync(`${dir}/p`);
      execFileSync('mkfifo', [`${dir}/p/.mlc-env.json`]);
      return `${dir}/p`;
    }
  },
  {
    label: 'a FIFO as the path',
    make: dir => (execFileSync('mkfifo', [`${dir}/p`]), `${dir}/p`)
  },
  {
    label: 'an unreadable directory',
    make: dir => {
      fs.mkdirSync(`${dir}/p/inner`, { recursive: true });
      fs.writeFileSync(`${dir}/p/.mlc-env.json`, '{}');
      fs.chmodSync(`${dir}/p`, 0);
      return `${dir}/p`;
    }
  },
  {
    label: 'a huge record',
    make: dir => {
      fs.mkdirSync(`${dir}/p`);
      fs.writeFileSync(`${dir}/p/.mlc-env.json`, Buffer.alloc(48 << 20, 0x20));
      return `${dir}/p`;
    }
  },
  {
    label: 'a deep tree with a record at the top',
    make: dir => {
      // Deeper than PATH_MAX: made by relative steps.
      fs.mkdirSync(`${dir}/p`);
      const home = process.cwd();
      try {
        process.chdir(`${dir}/p`);
        for (let depth = 0; depth < 60; depth++) {
          fs.mkdirSync('d'.repeat(100));
          process.chdir('d'.repeat(100));
        }
        fs.writeFileSync('f', 'x');
      } finally {
        process.chdir(home);
      }
      fs.writeFileSync(`${dir}/p/.mlc-env.json`, '{"schemaVersion": 1}');
      return `${dir}/p`;
    }
  },
  {
    label: 'names that are not UTF-8',
    make: dir => {
      fs.mkdirSync(`${dir}/p`);
      fs.writeFileSync(Buffer.from(`${dir}/p/\xff\xfe`, 'latin1'), 'x');
      fs.mkdirSync(
        Buffer.concat([Buffer.from(`${dir}/p/`), Buffer.from([0xc3, 0x28])])
      );
      return `${dir}/p`;
    }
  },
  {
    label: 'a home directory with a stray copy of a record',
    make: dir => {
      const env = realEnv(dir);
      const home = `${dir}/home`;
      fs.mkdirSync(home);
      fs.copyFileSync(`${env}/.mlc-env.json`, `${home}/.mlc-env.json`);
      fs.writeFileSync(`${home}/thesis.tex`, 'x');
      return home;
    },
    env: dir => ({ HOME: `${dir}/home` }),
    keep: dir => [`${dir}/home/thesis.tex`]
  },
  {
    label: "a copy of a whole env (another env's record)",
    make: dir => {
      const env = realEnv(dir);
      execFileSync('cp', ['-a', env, `${dir}/copy`]);
      fs.writeFileSync(`${dir}/copy/work.txt`, 'x');
      return `${dir}/copy`;
    },
    keep: dir => [`${dir}/copy/work.txt`]
  },
  {
    label: 'an env whose kernel directory links to precious files',
    make: dir => {
      const env = realEnv(dir);
      fs.rmSync(kernelOf(env), { recursive: true });
      fs.symlinkSync(sentinel, kernelOf(env));
      return env;
    }
  },
  {
    label: 'an env whose conda-meta links to precious files',
    make: dir => {
      const env = realEnv(dir);
      fs.rmSync(`${env}/conda-meta`, { recursive: true });
      fs.symlinkSync(sentinel, `${env}/conda-meta`);
      return env;
    }
  },
  {
    label: 'an env whose bin links to precious files',
    make: dir => {
      const env = realEnv(dir);
      fs.rmSync(`${env}/bin`, { recursive: true });
      fs.symlinkSync(sentinel, `${env}/bin`);
      return env;
    }
  },
  {
    label: 'an env with ../ lines in .mlc-base-records',
    make: dir => {
      const env = realEnv(dir);
      const rel = path.relative(
        `${env}/conda-meta`,
        `${sentinel}/thesis/chapters/1.tex`
      );
      fs.appendFileSync(
        `${env}/conda-meta/.mlc-base-records`,
        `${rel}\n../../x-1-0.json\n`
      );
      return env;
    }
  },
  ...['.', '..', '../../x', '../../../precious'].map(kernelName => ({
    label: `an env record with kernelName ${JSON.stringify(kernelName)}`,
    make: (dir: string) => {
      const env = realEnv(dir);
      editRecord(env, record => (record.kernelName = kernelName));
      return env;
    }
  })),
  {
    label: 'an env record whose prefix names a precious directory',
    make: dir => {
      const env = realEnv(dir);
      editRecord(env, record => (record.prefix = sentinel));
      return env;
    }
  },
  {
    label: 'an env with a FIFO and a link loop inside',
    make: dir => {
      const env = realEnv(dir);
      execFileSync('mkfifo', [`${env}/bin/fifo`]);
      fs.symlinkSync('loop', `${env}/lib/loop`);
      return env;
    }
  },
  {
    label: 'shell text in the env name',
    make: dir => `${dir}/$(touch ${canary})\`touch ${canary}\`;touch ${canary}`
  },
  { label: 'a ":" in the env path', make: dir => `${dir}/a:b` },
  {
    label: 'a kernels folder that is a file',
    make: dir => {
      fs.mkdirSync(`${dir}/data`);
      fs.writeFileSync(`${dir}/data/kernels`, '');
      return `${dir}/p`;
    },
    env: dir => ({ JUPYTER_DATA_DIR: `${dir}/data` })
  }
];

const verbs: Array<[string, (target: string) => string[]]> = [
  ['create', target => ['env', 'create', target, '--base', base]],
  ['list', target => ['env', 'list', '--dir', target]],
  ['check', target => ['env', 'check', target]],
  ['check --fix', target => ['env', 'check', target, '--fix']],
  ['remove', target => ['env', 'remove', target]],
  [
    'install-scripts',
    target => ['env', 'install-scripts', '--dir', target, '--base', base]
  ]
];

function runMlcAsUser(
  args: string[],
  extra: NodeJS.ProcessEnv
): ReturnType<typeof spawnSync> & { stdout: string; stderr: string } {
  const user = testUser();
  return spawnSync(process.execPath, [MLC_BUNDLE, ...args], {
    uid: user.uid,
    gid: user.gid,
    env: { ...process.env, ...places.env, USER: user.name, ...extra },
    encoding: 'utf-8',
    timeout: HANG_MS,
    killSignal: 'SIGKILL'
  }) as ReturnType<typeof spawnSync> & { stdout: string; stderr: string };
}

function classify(run: ReturnType<typeof runMlcAsUser>): Outcome {
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT') {
    return 'hang';
  }
  const lines = run.stderr.trimEnd().split('\n').filter(Boolean);
  if (
    run.signal ||
    /internal error/i.test(run.stderr) ||
    (run.status !== 0 &&
      (lines.length !== 1 || !lines[0].startsWith('mlc: error: ')))
  ) {
    return 'crash';
  }
  return run.status === 0 ? 'correct result' : 'clean error';
}

describe.each(trees)('$label', tree => {
  it.each(verbs)('%s', (verb, argsFor) => {
    const dir = userDir(`${root}/${++counter}`);
    const target = tree.make(dir);
    chownTree(dir);
    if (!fs.existsSync(`${bystander}/kernel.json`)) {
      // Lost in an earlier case (counted there): put it back for this one.
      fs.mkdirSync(bystander, { recursive: true });
      fs.writeFileSync(
        `${bystander}/kernel.json`,
        '{"argv": ["python3"], "display_name": "bystander", "language": "python"}\n'
      );
      chownTree(bystander);
    }
    const extra = tree.env?.(dir) ?? {};
    const preciousBefore = inventory(sentinel);
    const baseBefore = treeChecksum(base);
    const run = runMlcAsUser(argsFor(target), extra);
    const outcome = classify(run);
    tally.cases++;
    const where = `${tree.label} / ${verb}`;
    if (outcome === 'crash' || outcome === 'hang') {
      tally[outcome === 'crash' ? 'crashes' : 'hangs']++;
      findings.push(
        `${where}: ${outcome}: ${run.stderr.trim().split('\n')[0] ?? ''}`
      );
    } else {
      tally[outcome === 'clean error' ? 'clean errors' : 'correct results']++;
    }
    const preciousAfter = inventory(sentinel);
    const lost = [...preciousBefore]
      .filter(([file, digest]) => preciousAfter.get(file) !== digest)
      .map(([file]) => file);
    for (const file of [
      ...(tree.keep?.(dir) ?? []),
      `${bystander}/kernel.json`
    ]) {
      if (!fs.existsSync(file)) {
        lost.push(file);
      }
    }
    const added = [...preciousAfter.keys()].filter(
      file =>
        !preciousBefore.has(file) &&
        !(verb === 'install-scripts' && file === 'create-newEnv-on-base.sh')
    );
    if (lost.length) {
      tally['data lost']++;
      findings.push(`${where}: data lost: ${lost.join(', ')}`);
    }
    if (added.length) {
      tally['partial state']++;
      findings.push(
        `${where}: wrote through a link into precious files: ${added.join(', ')}`
      );
    }
    const leftovers = fs
      .readdirSync(dir)
      .filter(name => name.startsWith('.mlc-tmp'));
    if (leftovers.length) {
      tally['partial state']++;
      findings.push(`${where}: left ${leftovers.join(', ')}`);
    }
    if (treeChecksum(base) !== baseBefore) {
      tally['base writes']++;
      findings.push(`${where}: the base changed`);
    }
    if (fs.existsSync(canary)) {
      tally['code executed']++;
      findings.push(`${where}: code in a name ran`);
      fs.rmSync(canary);
    }
    // Clean up now: the scratch directory's own removal (fs.rmSync) fails on
    // a tree deeper than PATH_MAX; GNU rm does not.
    execFileSync('chmod', ['-R', 'u+rwx', '--', dir]);
    execFileSync('rm', ['-rf', '--', dir]);
    expect({
      outcome:
        outcome === 'crash' || outcome === 'hang'
          ? `${outcome}: ${run.stderr}`
          : 'ok',
      lost,
      added,
      leftovers
    }).toEqual({
      outcome: 'ok',
      lost: [],
      added: [],
      leftovers: []
    });
  });
});
