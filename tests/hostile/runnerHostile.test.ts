/**
 * The runner's verbs (setup, enter, status, update, info, pull-limit)
 * against hostile input: a recording stand-in engine first on PATH
 * (fixtures/recordingEngine.cjs: it logs every argv and answers with
 * hostile values on request), a hostile registry on loopback
 * (fixtures/hostileRegistry.ts: slow bodies, endless pages, bad URLs, huge
 * tokens, redirect loops), hostile catalogues and state files. Every run has
 * a spawn timeout (a hang is a finding, not a wait) and is classified;
 * the engine log is searched for every hostile value (one that reached an
 * engine or installer before `--` is an option injected). The table is
 * printed and written to build/reports/hostile-runner-table.json; the suite
 * fails on any crash, hang, option injected, partial state or foreign exec.
 */
import { spawn, spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import { argumentProblem } from '../../src/core/argv';
import { parseImageReference } from '../../src/core/runner/imageReference';
import { validateOndemandRequest } from '../../src/cli/hub/ondemandScript';
import { MLC_BUNDLE, makeScratch, REPO } from '../harness/paths';
import {
  manifestDigest,
  startHostileRegistry,
  type IHostileRegistry
} from './fixtures/hostileRegistry';

/** Long enough for a loaded machine, short enough to call a hang a hang. */
const HANG_MS = 30000;
const ENGINE = path.join(__dirname, 'fixtures', 'recordingEngine.cjs');

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

let scratch: { dir: string; cleanup: () => void };
let registry: IHostileRegistry;
let env: NodeJS.ProcessEnv;
let log: string;
let containers: string;
let counter = 0;

interface IRun {
  code: number;
  stdout: string;
  stderr: string;
  hung: boolean;
}

beforeAll(async () => {
  scratch = makeScratch('runner-hostile');
  registry = await startHostileRegistry();
  const bin = path.join(scratch.dir, 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(ENGINE, path.join(bin, 'podman'));
  log = path.join(scratch.dir, 'engine.log');
  containers = path.join(scratch.dir, 'containers');
  fs.mkdirSync(containers);
  env = {
    PATH: [bin, path.dirname(process.execPath), '/usr/bin', '/bin'].join(':'),
    HOME: path.join(scratch.dir, 'home'),
    XDG_CONFIG_HOME: path.join(scratch.dir, 'config'),
    XDG_RUNTIME_DIR: path.join(scratch.dir, 'runtime'),
    REGISTRY_AUTH_FILE: path.join(scratch.dir, 'no-auth.json'),
    DOCKER_CONFIG: path.join(scratch.dir, 'docker'),
    MLC_CATALOGUE: '',
    MLC_HTTP_TIMEOUT: '3',
    MLC_DOCKERHUB_REGISTRY_URL: registry.url,
    MLC_DOCKERHUB_AUTH_URL: `${registry.url}/token/good`,
    MLC_DOCKERHUB_HUB_URL: `${registry.url}/hub`,
    REC_LOG: log,
    REC_STATE: containers,
    LANG: 'C.UTF-8'
  };
});

afterAll(async () => {
  await registry?.close();
  scratch?.cleanup();
  const table = { ...tally, findings };
  fs.mkdirSync(path.join(REPO, 'build', 'reports'), { recursive: true });
  fs.writeFileSync(
    path.join(REPO, 'build', 'reports', 'hostile-runner-table.json'),
    JSON.stringify(table, null, 2) + '\n'
  );
  const rows = Object.entries(tally).map(
    ([what, count]) => `  ${what.padEnd(17)} ${count}`
  );
  process.stdout.write(
    `\nhostile runner:\n${rows.join('\n')}\n${findings.map(line => `  finding: ${line}`).join('\n')}\n`
  );
});

/** `mlc ARGS` without blocking this process (the registry answers from it), killed at HANG_MS. */
function mlc(
  args: string[],
  cwd: string,
  extra: NodeJS.ProcessEnv = {}
): Promise<IRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MLC_BUNDLE, ...args], {
      cwd,
      env: { ...env, ...extra },
      stdio: ['ignore', 'pipe', 'pipe']
    });
    let stdout = '';
    let stderr = '';
    let hung = false;
    child.stdout.on('data', chunk => (stdout += chunk));
    child.stderr.on('data', chunk => (stderr += chunk));
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, HANG_MS);
    child.on('error', reject);
    child.on('close', code => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, hung });
    });
  });
}

function calls(): string[][] {
  return fs.existsSync(log)
    ? fs
        .readFileSync(log, 'utf-8')
        .split('\n')
        .filter(Boolean)
        .map(line => JSON.parse(line) as string[])
    : [];
}

/** Hostile values found in an engine argv before its `--` (as an option could be read). */
function injected(values: readonly string[]): string[] {
  const found: string[] = [];
  for (const argv of calls()) {
    const end = argv.indexOf('--');
    const head = end >= 0 ? argv.slice(0, end) : argv;
    for (const value of values) {
      // A short value is matched whole: `-e` is also the engines' own option.
      const hit = (arg: string) =>
        value.length < 4 ? arg === value : arg.includes(value);
      if (head.some(hit)) {
        found.push(`${value} in ${JSON.stringify(argv).slice(0, 200)}`);
      }
    }
  }
  return found;
}

type Expect = 'error' | 'ok' | 'either';

/**
 * Classify one run and count it; `hostile` are the values that must never
 * reach an engine as an option. Returns the run for the case's own checks.
 */
async function tried(
  label: string,
  args: string[],
  cwd: string,
  options: {
    expect: Expect;
    hostile?: string[];
    env?: NodeJS.ProcessEnv;
    message?: RegExp;
    /** Whether the run made an engine run something it must not (counted before the verdict). */
    executed?: () => boolean;
  }
): Promise<IRun> {
  fs.rmSync(log, { force: true });
  const outside = fs.readdirSync(path.dirname(cwd)).sort().join('\n');
  const run = await mlc(args, cwd, options.env);
  tally.cases++;
  const lines = run.stderr.trimEnd().split('\n').filter(Boolean);
  let outcome: 'clean' | 'ok' | 'crash' | 'hang';
  if (run.hung) {
    outcome = 'hang';
  } else if (
    /internal error|Invalid URL|TypeError|at .*\.cjs:\d+/i.test(run.stderr) ||
    (run.code !== 0 &&
      (lines.length !== 1 || !lines[0].startsWith('mlc: error: ')))
  ) {
    outcome = 'crash';
  } else {
    outcome = run.code === 0 ? 'ok' : 'clean';
  }
  const wrong =
    (options.expect === 'error' && outcome === 'ok') ||
    (options.expect === 'ok' && outcome === 'clean') ||
    (outcome === 'clean' &&
      options.message !== undefined &&
      !options.message.test(run.stderr));
  if (outcome === 'hang') {
    tally.hangs++;
    findings.push(`${label}: hang`);
  } else if (outcome === 'crash') {
    tally.crashes++;
    findings.push(`${label}: crash: ${run.stderr.slice(0, 300)}`);
  } else if (wrong) {
    findings.push(
      `${label}: wrong outcome (${outcome}): ${run.stderr.slice(0, 300)}`
    );
  } else if (outcome === 'ok') {
    tally['correct results']++;
  } else {
    tally['clean errors']++;
  }
  const leaked = injected(options.hostile ?? []);
  if (leaked.length > 0) {
    tally['options injected']++;
    findings.push(`${label}: option injected: ${leaked[0]}`);
  }
  if (fs.readdirSync(path.dirname(cwd)).sort().join('\n') !== outside) {
    tally['writes outside']++;
    findings.push(`${label}: wrote beside the work directory`);
  }
  if (options.executed?.()) {
    tally['code executed']++;
    findings.push(`${label}: ran a command in what is not ours`);
  }
  // Each case fails where it happens (the table is the summary).
  const bad = outcome === 'hang' || outcome === 'crash' || wrong;
  expect({ label, bad, leaked }).toEqual({ label, bad: false, leaked: [] });
  return run;
}

function workdir(): string {
  const dir = path.join(scratch.dir, 'work', `${++counter}`, 'here');
  fs.mkdirSync(dir, { recursive: true });
  return fs.realpathSync(dir);
}

function catalogue(dir: string, entries: Record<string, unknown>[]): string {
  const file = path.join(path.dirname(dir), 'catalogue.json');
  fs.writeFileSync(
    file,
    JSON.stringify({ schemaVersion: 1, replaceDefaults: true, images: entries })
  );
  return file;
}

function entry(reference: string, name = 'img'): Record<string, unknown> {
  return { name, tag: 't', reference, flavour: 'cpu', python: '3.11' };
}

function deadPid(): number {
  return spawnSync('true').pid as number;
}

const HOSTILE_REFERENCES = [
  '-eFOO.x:1/y:t',
  '--privileged:1/y:t',
  '--entrypoint=sh:1/y:t',
  '-x/y:t',
  '-/y:t',
  'a.-b:1/y:t',
  '-b-.c:5000/y:t',
  '--network=host/y:t'
];

describe('options injected: catalogue references', () => {
  it.each(HOSTILE_REFERENCES)(
    'setup, info and the hub script refuse %s alike',
    async reference => {
      const dir = workdir();
      const file = catalogue(dir, [entry(reference)]);
      for (const verb of [
        ['setup', 'img:t', '--podman', '--no-enter'],
        ['info', 'img:t'],
        ['images']
      ]) {
        await tried(
          `${verb[0]} ${reference}`,
          [...verb, '--catalogue', file],
          dir,
          { expect: 'error', hostile: [reference] }
        );
      }
      expect(calls()).toEqual([]);
      // The hub script's check and the catalogue's check are one rule.
      const hub = () =>
        validateOndemandRequest({
          engine: 'podman',
          image: reference,
          binds: [],
          gpu: false
        });
      if (argumentProblem(reference) !== null) {
        expect(hub).toThrow();
      } else {
        expect(hub).not.toThrow();
      }
      expect(fs.existsSync(path.join(dir, '.mlc-container.json'))).toBe(false);
    }
  );

  it('agrees with the hub check on every generated value (property)', () => {
    const word = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc
        .tuple(
          fc.constantFrom('-', '--', '-e', '--x=', 'a', 'docker.io/', ''),
          fc.string({ maxLength: 30 }),
          fc.constantFrom('', ':t', '/y:t', '.x:1/y:t')
        )
        .map(([a, b, c]) => `${a}${b}${c}`)
    );
    let runs = 0;
    fc.assert(
      fc.property(word, value => {
        runs++;
        const problem = argumentProblem(value);
        let hubRefused = false;
        try {
          validateOndemandRequest({
            engine: 'podman',
            image: value,
            binds: [],
            gpu: false
          });
        } catch {
          hubRefused = true;
        }
        // One rule: the hub refuses exactly what the rule refuses...
        expect(hubRefused).toBe(problem !== null);
        // ...and no reference the catalogue accepts is refused by it.
        if (parseImageReference(value).ok) {
          expect(problem).toBeNull();
          expect(value.startsWith('-')).toBe(false);
        }
      }),
      { numRuns: 2000 }
    );
    tally.cases += runs;
    tally['correct results'] += runs;
  });
});

describe('a recorded setup', () => {
  let dir: string;
  let history: string;
  let pipList: string;
  const setUp = async () => {
    dir = workdir();
    const file = catalogue(dir, [entry(`${registry.host}/good/img:t`)]);
    const run = await tried(
      'setup good',
      ['setup', 'img:t', '--podman', '--no-enter', '--catalogue', file],
      dir,
      { expect: 'ok' }
    );
    expect(run.code).toBe(0);
    history = path.join(path.dirname(dir), 'history');
    pipList = path.join(path.dirname(dir), 'piplist.json');
    const packages = path.join(path.dirname(dir), 'pkgs.txt');
    fs.writeFileSync(packages, 'numpy 1.26.4\n');
    return {
      MLC_CATALOGUE: file,
      REC_HISTORY: history,
      REC_PIPLIST: pipList,
      REC_PKGLIST: packages
    };
  };

  const condaCases: [string, string][] = [
    ['-cevilchannel', '["-cevilchannel"]'],
    ['--override-channels', '["--override-channels"]'],
    ['-y', '["-y"]']
  ];
  const pipCases: [string, string][] = [
    ['--index-url=http://evil.example/simple/', '2'],
    ['-e', 'git+http://evil.example/x'],
    ['--pre', '1'],
    ['ok-name', '1 --index-url=http://evil.example/'],
    ['name;touch', '1']
  ];

  it.each(condaCases)(
    'update -f refuses the conda spec %s read from the old container',
    async (value, specs) => {
      const extra = await setUp();
      fs.writeFileSync(
        history,
        `==> 2099-01-01 00:00:00 <==\n# cmd: micromamba install x\n# update specs: ${specs}\n+conda-forge::ok-1.0-h0_0\n`
      );
      fs.writeFileSync(pipList, '[{"name": "numpy", "version": "1.26.4"}]');
      await updateRefused(extra, value, value);
    }
  );

  it.each(pipCases)(
    'update -f refuses the pip package %s read from the old container',
    async (name, version) => {
      const extra = await setUp();
      fs.writeFileSync(history, '');
      fs.writeFileSync(
        pipList,
        JSON.stringify([
          { name: 'numpy', version: '1.26.4' },
          { name, version }
        ])
      );
      await updateRefused(extra, name, `${name}==${version}`);
    }
  );

  async function updateRefused(
    extra: NodeJS.ProcessEnv,
    value: string,
    passed: string
  ): Promise<void> {
    const before = fs.readFileSync(path.join(dir, '.mlc-container.json'));
    const containersBefore = fs.readdirSync(containers).length;
    registry.version++;
    await tried(`update -f ${value}`, ['update', '-f'], dir, {
      expect: 'error',
      hostile: [passed],
      env: extra,
      message: /names a package/
    });
    const installs = calls().filter(argv => argv.includes('install'));
    expect(installs).toEqual([]);
    // Nothing made, nothing changed: the old setup stays as it was.
    const partial =
      fs.readdirSync(containers).length !== containersBefore ||
      !fs.readFileSync(path.join(dir, '.mlc-container.json')).equals(before);
    if (partial) {
      tally['partial state']++;
      findings.push(`update -f ${value}: partial state`);
    }
    expect(partial).toBe(false);
  }

  it('update -f reinstalls well-formed packages, each after --', async () => {
    const extra = await setUp();
    fs.writeFileSync(
      history,
      '==> 2099-01-01 00:00:00 <==\n# cmd: micromamba install dask\n# update specs: ["dask"]\n+conda-forge::dask-2023.5.0-pyhd8ed1ab_0\n'
    );
    fs.writeFileSync(
      pipList,
      JSON.stringify([
        { name: 'numpy', version: '1.26.4' },
        { name: 'rich', version: '13.7.0' }
      ])
    );
    registry.version++;
    await tried('update -f benign', ['update', '-f'], dir, {
      expect: 'ok',
      env: extra
    });
    const installs = calls().filter(argv => argv.includes('install'));
    expect(installs.map(argv => argv.slice(argv.lastIndexOf('--')))).toEqual([
      ['--', 'dask'],
      ['--', 'rich==13.7.0']
    ]);
  });

  it('enter, status and update refuse a state naming another directory’s container', async () => {
    const extra = await setUp();
    const own = JSON.parse(
      fs.readFileSync(path.join(dir, '.mlc-container.json'), 'utf-8')
    ) as { container: { id: string; name: string }; workdirId: string };
    const variants: [string, Record<string, string>][] = [
      ['labels of another dir', { 'io.github.mlc.workdir-id': 'f'.repeat(64) }],
      ['no labels', {}],
      [
        'our dir, another setup',
        {
          'io.github.mlc.workdir-id': own.workdirId,
          'io.github.mlc.setup-id': 'a'.repeat(32)
        }
      ]
    ];
    for (const [label, labels] of variants) {
      const foreign = randomBytes(32).toString('hex');
      const foreignExecs = () =>
        calls().filter(argv => argv[1] === 'exec' && argv.includes(foreign));
      fs.writeFileSync(
        path.join(containers, foreign),
        JSON.stringify({
          Id: foreign,
          Name: `theirs-${foreign.slice(0, 6)}`,
          State: { Status: 'running' },
          Config: { Labels: labels }
        })
      );
      const state = JSON.parse(
        fs.readFileSync(path.join(dir, '.mlc-container.json'), 'utf-8')
      ) as { container: { id: string; name: string } };
      state.container = { id: foreign, name: `theirs-${foreign.slice(0, 6)}` };
      fs.writeFileSync(
        path.join(dir, '.mlc-container.json'),
        JSON.stringify(state)
      );
      for (const verb of [['enter', 'id'], ['status'], ['update', '-f']]) {
        await tried(`${verb[0]}: ${label}`, verb, dir, {
          // status and update may answer (nothing of the foreign one is touched); enter must refuse.
          expect: verb[0] === 'enter' ? 'error' : 'either',
          env: extra,
          executed: () => foreignExecs().length > 0
        });
        expect(foreignExecs()).toEqual([]);
      }
    }
  });

  it('enter takes a kept ownership proof only from the user’s own private cache, and only for the exact container', async () => {
    const extra = await setUp();
    const file = path.join(dir, '.mlc-container.json');
    const own = JSON.parse(fs.readFileSync(file, 'utf-8')) as {
      container: { id: string; name: string };
      workdirId: string;
      setupId: string;
    };
    // The own container, entered once: the engine's word is kept, then used (one engine call).
    await tried('enter own', ['enter', 'true'], dir, {
      expect: 'ok',
      env: extra
    });
    await tried('enter own, kept proof', ['enter', 'true'], dir, {
      expect: 'ok',
      env: extra
    });
    expect(calls().map(argv => argv[1])).toEqual(['exec']);

    // A running container of another directory, named by the state.
    const foreign = randomBytes(32).toString('hex');
    fs.writeFileSync(
      path.join(containers, foreign),
      JSON.stringify({
        Id: foreign,
        Name: `theirs-${foreign.slice(0, 6)}`,
        State: { Status: 'running' },
        Config: {
          Labels: { 'io.github.mlc.workdir-id': 'f'.repeat(64) }
        }
      })
    );
    fs.writeFileSync(
      file,
      JSON.stringify({
        ...own,
        container: { id: foreign, name: `theirs-${foreign.slice(0, 6)}` }
      })
    );
    const cache = path.join(env.HOME as string, '.cache', 'mlc', 'containers');
    const proof = path.join(cache, own.workdirId);
    const forged = `mlc-container-proof 1 podman ${foreign} ${own.workdirId} ${own.setupId}\n`;
    const elsewhere = path.join(scratch.dir, `proof-${foreign.slice(0, 8)}`);
    fs.writeFileSync(elsewhere, forged, { mode: 0o600 });
    const plants: [string, () => void][] = [
      ['the kept proof of the own container', () => undefined],
      [
        'a proof others may write',
        () => {
          fs.writeFileSync(proof, forged);
          fs.chmodSync(proof, 0o666);
        }
      ],
      [
        'a proof in a directory others may write',
        () => {
          fs.rmSync(proof, { force: true });
          fs.writeFileSync(proof, forged, { mode: 0o600 });
          fs.chmodSync(cache, 0o777);
        }
      ],
      [
        'a link to a proof',
        () => {
          fs.chmodSync(cache, 0o700);
          fs.rmSync(proof, { force: true });
          fs.symlinkSync(elsewhere, proof);
        }
      ]
    ];
    for (const [label, plant] of plants) {
      plant();
      await tried(`enter: ${label}`, ['enter', 'id'], dir, {
        expect: 'error',
        env: extra,
        message: /not the one set up here/,
        executed: () =>
          calls().some(argv => argv[1] === 'exec' && argv.includes(foreign))
      });
    }
    fs.rmSync(proof, { force: true });
  });

  it.each([
    'yesterday',
    '2024-13-45T00:00:00Z',
    '2024-01-02',
    'Tue, 02 Jan 2024 03:04:05 GMT',
    ' '
  ])('a setupAt of %j is one line', async setupAt => {
    const extra = await setUp();
    const file = path.join(dir, '.mlc-container.json');
    const state = JSON.parse(fs.readFileSync(file, 'utf-8')) as Record<
      string,
      unknown
    >;
    fs.writeFileSync(file, JSON.stringify({ ...state, setupAt }));
    for (const verb of [['status'], ['enter', 'true'], ['update']]) {
      await tried(`${verb[0]} setupAt ${setupAt}`, verb, dir, {
        expect: 'error',
        env: extra,
        message: /setupAt/
      });
    }
  });

  it('status shows state-file text with its escapes made visible', async () => {
    const extra = await setUp();
    const file = path.join(dir, '.mlc-container.json');
    const state = JSON.parse(fs.readFileSync(file, 'utf-8')) as {
      image: Record<string, unknown>;
    };
    state.image.created = '\u001b]0;pwned\u0007\u001b[2J';
    state.image.lastUpdated = 'a\u202eb\nforged line';
    fs.writeFileSync(file, JSON.stringify(state));
    const run = await tried('status escapes', ['status'], dir, {
      expect: 'ok',
      env: extra
    });
    for (const raw of ['\u001b', '\u0007', '\u202e']) {
      expect(run.stdout).not.toContain(raw);
    }
    expect(run.stdout).not.toMatch(/^forged line/m);
  });

  it('a state write killed before its rename is cleaned by the next verb', async () => {
    const extra = await setUp();
    const stale = path.join(
      dir,
      `..mlc-container.json.mlc-tmp-${deadPid()}-0badc0de`
    );
    fs.writeFileSync(stale, '{"half": ');
    const alive = path.join(
      dir,
      `..mlc-container.json.mlc-tmp-${process.pid}-0badc0de`
    );
    fs.writeFileSync(alive, '{"being written": ');
    const notOurs = path.join(dir, '.mlc-container.json.mlc-tmp-1-zzzz');
    fs.writeFileSync(notOurs, 'user file');
    await tried('status cleans a staged state', ['status'], dir, {
      expect: 'ok',
      env: extra
    });
    expect(fs.existsSync(stale)).toBe(false);
    // A live writer's file and a name not of our pattern stay.
    expect(fs.existsSync(alive)).toBe(true);
    expect(fs.existsSync(notOurs)).toBe(true);
  });
});

describe('an engine that answers for every name', () => {
  it('setup stops naming containers and says why', async () => {
    const dir = workdir();
    const file = catalogue(dir, [entry(`${registry.host}/good/img:t`)]);
    await tried(
      'naming loop',
      ['setup', 'img:t', '--podman', '--no-enter', '--catalogue', file],
      dir,
      {
        expect: 'error',
        env: { REC_INSPECT_ALL: '1' },
        message: /already has \d+ containers/
      }
    );
    expect(calls().filter(argv => argv[1] === 'create')).toEqual([]);
    expect(fs.existsSync(path.join(dir, '.mlc-container.json'))).toBe(false);
  });
});

describe('a hostile registry', () => {
  const cases: [string, string, RegExp][] = [
    ['slow body', 'HOST/slow/x:t', /did not finish answering within 3 s/],
    ['bad Location', 'HOST/badloc/x:t', /redirect .* is not a URL/],
    ['redirect loop', 'HOST/loop/x:t', /too many redirects/],
    ['bad realm', 'HOST/badrealm/x:t', /realm.*is not a.*URL/],
    ['huge token', 'HOST/hugetoken/x:t', /larger than/],
    ['long token', 'HOST/longtoken/x:t', /token that is not one/],
    ['bad token', 'HOST/badtoken/x:t', /token that is not one/],
    ['slow tag pages', 'docker.io/slowpages/x:t', /within 3 s/],
    ['bad next page', 'docker.io/badnext/x:t', /next page.*is not a URL/],
    [
      'wrong digest header',
      'HOST/wrongdigest/x:t',
      /Docker-Content-Digest for wrongdigest\/x:t is not the sha256 of the manifest it sent \(sha256:[a-f0-9]{64}\)/
    ]
  ];

  it.each(cases)('info: %s is one line', async (label, reference, message) => {
    const dir = workdir();
    const file = catalogue(dir, [
      entry(reference.replace('HOST', registry.host))
    ]);
    await tried(`info ${label}`, ['info', 'img:t', '--catalogue', file], dir, {
      expect: 'error',
      message
    });
  });

  it('info: endless tag pages end (a bound on pages and on time)', async () => {
    const dir = workdir();
    const file = catalogue(dir, [entry('docker.io/endless/x:t')]);
    const before = registry.hits.get('tags-endless') ?? 0;
    await tried(
      'info endless pages',
      ['info', 'img:t', '--catalogue', file],
      dir,
      {
        expect: 'either'
      }
    );
    expect(
      (registry.hits.get('tags-endless') ?? 0) - before
    ).toBeLessThanOrEqual(200);
  });

  it.each(['abc', '0', '-1', '1e9', '99999999', '3s', ' 3'])(
    'MLC_HTTP_TIMEOUT=%j is one line',
    async value => {
      const dir = workdir();
      const file = catalogue(dir, [entry(`${registry.host}/good/img:t`)]);
      await tried(
        `MLC_HTTP_TIMEOUT=${value}`,
        ['info', 'img:t', '--catalogue', file],
        dir,
        {
          expect: 'error',
          env: { MLC_HTTP_TIMEOUT: value },
          message: /MLC_HTTP_TIMEOUT/
        }
      );
    }
  );

  it.each(['http://[bad', 'ftp://auth.example/token', 'not a url', '::'])(
    'MLC_DOCKERHUB_AUTH_URL=%j is one line',
    async value => {
      await tried(`auth url ${value}`, ['pull-limit'], workdir(), {
        expect: 'error',
        env: { MLC_DOCKERHUB_AUTH_URL: value },
        message: /MLC_DOCKERHUB_AUTH_URL/
      });
    }
  );

  it('a well-behaved registry still answers', async () => {
    const dir = workdir();
    const file = catalogue(dir, [entry(`${registry.host}/good/img:t`)]);
    const run = await tried(
      'info good',
      ['info', 'img:t', '--catalogue', file, '--json'],
      dir,
      {
        expect: 'ok'
      }
    );
    expect(run.stdout).toMatch(/"compressedSize":\d+/);
    expect(run.stdout).toContain(
      `"digest":"${manifestDigest(registry.version)}"`
    );
  });

  it('info reports the sha256 of the body when the header names another algorithm', async () => {
    const dir = workdir();
    const file = catalogue(dir, [entry(`${registry.host}/sha512digest/img:t`)]);
    const run = await tried(
      'info sha512 header',
      ['info', 'img:t', '--catalogue', file, '--json'],
      dir,
      { expect: 'ok' }
    );
    expect(run.stdout).toContain(
      `"digest":"${manifestDigest(registry.version)}"`
    );
    expect(run.stdout).not.toContain('sha512:');
  });
});

afterAll(() => {
  // The suite's verdict: the classes the issue names, all at zero.
  expect(findings).toEqual([]);
  expect({
    crashes: tally.crashes,
    hangs: tally.hangs,
    injected: tally['options injected'],
    partial: tally['partial state'],
    executed: tally['code executed'],
    outside: tally['writes outside']
  }).toEqual({
    crashes: 0,
    hangs: 0,
    injected: 0,
    partial: 0,
    executed: 0,
    outside: 0
  });
});
