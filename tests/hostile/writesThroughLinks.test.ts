/**
 * "Never write through a link", on every directory below the root the user
 * gave (issue 15, class 3; src/cli/fs/stagedWrite.ts, `assertNoLinkBelow`):
 * `mlc kernels install` with a linked etc/conda/activate.d, etc/ml-containers
 * or share/jupyter/kernels in the prefix, and `mlc image banner` with a
 * linked etc/profile.d in the root or etc/ml-containers in the prefix,
 * refuse with one line, write nothing outside and nothing inside.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runMlc, type IRunResult } from '../harness/mlc';

let scratch: string;

beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mlc-linked-dirs-'));
});

afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** A prefix with just what `mlc kernels install` looks for (bin/python3.11), and an empty directory outside it. */
function fakePrefix(): { prefix: string; outside: string } {
  const prefix = path.join(scratch, 'opt', 'conda');
  fs.mkdirSync(path.join(prefix, 'bin'), { recursive: true });
  fs.writeFileSync(path.join(prefix, 'bin', 'python3.11'), '#!/bin/sh\n', {
    mode: 0o755
  });
  const outside = path.join(scratch, 'outside');
  fs.mkdirSync(outside);
  return { prefix, outside };
}

/** Put a link at `root/rel` to `outside` (the parents made real). */
function linkAt(root: string, rel: string, outside: string): string {
  const link = path.join(root, rel);
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.symlinkSync(outside, link);
  return link;
}

/** Every entry below `dir` with its kind, links not followed. */
function treeOf(dir: string): string[] {
  const found: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), {
      withFileTypes: true
    })) {
      const child = path.join(rel, entry.name);
      found.push(
        `${child} ${entry.isSymbolicLink() ? 'link' : entry.isDirectory() ? 'dir' : 'file'}`
      );
      if (entry.isDirectory()) {
        walk(child);
      }
    }
  };
  walk('');
  return found.sort();
}

/** A refusal: exit 1, one `mlc: error:` line naming the link, no internal error. */
function expectRefusal(run: IRunResult, link: string): void {
  expect(run.code).toBe(1);
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^mlc: error: /);
  expect(lines[0]).toContain(link);
  expect(lines[0]).toMatch(/symbolic link/);
  expect(run.stderr).not.toMatch(/internal error/i);
}

describe('mlc kernels install', () => {
  it.each([
    'etc/conda/activate.d',
    'etc/conda/deactivate.d',
    'etc/conda',
    'etc/ml-containers',
    'etc',
    'share/jupyter/kernels',
    'share/jupyter',
    'share'
  ])(
    'refuses a prefix whose %s links outside, writing nothing anywhere',
    rel => {
      const { prefix, outside } = fakePrefix();
      const link = linkAt(prefix, rel, outside);
      const before = treeOf(prefix);
      const run = runMlc(['kernels', 'install', '--prefix', prefix]);
      expectRefusal(run, link);
      expect(treeOf(outside)).toEqual([]);
      expect(treeOf(prefix)).toEqual(before);
    }
  );

  it('refuses an --apptainer-env-dir tree only below the directory given (a linked parent of it is the user’s choice)', () => {
    const { prefix, outside } = fakePrefix();
    const real = path.join(scratch, 'real-env');
    fs.mkdirSync(real);
    const linkedParent = path.join(scratch, 'sing');
    fs.symlinkSync(scratch, linkedParent);
    const run = runMlc([
      'kernels',
      'install',
      '--prefix',
      prefix,
      '--apptainer-env-dir',
      path.join(linkedParent, 'real-env')
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(fs.readdirSync(real)).toEqual(['90-ml-containers.sh']);
    expect(treeOf(outside)).toEqual([]);
  });

  it('still works with a linked prefix (the root given is trusted) and installs a kernel directory that is a link as a real one', () => {
    const { prefix, outside } = fakePrefix();
    const kernels = path.join(prefix, 'share', 'jupyter', 'kernels');
    fs.mkdirSync(kernels, { recursive: true });
    fs.symlinkSync(outside, path.join(kernels, 'python3'));
    const linkedPrefix = path.join(scratch, 'conda-link');
    fs.symlinkSync(prefix, linkedPrefix);
    const run = runMlc(['kernels', 'install', '--prefix', linkedPrefix]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(fs.lstatSync(path.join(kernels, 'python3')).isDirectory()).toBe(
      true
    );
    expect(treeOf(outside)).toEqual([]);
  });
});

describe('mlc image banner', () => {
  function bannerRoot(): { prefix: string; root: string; outside: string } {
    const { prefix, outside } = fakePrefix();
    const root = path.join(scratch, 'root');
    fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
    fs.writeFileSync(path.join(root, 'etc', 'bash.bashrc'), '# system\n');
    return { prefix, root, outside };
  }

  function banner(prefix: string, root: string): IRunResult {
    return runMlc(['image', 'banner', '--prefix', prefix, '--root', root]);
  }

  it.each(['etc/profile.d'])(
    'refuses a root whose %s links outside, writing nothing in the prefix or outside',
    rel => {
      const { prefix, root, outside } = bannerRoot();
      const link = linkAt(root, rel, outside);
      const beforePrefix = treeOf(prefix);
      const beforeRoot = treeOf(root);
      const run = banner(prefix, root);
      expectRefusal(run, link);
      expect(treeOf(outside)).toEqual([]);
      expect(treeOf(prefix)).toEqual(beforePrefix);
      expect(treeOf(root)).toEqual(beforeRoot);
      expect(
        fs.readFileSync(path.join(root, 'etc', 'bash.bashrc'), 'utf-8')
      ).toBe('# system\n');
    }
  );

  it('refuses a root whose etc/zsh links outside to a zshrc, and leaves that zshrc alone', () => {
    const { prefix, root, outside } = bannerRoot();
    fs.writeFileSync(path.join(outside, 'zshrc'), '# outside\n');
    const link = linkAt(root, 'etc/zsh', outside);
    const beforePrefix = treeOf(prefix);
    const run = banner(prefix, root);
    expectRefusal(run, link);
    expect(fs.readFileSync(path.join(outside, 'zshrc'), 'utf-8')).toBe(
      '# outside\n'
    );
    expect(treeOf(outside)).toEqual(['zshrc file']);
    expect(treeOf(prefix)).toEqual(beforePrefix);
  });

  it('refuses a root whose etc links outside (the rc files there are not ours to change)', () => {
    const { prefix, outside } = fakePrefix();
    const root = path.join(scratch, 'root');
    fs.mkdirSync(root);
    fs.writeFileSync(path.join(outside, 'bash.bashrc'), '# outside\n');
    const link = linkAt(root, 'etc', outside);
    const beforePrefix = treeOf(prefix);
    const run = banner(prefix, root);
    expectRefusal(run, link);
    expect(treeOf(outside)).toEqual(['bash.bashrc file']);
    expect(fs.readFileSync(path.join(outside, 'bash.bashrc'), 'utf-8')).toBe(
      '# outside\n'
    );
    expect(treeOf(prefix)).toEqual(beforePrefix);
  });

  it.each(['etc/ml-containers', 'etc'])(
    'refuses a prefix whose %s links outside, writing nothing in the root or outside',
    rel => {
      const { prefix, root, outside } = bannerRoot();
      const link = linkAt(prefix, rel, outside);
      const beforeRoot = treeOf(root);
      const run = banner(prefix, root);
      expectRefusal(run, link);
      expect(treeOf(outside)).toEqual([]);
      expect(treeOf(root)).toEqual(beforeRoot);
    }
  );
});
