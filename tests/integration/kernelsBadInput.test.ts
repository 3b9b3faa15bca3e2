/**
 * Bad input to `mlc kernels install | env | doctor`: one clear line on
 * stderr, a non-zero exit, nothing on stdout, and the tree exactly as it
 * was (every path, mode, size and mtime compared), including when the
 * unprivileged test user runs it against a root-owned prefix, as on CVMFS,
 * and when only part of the prefix is writable.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runMlc, type IRunOptions, type IRunResult } from '../harness/mlc';
import { makeScratch } from '../harness/paths';
import { testUser } from '../harness/user';
import { copyTestPrefix } from '../harness/prefix';
import { imageJsonFor, treeSnapshot } from './kernelsFixture';

let scratch: { dir: string; cleanup: () => void };
let prefix: string;
let python: string;

beforeAll(() => {
  scratch = makeScratch('kernels-badinput');
  // Root-owned and not writable by others, as the image on CVMFS.
  ({ prefix, python } = copyTestPrefix(
    path.join(scratch.dir, 'root-owned', 'conda')
  ));
});

afterAll(() => {
  scratch?.cleanup();
});

/** A small prefix with executable `bin/pythonX.Y` stand-ins (only the names matter before writing). */
function fakePrefix(name: string, versions: string[]): string {
  const dir = path.join(scratch.dir, name);
  fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
  for (const version of versions) {
    fs.writeFileSync(path.join(dir, 'bin', `python${version}`), '#!/bin/sh\n', {
      mode: 0o755
    });
  }
  return dir;
}

/** Run mlc; expect a refusal of one line and an unchanged `tree`. */
function refused(
  args: string[],
  tree: string,
  options: IRunOptions = {},
  exitCode = 2
): string {
  const before = treeSnapshot(tree);
  const run: IRunResult = runMlc(args, options);
  expect({ code: run.code, stdout: run.stdout }).toEqual({
    code: exitCode,
    stdout: ''
  });
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^mlc: error: /);
  expect(treeSnapshot(tree)).toEqual(before);
  return lines[0];
}

const install = (...args: string[]) => ['kernels', 'install', ...args];

describe('mlc kernels install refuses bad input and writes nothing', () => {
  it('without --prefix', () => {
    expect(refused(install(), scratch.dir)).toContain(
      "required option '--prefix <dir>'"
    );
  });

  it('with a prefix that does not exist', () => {
    const missing = path.join(scratch.dir, 'no-such-prefix');
    expect(refused(install('--prefix', missing), scratch.dir)).toContain(
      `--prefix ${missing} does not exist`
    );
  });

  it('with a prefix that has no Python', () => {
    const empty = fakePrefix('no-python', []);
    fs.symlinkSync('/usr/bin/python3', path.join(empty, 'bin', 'python3'));
    expect(refused(install('--prefix', empty), empty)).toContain(
      `no python3.X interpreter in ${empty}/bin`
    );
  });

  it('with several Pythons and no --python, naming what to pass', () => {
    const several = fakePrefix('several', ['3.10', '3.11']);
    expect(refused(install('--prefix', several), several)).toMatch(
      /several Pythons \(3\.10, 3\.11\).*--python/
    );
  });

  it('with a --python the prefix does not have, or that is no version', () => {
    expect(
      refused(install('--prefix', prefix, '--python', '3.7'), prefix)
    ).toContain(
      `${prefix}/bin/python3.7 is not an executable (found: ${python})`
    );
    expect(
      refused(install('--prefix', prefix, '--python', 'three'), prefix)
    ).toContain("--python 'three' is not a version");
  });

  it('with a malformed image.json: bad JSON, a missing field, the wrong Python, no file', () => {
    const bad = (name: string, text: string) => {
      const file = path.join(scratch.dir, name);
      fs.writeFileSync(file, text);
      return file;
    };
    const notJson = bad('not-json.json', '{"schemaVersion": 1,');
    expect(
      refused(install('--prefix', prefix, '--image', notJson), prefix)
    ).toContain('is not a valid image.json: not valid JSON');
    const { name: _dropped, ...noName } = imageJsonFor(prefix, python);
    const missing = bad('no-name.json', JSON.stringify(noName));
    expect(
      refused(install('--prefix', prefix, '--image', missing), prefix)
    ).toContain('is not a valid image.json: name:');
    const otherPython = bad(
      'other-python.json',
      JSON.stringify({ ...imageJsonFor(prefix, python), python: '3.6.15' })
    );
    expect(
      refused(install('--prefix', prefix, '--image', otherPython), prefix)
    ).toContain('is for Python 3.6.15');
    expect(
      refused(
        install(
          '--prefix',
          prefix,
          '--image',
          path.join(scratch.dir, 'absent.json')
        ),
        prefix
      )
    ).toContain('(no such file)');
  });

  it('with an unknown flag or a stray argument', () => {
    expect(
      refused(install('--prefix', prefix, '--frobnicate'), prefix)
    ).toContain("unknown option '--frobnicate'");
    expect(
      refused(['kernels', 'install', 'extra', '--prefix', prefix], prefix)
    ).toContain('too many arguments');
  });

  it("with a prefix whose path holds a ':'", () => {
    const colon = fakePrefix('with:colon', ['3.11']);
    expect(refused(install('--prefix', colon), colon)).toContain(
      "contains ':'"
    );
  });

  it('with an --apptainer-env-dir that does not exist', () => {
    expect(
      refused(
        install(
          '--prefix',
          prefix,
          '--apptainer-env-dir',
          path.join(scratch.dir, 'nope')
        ),
        prefix
      )
    ).toContain('--apptainer-env-dir');
  });

  it('when a directory stands where a file goes', () => {
    const blocked = fakePrefix('blocked', ['3.11']);
    fs.mkdirSync(
      path.join(blocked, 'etc', 'ml-containers', 'setupMe-on-host.sh'),
      { recursive: true }
    );
    expect(refused(install('--prefix', blocked), blocked, {}, 2)).toContain(
      'setupMe-on-host.sh is a directory'
    );
  });

  it('as an unprivileged user against a root-owned prefix', () => {
    expect(fs.statSync(prefix).uid).toBe(0);
    const line = refused(
      install('--prefix', prefix),
      prefix,
      { unprivileged: true },
      1
    );
    expect(line).toContain('(permission denied)');
  });

  it('as an unprivileged user who could write the kernels but not etc/', () => {
    const user = testUser();
    const partly = fakePrefix('partly-writable', ['3.11']);
    fs.chownSync(partly, user.uid, user.gid);
    fs.chownSync(path.join(partly, 'bin'), user.uid, user.gid);
    fs.mkdirSync(path.join(partly, 'etc'), { mode: 0o755 });
    const line = refused(
      install('--prefix', partly),
      partly,
      { unprivileged: true },
      1
    );
    expect(line).toContain(`cannot write ${partly}/etc (permission denied)`);
    expect(fs.existsSync(path.join(partly, 'share'))).toBe(false);
  });
});

describe('mlc kernels env and doctor refuse bad input', () => {
  it('env: no --prefix, a relative one, one with a colon, an unknown format', () => {
    expect(refused(['kernels', 'env'], scratch.dir)).toContain(
      "required option '--prefix <dir>'"
    );
    expect(
      refused(['kernels', 'env', '--prefix', 'opt/conda'], scratch.dir)
    ).toContain('is not an absolute path');
    expect(
      refused(['kernels', 'env', '--prefix', '/a:b'], scratch.dir)
    ).toContain("contains ':'");
    expect(
      refused(
        ['kernels', 'env', '--prefix', '/opt/conda', '--format', 'fish'],
        scratch.dir
      )
    ).toContain("argument 'fish' is invalid");
  });

  it('doctor: a --prefix or --jupyter-prefix that does not exist, an unknown flag', () => {
    const missing = path.join(scratch.dir, 'missing');
    expect(
      refused(['kernels', 'doctor', '--prefix', missing], scratch.dir)
    ).toContain(`--prefix ${missing} does not exist`);
    expect(
      refused(['kernels', 'doctor', '--jupyter-prefix', missing], scratch.dir)
    ).toContain('--jupyter-prefix');
    expect(refused(['kernels', 'doctor', '--fix'], scratch.dir)).toContain(
      "unknown option '--fix'"
    );
  });
});
