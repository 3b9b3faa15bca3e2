/**
 * The removal module (src/cli/fs/removeTree.ts) against hostile trees, in
 * process: links to precious directories at every depth, a top that is a
 * link, names that are not UTF-8, FIFOs, unreadable and very deep trees, and
 * a directory swapped for a link between the walk's lstat and its descent.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  emptyTree,
  NotATreeError,
  removeEntry,
  removeTree,
  TreeChangedError
} from '../../src/cli/fs/removeTree';
import { treeChecksum } from '../harness/unprivilegedBase';

let scratch: string;

beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mlc-fs-remove-'));
});

afterEach(() => {
  jest.restoreAllMocks();
  fs.rmSync(scratch, { recursive: true, force: true });
});

function preciousTree(): { dir: string; whole: () => void } {
  const dir = `${scratch}/precious`;
  fs.mkdirSync(`${dir}/a/b`, { recursive: true });
  fs.writeFileSync(`${dir}/a/b/thesis.tex`, 'x');
  fs.writeFileSync(`${dir}/top.txt`, 'y');
  const sum = treeChecksum(dir);
  return { dir, whole: () => expect(treeChecksum(dir)).toBe(sum) };
}

it('unlinks links at every depth, never entering them', () => {
  const precious = preciousTree();
  const doomed = `${scratch}/doomed`;
  let dir = doomed;
  for (let depth = 0; depth < 5; depth++) {
    fs.mkdirSync(dir, { recursive: true });
    fs.symlinkSync(precious.dir, `${dir}/to-dir`);
    fs.symlinkSync(`${precious.dir}/top.txt`, `${dir}/to-file`);
    fs.symlinkSync('/', `${dir}/to-root`);
    fs.symlinkSync('loop', `${dir}/loop`);
    dir = `${dir}/d${depth}`;
  }
  removeTree(doomed);
  expect(fs.existsSync(doomed)).toBe(false);
  precious.whole();
});

it('refuses a top that is a link, and a top that is a file', () => {
  const precious = preciousTree();
  fs.symlinkSync(precious.dir, `${scratch}/link`);
  expect(() => removeTree(`${scratch}/link`)).toThrow(NotATreeError);
  expect(() => removeTree(`${precious.dir}/top.txt`)).toThrow(NotATreeError);
  expect(() => removeTree('/')).toThrow(NotATreeError);
  precious.whole();
  expect(fs.lstatSync(`${scratch}/link`).isSymbolicLink()).toBe(true);
});

it('emptyTree removes everything below the top, keeps the top, and never follows a link', () => {
  const precious = preciousTree();
  const doomed = `${scratch}/doomed`;
  fs.mkdirSync(`${doomed}/d/e`, { recursive: true });
  fs.writeFileSync(`${doomed}/d/e/f`, 'z');
  fs.symlinkSync(precious.dir, `${doomed}/to-dir`);
  fs.symlinkSync(precious.dir, `${doomed}/d/to-dir`);
  const top = fs.lstatSync(doomed);
  emptyTree(doomed);
  expect(fs.readdirSync(doomed)).toEqual([]);
  expect(fs.lstatSync(doomed).ino).toBe(top.ino);
  precious.whole();
  fs.symlinkSync(precious.dir, `${scratch}/link`);
  expect(() => emptyTree(`${scratch}/link`)).toThrow(NotATreeError);
  expect(() => emptyTree('/')).toThrow(NotATreeError);
  precious.whole();
});

it('removeEntry unlinks a link to a directory (a kernel dir that is a link) and keeps the target', () => {
  const precious = preciousTree();
  fs.symlinkSync(precious.dir, `${scratch}/kernel`);
  removeEntry(`${scratch}/kernel`);
  expect(
    fs.lstatSync(`${scratch}/kernel`, { throwIfNoEntry: false })
  ).toBeUndefined();
  precious.whole();
});

it('removes names that are not UTF-8, FIFOs and unreadable directories', () => {
  const doomed = `${scratch}/doomed`;
  fs.mkdirSync(`${doomed}/locked/inner`, { recursive: true });
  const bad = Buffer.concat([
    Buffer.from(`${doomed}/`),
    Buffer.from([0x62, 0xff, 0xfe])
  ]);
  fs.mkdirSync(bad);
  fs.writeFileSync(
    Buffer.concat([bad, Buffer.from('/'), Buffer.from([0xc3, 0x28])]),
    'x'
  );
  fs.writeFileSync(
    Buffer.concat([Buffer.from(`${doomed}/`), Buffer.from([0xff])]),
    'x'
  );
  execFileSync('mkfifo', [`${doomed}/fifo`]);
  fs.writeFileSync(`${doomed}/locked/inner/f`, 'x');
  fs.chmodSync(`${doomed}/locked/inner`, 0);
  fs.chmodSync(`${doomed}/locked`, 0o500);
  removeTree(doomed);
  expect(fs.existsSync(doomed)).toBe(false);
});

it('removes a tree deeper than PATH_MAX', () => {
  const doomed = `${scratch}/deep`;
  fs.mkdirSync(doomed);
  const home = process.cwd();
  try {
    process.chdir(doomed);
    for (let depth = 0; depth < 40; depth++) {
      const name = 'd'.repeat(200);
      fs.mkdirSync(name);
      process.chdir(name);
    }
    fs.writeFileSync('leaf', 'x');
  } finally {
    process.chdir(home);
  }
  removeTree(doomed);
  expect(fs.existsSync(doomed)).toBe(false);
});

it('stops, deleting nothing outside, when a directory is swapped for a link before the descent', () => {
  const precious = preciousTree();
  const doomed = `${scratch}/doomed`;
  fs.mkdirSync(`${doomed}/victim/sub`, { recursive: true });
  fs.writeFileSync(`${doomed}/victim/sub/f`, 'x');
  // The module's `fs` reads Node's fs object at each call: patch that object.
  const nodeFs = require('fs') as { lstatSync: typeof fs.lstatSync };
  const realLstat = nodeFs.lstatSync;
  let swapped = false;
  nodeFs.lstatSync = ((file: fs.PathLike, options?: fs.StatSyncOptions) => {
    const stat = realLstat(file, options as fs.StatSyncOptions);
    if (!swapped && Buffer.isBuffer(file) && file.toString() === 'victim') {
      // The attacker's move, between the walk's lstat and its chdir.
      swapped = true;
      fs.renameSync(`${doomed}/victim`, `${scratch}/moved-victim`);
      fs.symlinkSync(precious.dir, `${doomed}/victim`);
    }
    return stat;
  }) as typeof fs.lstatSync;
  try {
    expect(() => removeTree(doomed)).toThrow(TreeChangedError);
  } finally {
    nodeFs.lstatSync = realLstat;
  }
  expect(swapped).toBe(true);
  precious.whole();
  expect(fs.readFileSync(`${scratch}/moved-victim/sub/f`, 'utf-8')).toBe('x');
});

it('restores the working directory, also after a failure', () => {
  const before = process.cwd();
  fs.mkdirSync(`${scratch}/x/y`, { recursive: true });
  removeTree(`${scratch}/x`);
  expect(process.cwd()).toBe(before);
  expect(() => removeTree(`${scratch}/missing`)).toThrow();
  expect(process.cwd()).toBe(before);
});
