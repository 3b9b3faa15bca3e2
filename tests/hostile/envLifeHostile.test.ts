/**
 * The env-life verbs against hostile input, as the unprivileged user:
 * revision files that are links, FIFOs, huge or garbage; lock files that
 * are malformed, huge, a FIFO or name paths; specs and names that look like
 * options; a directory that is not an env; an index that is down or
 * answers garbage. Each gives one clear line (or, for history, a warning
 * naming the refused file), a bounded run, the env unchanged and the base
 * unchanged (useEnvFixture compares its checksum after every test).
 */
import { execFileSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import type {
  IEnvHistoryResult,
  IEnvInstallResult
} from '../../src/core/envLife';
import type {
  IEnvCheckResult,
  IEnvCreateResult
} from '../../src/core/envRecord';
import {
  mlcAsUser,
  resultData,
  treeChecksum,
  useEnvFixture,
  userDir,
  type IUserPlaces,
  onlyErrorLine as errorLine
} from '../harness/unprivilegedBase';
import { buildPackages } from '../harness/packageIndex';
import { mlcAsUserAsync, untilGone, whenPending } from '../harness/changeRuns';
import { testUser } from '../harness/user';

const fixture = useEnvFixture('env-life-hostile');
let places: IUserPlaces;
let envs: string;
let env: string;

beforeAll(() => {
  places = fixture.places;
  envs = userDir(`${fixture.scratch}/envs`);
  env = `${envs}/target`;
  const run = mlcAsUser(
    ['env', 'create', env, '--base', fixture.base, '--no-kernel', '--json'],
    places
  );
  expect(run.code).toBe(0);
  resultData<IEnvCreateResult>(run);
});

function mlc(args: string[], env: NodeJS.ProcessEnv = {}) {
  // --json first: after a `--` it would be a spec.
  return mlcAsUser(['--json', ...args], places, { env, timeoutMs: 120000 });
}

/** Write a file in the env as the test user would (owned by it). */
function asUser(file: string, write: () => void): void {
  write();
  const user = testUser();
  fs.lchownSync(file, user.uid, user.gid);
}

describe('hostile revision files', () => {
  const revisions = () => `${env}/.mlc-revisions`;
  afterEach(() => {
    for (const name of [
      '2.json',
      '3.json',
      '4.json',
      '5.json',
      'pending.json'
    ]) {
      fs.rmSync(`${revisions()}/${name}`, { force: true });
    }
  });

  it('refuses a link, a FIFO, a huge file and garbage, naming each, and reads the rest', () => {
    asUser(`${revisions()}/2.json`, () =>
      fs.symlinkSync('/etc/passwd', `${revisions()}/2.json`)
    );
    asUser(`${revisions()}/3.json`, () =>
      execFileSync('mkfifo', [`${revisions()}/3.json`])
    );
    asUser(`${revisions()}/4.json`, () =>
      fs.writeFileSync(`${revisions()}/4.json`, Buffer.alloc(5 << 20, 0x20))
    );
    asUser(`${revisions()}/5.json`, () =>
      fs.writeFileSync(
        `${revisions()}/5.json`,
        JSON.stringify({
          schemaVersion: 1,
          number: 5,
          time: 'x',
          command: 'install',
          args: [],
          image: {
            reference: '',
            buildDate: '',
            packagesDigest: '0'.repeat(64),
            packageCount: 0,
            source: 'records'
          },
          python: '3',
          pip: [{ name: '../../etc/passwd', version: '1' }],
          conda: []
        })
      )
    );
    const run = mlc(['env', 'history', env]);
    expect(run.code).toBe(0);
    const history = resultData<IEnvHistoryResult>(run);
    expect(history.revisions.map(r => r.number)).toEqual([1]);
    expect(history.unreadable).toHaveLength(4);
    expect(history.unreadable.join('\n')).toMatch(/2\.json.*link/);
    expect(history.unreadable.join('\n')).toMatch(/3\.json.*FIFO/);
    expect(history.unreadable.join('\n')).toMatch(/4\.json.*too large/);
    expect(history.unreadable.join('\n')).toMatch(/5\.json.*pip/);
  });

  it('refuses to roll back to a hostile revision, in one line, changing nothing', () => {
    asUser(`${revisions()}/2.json`, () =>
      fs.writeFileSync(
        `${revisions()}/2.json`,
        '{"schemaVersion": 1, "number": 2'
      )
    );
    const before = treeChecksum(env);
    const run = mlc(['env', 'rollback', env, '2']);
    expect(run.code).toBe(2);
    expect(errorLine(run.stdout)).toContain('revision 2 cannot be used');
    expect(treeChecksum(env)).toBe(before);
    const bad = mlc(['env', 'rollback', env, '../1']);
    expect(bad.code).toBe(2);
    expect(errorLine(bad.stdout)).toContain('invalid revision');
  });

  it('a hostile pending mark is ignored, never followed', () => {
    asUser(`${revisions()}/pending.json`, () =>
      fs.symlinkSync('/etc/shadow', `${revisions()}/pending.json`)
    );
    const run = mlc(['env', 'check', env]);
    const result = resultData<IEnvCheckResult>(run);
    expect(result.problems.map(p => p.code)).not.toContain(
      'change-interrupted'
    );
  });
});

describe('hostile lock files', () => {
  const lockDir = () => userDir(`${fixture.scratch}/locks`);
  const cases: Array<[string, (file: string) => void, RegExp]> = [
    [
      'malformed JSON',
      file => fs.writeFileSync(file, '{"kind": "mlc-env-lock",'),
      /not valid JSON/
    ],
    [
      'huge',
      file => fs.writeFileSync(file, Buffer.alloc(5 << 20, 0x20)),
      /too large/
    ],
    ['a FIFO', file => execFileSync('mkfifo', [file]), /FIFO/],
    [
      'a path as a package name',
      file =>
        fs.writeFileSync(
          file,
          JSON.stringify({
            kind: 'mlc-env-lock',
            lockVersion: 1,
            exportedAt: 'now',
            envName: 'x',
            image: {
              reference: '',
              buildDate: '',
              packagesDigest: '0'.repeat(64),
              packageCount: 0,
              source: 'records'
            },
            python: '3.11',
            pip: [{ name: '/etc/passwd', version: '1.0' }],
            conda: []
          })
        ),
      /pip\.0\.name/
    ],
    [
      'an option as a version',
      file =>
        fs.writeFileSync(
          file,
          JSON.stringify({
            kind: 'mlc-env-lock',
            lockVersion: 1,
            exportedAt: 'now',
            envName: 'x',
            image: {
              reference: '',
              buildDate: '',
              packagesDigest: '0'.repeat(64),
              packageCount: 0,
              source: 'records'
            },
            python: '3.11',
            pip: [{ name: 'requests', version: '--index-url=http://evil' }],
            conda: []
          })
        ),
      /pip\.0\.version/
    ]
  ];
  it.each(cases)(
    'refuses a lock file that is %s, making no env',
    (_label, make, pattern) => {
      const file = `${lockDir()}/lock-${Math.random().toString(36).slice(2)}.json`;
      asUser(file, () => make(file));
      const target = `${envs}/from-lock`;
      const run = mlc([
        'env',
        'create',
        target,
        '--base',
        fixture.base,
        '--no-kernel',
        '--from',
        file
      ]);
      expect(run.code).toBe(2);
      expect(errorLine(run.stdout)).toMatch(pattern);
      expect(fs.existsSync(target)).toBe(false);
    }
  );
});

describe('hostile specs, names and places', () => {
  it.each([
    ['--index-url=http://evil'],
    ['-r/etc/passwd'],
    ['pkg; rm -rf ~'],
    ['pkg @ file:///etc'],
    ['x'.repeat(400)],
    ['pkg\nERROR: a forged line'],
    ['\u001b[2Jpkg']
  ])('refuses the spec %j in one line, before pip runs', spec => {
    const before = treeChecksum(env);
    const run = mlc(['env', 'install', env, '--', spec]);
    expect(run.code).toBe(2);
    expect(errorLine(run.stdout)).toContain('invalid package spec');
    expect(treeChecksum(env)).toBe(before);
  });

  it('refuses an uninstall name that is an option', () => {
    const run = mlc(['env', 'uninstall', env, '--', '-y']);
    expect(run.code).toBe(2);
    expect(errorLine(run.stdout)).toContain('invalid package name');
  });

  it('refuses a directory that is not an env, for every verb', () => {
    const plain = userDir(`${envs}/plain`);
    for (const args of [
      ['install', plain, 'x'],
      ['uninstall', plain, 'x'],
      ['history', plain],
      ['rollback', plain, '1'],
      ['export', plain],
      ['rebase', plain]
    ]) {
      const run = mlc(['env', ...args]);
      expect(run.code).toBe(2);
      expect(errorLine(run.stdout)).toContain('is not an mlc env');
    }
    expect(fs.readdirSync(plain)).toEqual([]);
  });
});

describe('a package index that is down, answers garbage or hangs', () => {
  let server: http.Server;
  let port = 0;
  let hanging: http.Server;
  let hangingPort = 0;
  beforeAll(async () => {
    server = http.createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(
        '<html><body>\u0000garbage<a href="../../../etc/passwd#sha256=00">mlc_demo_a-1.0-py3-none-any.whl</a></body></html>'
      );
    });
    // Accepts and never answers: an install waits on it until stopped.
    hanging = http.createServer(() => undefined);
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    await new Promise<void>(resolve => hanging.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
    hangingPort = (hanging.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    hanging.closeAllConnections();
    await new Promise<void>(resolve => server.close(() => resolve()));
    await new Promise<void>(resolve => hanging.close(() => resolve()));
  });

  it.each([
    ['down', () => 'http://127.0.0.1:9/simple/'],
    ['answering garbage', () => `http://127.0.0.1:${port}/simple/`]
  ])(
    'an index that is %s: one line, the env unchanged',
    async (_label, url) => {
      fs.rmSync(`${env}/.mlc-install.log`, { force: true });
      const before = treeChecksum(env);
      const pipEnv = {
        PIP_INDEX_URL: url(),
        PIP_RETRIES: '0',
        PIP_TIMEOUT: '5',
        PIP_NO_CACHE_DIR: '1'
      };
      const dry = await mlcAsync(
        ['env', 'install', env, 'mlc-demo-a', '--dry-run'],
        pipEnv
      );
      expect(dry.code).toBe(1);
      errorLine(dry.stdout);
      const run = await mlcAsync(['env', 'install', env, 'mlc-demo-a'], pipEnv);
      expect(run.code).toBe(1);
      expect(errorLine(run.stdout)).toContain('the env is unchanged');
      expect(resultOf(run.stdout)).toBeNull();
      expect(fs.existsSync(`${env}/.mlc-revisions/pending.json`)).toBe(false);
      // Only the log of the failed run is new in the env.
      fs.rmSync(`${env}/.mlc-install.log`, { force: true });
      expect(treeChecksum(env)).toBe(before);
    }
  );

  it('SIGTERM during an install stops pip and leaves the env unchanged', async () => {
    const pipEnv = {
      PIP_INDEX_URL: `http://127.0.0.1:${hangingPort}/simple/`,
      PIP_RETRIES: '0',
      PIP_TIMEOUT: '600'
    };
    const run = await mlcAsync(
      ['env', 'install', env, 'mlc-demo-a'],
      pipEnv,
      child => whenPending(env, () => child.kill('SIGTERM'), PIP_CONNECT_MS)
    );
    expect(run.code).toBe(1);
    expect(errorLine(run.stdout)).toMatch(
      /stopped \(SIGTERM\).*the env is unchanged/
    );
    expect(fs.existsSync(`${env}/.mlc-revisions/pending.json`)).toBe(false);
  });

  it('SIGKILL during an install: env check says the env is unchanged, --fix forgets the change', async () => {
    const pipEnv = {
      PIP_INDEX_URL: `http://127.0.0.1:${hangingPort}/simple/`,
      PIP_RETRIES: '0',
      PIP_TIMEOUT: '3'
    };
    const run = await mlcAsync(
      ['env', 'install', env, 'mlc-demo-a'],
      pipEnv,
      child => whenPending(env, () => child.kill('SIGKILL'), PIP_CONNECT_MS)
    );
    expect(run.code).toBe(-1);
    // pip, in its own group, gives up on the silent index by itself.
    await untilGone(`${env}/bin/python`);
    const check = await mlcAsync(['env', 'check', env], {});
    expect(check.code).toBe(1);
    const result = resultData<IEnvCheckResult>(check);
    expect(result.problems.map(p => p.code)).toEqual(['change-interrupted']);
    expect(result.problems[0].message).toContain('the env is unchanged');
    const fixed = await mlcAsync(['env', 'check', env, '--fix'], {});
    expect(fixed.code).toBe(0);
    expect(fs.existsSync(`${env}/.mlc-revisions/pending.json`)).toBe(false);
  });
});

describe('SIGKILL during a rebase', () => {
  let wheels: string;
  let pipEnv: NodeJS.ProcessEnv;
  beforeAll(() => {
    wheels = `${fixture.scratch}/rebase-wheels`;
    buildPackages(wheels, [
      { name: 'mlc-demo-a', version: '1.0' },
      {
        name: 'mlc-demo-tool',
        version: '1.0',
        source: 'def main():\n    print("tool ok")\n',
        scripts: { 'mlc-demo-tool': 'mlc_demo_tool:main' }
      }
    ]);
    fs.chmodSync(wheels, 0o755);
    pipEnv = { PIP_NO_INDEX: '1', PIP_FIND_LINKS: wheels };
  }, 300000);

  // The progress line after which the kill is sent: the staging build, pip
  // installing into it, the smoke test, the swap (which may win the race).
  it.each([
    ['building', 'building the env again beside it'],
    ['installing', "installing the env's"],
    ['verifying', "importing the env's modules"],
    ['swapping', 'swapping the rebuilt env in']
  ])(
    'killed while %s: the env is whole, as it was or rebased, and env check says which',
    async (moment, line) => {
      const env = `${envs}/rebase-${moment}`;
      const created = await mlcAsync(
        ['env', 'create', env, '--base', fixture.base, '--no-kernel'],
        {}
      );
      expect(created.code).toBe(0);
      const installed = await mlcAsync(
        ['env', 'install', env, 'mlc-demo-a', 'mlc-demo-tool'],
        pipEnv
      );
      expect(installed.code).toBe(0);
      const before = treeChecksum(env);
      const revisionsBefore = resultData<IEnvHistoryResult>(
        await mlcAsync(['env', 'history', env], {})
      ).revisions.length;

      const run = await mlcAsync(['env', 'rebase', env], pipEnv, child =>
        child.stdout?.on('data', chunk => {
          if (String(chunk).includes(line)) {
            child.kill('SIGKILL');
          }
        })
      );
      if (moment !== 'swapping') {
        expect(run.code).toBe(-1);
      }
      // pip and the smoke test run in groups of their own: let them end.
      await untilGone(`${envs}/.mlc-tmp.`);

      const history = resultData<IEnvHistoryResult>(
        await mlcAsync(['env', 'history', env], {})
      ).revisions;
      const check = await mlcAsync(['env', 'check', env], {});
      const problems = resultData<IEnvCheckResult>(check).problems;
      if (history.length === revisionsBefore) {
        // As it was: byte for byte but the mark, which check reports and --fix forgets.
        // The hidden temporary beside it, if the kill left one, is named too.
        expect(
          problems.map(p => p.code).filter(code => code !== 'leftovers')
        ).toEqual(['change-interrupted']);
        const interrupted = problems.find(
          p => p.code === 'change-interrupted'
        ) as { message: string };
        expect(interrupted.message).toMatch(
          /mlc env rebase did not finish; the env is unchanged/
        );
        expect((await mlcAsync(['env', 'check', env, '--fix'], {})).code).toBe(
          0
        );
        expect(treeChecksum(env)).toBe(before);
      } else {
        expect(history.map(r => r.command)).toEqual([
          'create',
          'install',
          'rebase'
        ]);
        expect(
          problems.map(p => p.code).filter(code => code !== 'leftovers')
        ).toEqual([]);
      }
      // Whole either way: its scripts name the env's own path and run, its modules import.
      const user = { uid: testUser().uid, gid: testUser().gid };
      const tool = execFileSync(`${env}/bin/mlc-demo-tool`, [], {
        encoding: 'utf-8',
        ...user
      });
      expect(tool.trim()).toBe('tool ok');
      expect(
        fs.readFileSync(`${env}/bin/mlc-demo-tool`, 'utf-8')
      ).not.toContain('.mlc-tmp.');
      execFileSync(
        `${env}/bin/python`,
        ['-c', 'import mlc_demo_a, mlc_demo_tool'],
        user
      );

      // The next rebase finishes and leaves no temporary beside the env.
      const again = await mlcAsync(['env', 'rebase', env], pipEnv);
      expect(again.code).toBe(0);
      expect(
        fs.readdirSync(envs).filter(name => name.startsWith('.mlc-tmp.'))
      ).toEqual([]);
    },
    300000
  );
});

/** `mlc ARGS --json` as the test user without blocking jest's event loop (servers above answer). */
function mlcAsync(
  args: string[],
  extra: NodeJS.ProcessEnv,
  started?: (child: ChildProcess) => void
): Promise<{ code: number; stdout: string; stderr: string }> {
  return mlcAsUserAsync([...args, '--json'], places, extra, started);
}

/** How long after the change's mark pip has started and connected. */
const PIP_CONNECT_MS = 1500;

function resultOf(stdout: string): IEnvInstallResult | null {
  const line = stdout
    .split('\n')
    .find(text => text.includes('"type":"result"'));
  return line ? (JSON.parse(line) as { data: IEnvInstallResult }).data : null;
}
