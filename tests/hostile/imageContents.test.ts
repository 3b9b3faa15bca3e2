/**
 * `mlc image manifest` against hostile image contents (issue 7, class 5):
 * huge, looping, blocking or malformed files in the prefix and the root.
 * Every run has a bounded spawn timeout, so a hang fails the test instead of
 * the suite; every answer is a correct result or one clear line, and a
 * refused run leaves the out-dir as it was.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { runMlc, type IRunResult } from '../harness/mlc';
import { makeScratch } from '../harness/paths';
import { testUser } from '../harness/user';

/** Far above what any case needs once fixed; a regression hits it and fails. */
const SPAWN_TIMEOUT_MS = 30000;

const scratch = makeScratch('hostile-image');
let counter = 0;

afterAll(() => {
  // Unreadable dirs made by a test: make them removable again.
  execFileSync('chmod', ['-R', 'u+rwX', scratch.dir]);
  scratch.cleanup();
});

describe('mlc image manifest on hostile image contents', () => {
  it('finishes on a conda record with one very long files entry', () => {
    const tree = makeTree();
    const long = 'lib/' + 'a'.repeat(2_000_000);
    record(tree.prefix, 'long-1.0-h0_0.json', {
      name: 'long',
      version: '1.0',
      files: [long, `${long}.dist-info/x`]
    });
    const result = manifest(tree);
    expect(result.code).toBe(0);
    expect(listed(tree)).toContain('long 1.0');
  });

  it('does not block on a FIFO at etc/os-release and says what is wrong', () => {
    const tree = makeTree();
    fs.mkdirSync(path.join(tree.root, 'etc'));
    execFileSync('mkfifo', [path.join(tree.root, 'etc/os-release')]);
    expectOneLine(manifest(tree), /os-release.*not a regular file/);
    expectNothingWritten(tree);
  });

  it('does not block on a FIFO as a conda record, nor on one as a METADATA', () => {
    const tree = makeTree();
    execFileSync('mkfifo', [
      path.join(tree.prefix, 'conda-meta', 'fifo-1.0-h0_0.json')
    ]);
    expectOneLine(manifest(tree), /fifo-1\.0-h0_0\.json.*not a regular file/);

    const other = makeTree();
    const distInfo = path.join(other.site, 'piped-1.0.dist-info');
    fs.mkdirSync(distInfo);
    execFileSync('mkfifo', [path.join(distInfo, 'METADATA')]);
    const result = manifest(other);
    expect(result.code).toBe(0);
    // The name from the directory, as pip would fall back to.
    expect(listed(other)).toContain('piped 1.0');
  });

  it('never reads a device a record links to', () => {
    const tree = makeTree();
    fs.symlinkSync(
      '/dev/zero',
      path.join(tree.prefix, 'conda-meta', 'zero-1.0-h0_0.json')
    );
    expectOneLine(manifest(tree), /zero-1\.0-h0_0\.json.*not a regular file/);
    expectNothingWritten(tree);
  });

  it('says that a hung rpm timed out, after a short bounded time', () => {
    const tree = makeTree();
    fs.mkdirSync(path.join(tree.root, 'var/lib/rpm'), { recursive: true });
    fs.writeFileSync(
      path.join(tree.root, 'var/lib/rpm/rpmdb.sqlite'),
      'not really'
    );
    const bin = path.join(tree.dir, 'bin');
    fs.mkdirSync(bin);
    // A child that keeps the output pipe open after the script is killed.
    fs.writeFileSync(
      path.join(bin, 'rpm'),
      '#!/bin/sh\nsleep 600\nsleep 600\n',
      { mode: 0o755 }
    );
    const result = manifest(tree, {
      PATH: `${bin}:${process.env.PATH}`,
      MLC_RPM_TIMEOUT: '2'
    });
    expectOneLine(result, /rpm .*timed out after 2 s/);
    expectNothingWritten(tree);
  });

  it('lists a dpkg status of 150k packages', () => {
    const tree = makeTree();
    const stanzas: string[] = [];
    for (let i = 0; i < 150_000; i++) {
      stanzas.push(
        `Package: pkg${i}\nStatus: install ok installed\nVersion: 1.${i}\n`
      );
    }
    fs.mkdirSync(path.join(tree.root, 'var/lib/dpkg'), { recursive: true });
    fs.writeFileSync(
      path.join(tree.root, 'var/lib/dpkg/status'),
      stanzas.join('\n')
    );
    const result = manifest(tree);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = listed(tree);
    expect(lines).toContain('pkg149999 1.149999');
    expect(lines).toHaveLength(150_000 + 1); // and python
  });

  it.each([
    ['400 digits', '1' + '0'.repeat(400)],
    ['past year 9999', '253402300800'],
    ['negative', '-5'],
    ['exponent', '1e9'],
    ['blank', ' 12']
  ])('refuses a SOURCE_DATE_EPOCH (%s) with one line', (_label, epoch) => {
    const tree = makeTree();
    expectOneLine(
      manifest(tree, { SOURCE_DATE_EPOCH: epoch }, false),
      /SOURCE_DATE_EPOCH/
    );
    expectNothingWritten(tree);
  });

  it('takes the largest valid SOURCE_DATE_EPOCH', () => {
    const tree = makeTree();
    expect(
      manifest(tree, { SOURCE_DATE_EPOCH: '253402300799' }, false).code
    ).toBe(0);
    const written = JSON.parse(
      fs.readFileSync(path.join(tree.out, 'image.json'), 'utf-8')
    );
    expect(written.buildDate).toBe('9999-12-31T23:59:59Z');
  });

  it('refuses a conda record larger than any real one without reading it', () => {
    const tree = makeTree();
    const file = path.join(tree.prefix, 'conda-meta', 'huge-1.0-h0_0.json');
    fs.writeFileSync(file, '');
    fs.truncateSync(file, 2 * 1024 * 1024 * 1024); // sparse: costs no disk
    expectOneLine(manifest(tree), /huge-1\.0-h0_0\.json.*too large/);
  });

  it('refuses a huge os-release without reading it', () => {
    const tree = makeTree();
    fs.mkdirSync(path.join(tree.root, 'etc'));
    fs.writeFileSync(path.join(tree.root, 'etc/os-release'), '');
    fs.truncateSync(path.join(tree.root, 'etc/os-release'), 1024 * 1024 * 1024);
    expectOneLine(manifest(tree), /os-release.*too large/);
  });

  it('refuses a conda-meta that is a file, and a record that is a directory', () => {
    const tree = makeTree();
    fs.rmSync(path.join(tree.prefix, 'conda-meta'), { recursive: true });
    fs.writeFileSync(path.join(tree.prefix, 'conda-meta'), 'x');
    expectOneLine(manifest(tree), /conda-meta is not a directory/);

    const other = makeTree();
    fs.mkdirSync(path.join(other.prefix, 'conda-meta', 'dir-1.0-h0_0.json'));
    expectOneLine(manifest(other), /dir-1\.0-h0_0\.json.*not a regular file/);
  });

  it('refuses a record whose name is not UTF-8, and lists a dpkg status with Latin-1 prose', () => {
    const tree = makeTree();
    const bytes = Buffer.concat([
      Buffer.from('{"name": "caf'),
      Buffer.from([0xe9]),
      Buffer.from('", "version": "1"}')
    ]);
    fs.writeFileSync(
      path.join(tree.prefix, 'conda-meta', 'cafe-1-h0_0.json'),
      bytes
    );
    expectOneLine(manifest(tree), /cafe-1-h0_0\.json.*not valid UTF-8/);

    const other = makeTree();
    fs.mkdirSync(path.join(other.root, 'var/lib/dpkg'), { recursive: true });
    const status = Buffer.concat([
      Buffer.from(
        'Package: libfoo\nStatus: install ok installed\nVersion: 2.0\nDescription: fran'
      ),
      Buffer.from([0xe7]),
      Buffer.from('ais\n')
    ]);
    fs.writeFileSync(path.join(other.root, 'var/lib/dpkg/status'), status);
    expect(manifest(other).code).toBe(0);
    expect(listed(other)).toContain('libfoo 2.0');
  });

  it('refuses a record file name that is not UTF-8, and skips such a dist-info with a warning', () => {
    const tree = makeTree();
    const bytes = (dir: string, name: number[], rest: string) =>
      Buffer.concat([
        Buffer.from(`${dir}/x`),
        Buffer.from(name),
        Buffer.from(rest)
      ]);
    fs.writeFileSync(
      bytes(path.join(tree.prefix, 'conda-meta'), [0xff], '-1-h0_0.json'),
      '{"name": "x", "version": "1"}'
    );
    expectOneLine(manifest(tree), /record whose file name is not valid UTF-8/);

    const other = makeTree();
    fs.mkdirSync(bytes(other.site, [0xfe], '-1.0.dist-info'));
    const result = manifest(other);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /^mlc: warning: .*dist-info.*not valid UTF-8; skipped\n$/
    );
  });

  it('does not block on an out-dir image.json that links to a FIFO', () => {
    const tree = makeTree();
    execFileSync('mkfifo', [path.join(tree.dir, 'fifo')]);
    fs.symlinkSync(
      path.join(tree.dir, 'fifo'),
      path.join(tree.out, 'image.json')
    );
    const args = [
      'image',
      'manifest',
      '--prefix',
      tree.prefix,
      '--root',
      tree.root,
      '--out-dir',
      tree.out
    ];
    const result = runMlc(args, { timeoutMs: SPAWN_TIMEOUT_MS });
    expectOneLine(result, /image\.json is not a regular file/);
  });

  it('answers on deeply nested JSON and ignores __proto__ keys', () => {
    const tree = makeTree();
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    fs.writeFileSync(
      path.join(tree.prefix, 'conda-meta', 'deep-1-h0_0.json'),
      `{"name": "deep", "version": "1", "extra": ${deep}}`
    );
    fs.writeFileSync(
      path.join(tree.prefix, 'conda-meta', 'proto-1-h0_0.json'),
      '{"__proto__": {"name": "evil", "files": ["x"]}, "name": "proto", "version": "1", "constructor": {"prototype": {"polluted": 1}}}'
    );
    const result = manifest(tree);
    expect(result.code).toBe(0);
    expect(listed(tree)).toEqual(expect.arrayContaining(['deep 1', 'proto 1']));
    expect(listed(tree).join('\n')).not.toContain('evil');

    const other = makeTree();
    fs.writeFileSync(
      path.join(other.prefix, 'conda-meta', 'deep-1-h0_0.json'),
      `{"name": "deep", "version": "1", "files": ${deep}}`
    );
    expectOneLine(manifest(other), /deep-1-h0_0\.json.*files/);
  });

  it('answers on symlink loops in the root', () => {
    const tree = makeTree();
    fs.mkdirSync(path.join(tree.root, 'var/lib'), { recursive: true });
    fs.symlinkSync('/var/lib/rpm', path.join(tree.root, 'var/lib/rpm'));
    fs.mkdirSync(path.join(tree.root, 'etc'));
    fs.symlinkSync('os-release', path.join(tree.root, 'etc/os-release'));
    expectOneLine(
      manifest(tree),
      /os-release under .* too many levels of symbolic links/
    );

    const other = makeTree();
    fs.mkdirSync(path.join(other.root, 'var/lib'), { recursive: true });
    fs.symlinkSync('/var/lib/rpm', path.join(other.root, 'var/lib/rpm'));
    expect(manifest(other).code).toBe(0);
  });

  it('finishes with symlink loops under site-packages', () => {
    const tree = makeTree();
    fs.symlinkSync(
      'loop-1.0.dist-info',
      path.join(tree.site, 'loop-1.0.dist-info')
    );
    fs.symlinkSync('b.dist-info', path.join(tree.site, 'a-1.0.dist-info'));
    fs.symlinkSync('a-1.0.dist-info', path.join(tree.site, 'b.dist-info'));
    const real = path.join(tree.site, 'real-2.0.dist-info');
    fs.mkdirSync(real);
    fs.symlinkSync('METADATA', path.join(real, 'METADATA'));
    fs.symlinkSync('.', path.join(tree.site, 'self'));
    const result = manifest(tree);
    expect(result.code).toBe(0);
    expect(listed(tree)).toContain('real 2.0');
  });

  it('says which directory it cannot read, as an unprivileged user', () => {
    const user = testUser();
    const tree = makeTree();
    fs.chownSync(tree.out, user.uid, user.gid);
    fs.chmodSync(path.join(tree.prefix, 'conda-meta'), 0o300);
    expectOneLine(
      manifest(tree, {}, true, true),
      /cannot read .*conda-meta.*EACCES/
    );

    const other = makeTree();
    fs.chownSync(other.out, user.uid, user.gid);
    fs.chmodSync(other.site, 0o300);
    expectOneLine(
      manifest(other, {}, true, true),
      /cannot read .*site-packages.*EACCES/
    );
  });
});

interface ITree {
  dir: string;
  prefix: string;
  site: string;
  root: string;
  out: string;
}

/** A small valid image: a prefix with a python record and a site-packages, an empty root, an out-dir. */
function makeTree(): ITree {
  const dir = path.join(scratch.dir, `case-${++counter}`);
  const prefix = path.join(dir, 'prefix');
  const site = path.join(prefix, 'lib/python3.11/site-packages');
  const root = path.join(dir, 'root');
  const out = path.join(dir, 'out');
  for (const made of [path.join(prefix, 'conda-meta'), site, root, out]) {
    fs.mkdirSync(made, { recursive: true });
  }
  fs.chmodSync(dir, 0o755);
  record(prefix, 'python-3.11.7-h0_0_cpython.json', {
    name: 'python',
    version: '3.11.7',
    files: ['bin/python3.11']
  });
  return { dir, prefix, site, root, out };
}

function record(prefix: string, name: string, value: unknown): void {
  fs.writeFileSync(
    path.join(prefix, 'conda-meta', name),
    JSON.stringify(value)
  );
}

function manifest(
  tree: ITree,
  env: NodeJS.ProcessEnv = {},
  withDate = true,
  unprivileged = false
): IRunResult {
  const args = [
    'image',
    'manifest',
    '--prefix',
    tree.prefix,
    '--root',
    tree.root,
    '--out-dir',
    tree.out,
    '--name',
    'hostile'
  ];
  return runMlc(withDate ? [...args, '--build-date', '2024-05-01'] : args, {
    env: { SOURCE_DATE_EPOCH: '', ...env },
    timeoutMs: SPAWN_TIMEOUT_MS,
    unprivileged
  });
}

function listed(tree: ITree): string[] {
  return fs
    .readFileSync(path.join(tree.out, 'list-of-pkgs-inside.txt'), 'utf-8')
    .trim()
    .split('\n');
}

/** A refusal: a non-zero exit and one `mlc: error:` line that is not an internal error. */
function expectOneLine(result: IRunResult, pattern: RegExp): void {
  expect(result.stderr).toMatch(/^mlc: error: [^\n]+\n$/);
  expect(result.stderr).not.toContain('internal error');
  expect(result.stderr).toMatch(pattern);
  expect(result.code).not.toBe(0);
}

function expectNothingWritten(tree: ITree): void {
  expect(fs.readdirSync(tree.out)).toEqual([]);
}
