/**
 * `mlc image fix-rpath` on real ELF files that gcc builds in the test: an
 * executable with a RUNPATH and a shared object with an RPATH (64-bit), each
 * holding the build and install locations conda-forge leaves behind plus
 * `$ORIGIN` entries. readelf shows the result, the files keep their size,
 * mode and owner, and the executable still runs and finds its library
 * through $ORIGIN alone. Bad input changes nothing (checksums).
 */
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { runCommand, runMlc } from '../harness/mlc';
import { makeScratch } from '../harness/paths';
import { testUser } from '../harness/user';
import { buildElf } from '../unit/elfFixture';

const BUILD_DIR =
  '/home/conda/feedstock_root/build_artifacts/root_base_1/_build_env/lib';

let scratch: { dir: string; cleanup: () => void };

beforeAll(() => {
  scratch = makeScratch('fixrpath');
});

afterAll(() => {
  scratch?.cleanup();
});

/** A fresh prefix with bin/answer (RUNPATH) linked to lib/libanswer.so (RPATH), both built here. */
function buildPrefix(label: string): string {
  const prefix = path.join(scratch.dir, label);
  const src = path.join(scratch.dir, `${label}-src`);
  fs.mkdirSync(path.join(prefix, 'bin'), { recursive: true });
  fs.mkdirSync(path.join(prefix, 'lib'), { recursive: true });
  fs.mkdirSync(src, { recursive: true });
  fs.writeFileSync(
    path.join(src, 'answer.c'),
    'int answer(void) { return 42; }\n'
  );
  fs.writeFileSync(
    path.join(src, 'main.c'),
    '#include <stdio.h>\nint answer(void);\nint main(void) { printf("answer=%d\\n", answer()); return 0; }\n'
  );
  gcc([
    '-shared',
    '-fPIC',
    path.join(src, 'answer.c'),
    '-o',
    path.join(prefix, 'lib', 'libanswer.so'),
    `-Wl,--disable-new-dtags,-rpath,${prefix}/lib:$ORIGIN:${BUILD_DIR}`
  ]);
  gcc([
    path.join(src, 'main.c'),
    '-o',
    path.join(prefix, 'bin', 'answer'),
    `-L${prefix}/lib`,
    '-lanswer',
    `-Wl,--enable-new-dtags,-rpath,${prefix}/lib:$ORIGIN/../lib:${BUILD_DIR}`
  ]);
  return prefix;
}

function gcc(args: string[]): void {
  execFileSync('gcc', args, { stdio: 'pipe', timeout: 60000 });
}

/** The RPATH and RUNPATH readelf reports for `file`. */
function readelfPaths(file: string): { RPATH?: string; RUNPATH?: string } {
  const out = execFileSync('readelf', ['-d', file], { encoding: 'utf-8' });
  const found: { RPATH?: string; RUNPATH?: string } = {};
  for (const match of out.matchAll(
    /\((RPATH|RUNPATH)\)\s+Library (?:rpath|runpath): \[(.*)\]/g
  )) {
    found[match[1] as 'RPATH' | 'RUNPATH'] = match[2];
  }
  return found;
}

function checksum(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Names, sizes and checksums of every file below dir (to prove nothing was written or left). */
function treeState(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, {
    withFileTypes: true,
    recursive: true
  })) {
    const full = path.join(
      entry.parentPath ?? (entry as unknown as { path: string }).path,
      entry.name
    );
    const stat = fs.lstatSync(full);
    out.push(
      `${path.relative(dir, full)} ${stat.mode} ${stat.isFile() ? checksum(full) : ''}`
    );
  }
  return out.sort();
}

describe('mlc image fix-rpath on gcc-built ELF files', () => {
  it('drops the prefix and build locations, keeps $ORIGIN, and the program still runs', () => {
    const prefix = buildPrefix('repair');
    const exe = path.join(prefix, 'bin', 'answer');
    const lib = path.join(prefix, 'lib', 'libanswer.so');
    expect(readelfPaths(exe)).toEqual({
      RUNPATH: `${prefix}/lib:$ORIGIN/../lib:${BUILD_DIR}`
    });
    expect(readelfPaths(lib)).toEqual({
      RPATH: `${prefix}/lib:$ORIGIN:${BUILD_DIR}`
    });
    fs.chmodSync(exe, 0o750);
    const before = { exe: fs.statSync(exe), lib: fs.statSync(lib) };

    const result = runMlc(['image', 'fix-rpath', '--prefix', prefix]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /2 ELF files inspected under .*; 2 repaired, 0 skipped, 0 failed/
    );

    expect(readelfPaths(exe)).toEqual({ RUNPATH: '$ORIGIN/../lib' });
    expect(readelfPaths(lib)).toEqual({ RPATH: '$ORIGIN' });
    for (const [file, stat] of [
      [exe, before.exe],
      [lib, before.lib]
    ] as const) {
      const after = fs.statSync(file);
      expect([after.size, after.mode, after.uid, after.gid]).toEqual([
        stat.size,
        stat.mode,
        stat.uid,
        stat.gid
      ]);
    }
    // No temporary copy left beside the files.
    expect(fs.readdirSync(path.join(prefix, 'bin'))).toEqual(['answer']);

    // Moved elsewhere, the program finds its library through $ORIGIN alone.
    const moved = path.join(scratch.dir, 'repair-moved');
    fs.renameSync(prefix, moved);
    const run = runCommand(path.join(moved, 'bin', 'answer'), [], {
      env: { LD_LIBRARY_PATH: '' }
    });
    expect(run.stdout).toBe('answer=42\n');

    // Idempotent: a second run finds nothing to change.
    const again = runMlc(['image', 'fix-rpath', '--prefix', moved]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/0 repaired/);
  });

  it('--dry-run lists the changes and writes nothing', () => {
    const prefix = buildPrefix('dry');
    const state = treeState(prefix);
    const result = runMlc([
      'image',
      'fix-rpath',
      '--prefix',
      prefix,
      '--dry-run'
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `would change ${prefix}/bin/answer: RUNPATH '${prefix}/lib:$ORIGIN/../lib:${BUILD_DIR}' -> '$ORIGIN/../lib'`
    );
    expect(result.stdout).toContain(
      `would change ${prefix}/lib/libanswer.so: RPATH`
    );
    expect(treeState(prefix)).toEqual(state);
  });

  it('skips a 32-bit ELF, a non-ELF .so and scripts with a note; never follows a symlink', () => {
    const prefix = buildPrefix('skips');
    // gcc -m32 has no 32-bit libgcc here: a hand-built ELF32 identification and header.
    const elf32 = Buffer.alloc(52);
    elf32.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
    fs.writeFileSync(path.join(prefix, 'lib', 'libold32.so'), elf32);
    fs.writeFileSync(
      path.join(prefix, 'lib', 'libc.so'),
      '/* GNU ld script */\nGROUP ( libc.so.6 )\n'
    );
    fs.writeFileSync(path.join(prefix, 'bin', 'tool'), '#!/bin/sh\necho hi\n', {
      mode: 0o755
    });
    // A link to an ELF outside the prefix: the outside file must stay as it is.
    const outside = path.join(scratch.dir, 'outside-lib.so');
    fs.copyFileSync(path.join(prefix, 'lib', 'libanswer.so'), outside);
    const outsideSum = checksum(outside);
    const skippedSums = ['libold32.so', 'libc.so'].map(name =>
      checksum(path.join(prefix, 'lib', name))
    );
    fs.symlinkSync(outside, path.join(prefix, 'lib', 'liblinked.so'));
    fs.symlinkSync(scratch.dir, path.join(prefix, 'lib', 'linkdir'));

    const result = runMlc(['image', 'fix-rpath', '--prefix', prefix]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `skipped ${prefix}/lib/libold32.so: 32-bit ELF`
    );
    expect(result.stdout).toContain(
      `skipped ${prefix}/lib/libc.so: not an ELF file`
    );
    expect(result.stdout).not.toContain('tool');
    expect(result.stdout).not.toContain('liblinked');
    expect(result.stdout).toMatch(
      /2 ELF files inspected.*2 repaired, 2 skipped, 0 failed/
    );
    expect(checksum(outside)).toBe(outsideSum);
    expect(
      ['libold32.so', 'libc.so'].map(name =>
        checksum(path.join(prefix, 'lib', name))
      )
    ).toEqual(skippedSums);
  });

  it('walks a hostile tree without blocking, following links or leaving anything behind', () => {
    const prefix = buildPrefix('hostile');
    const lib = path.join(prefix, 'lib');
    execFileSync('mkfifo', [path.join(lib, 'libfifo.so')]);
    fs.symlinkSync('/', path.join(lib, 'root-link'));
    fs.symlinkSync('loop-b', path.join(lib, 'loop-a'));
    fs.symlinkSync('loop-a', path.join(lib, 'loop-b'));
    fs.symlinkSync('/etc/passwd', path.join(lib, 'libpasswd.so'));
    fs.mkdirSync(path.join(lib, 'deep', 'a', 'b', 'c'), { recursive: true });
    fs.copyFileSync(
      path.join(lib, 'libanswer.so'),
      path.join(lib, 'deep', 'a', 'b', 'c', 'lib\nnewline.so')
    );
    const passwd = fs.readFileSync('/etc/passwd');
    const result = runMlc(['image', 'fix-rpath', '--prefix', prefix], {
      timeoutMs: 60000
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /3 ELF files inspected.*3 repaired, 0 skipped, 0 failed/
    );
    // One line per change, the newline in the name shown escaped.
    expect(result.stdout.trim().split('\n')).toHaveLength(4);
    expect(result.stdout).toContain(
      JSON.stringify(path.join(lib, 'deep', 'a', 'b', 'c', 'lib\nnewline.so'))
    );
    expect(
      readelfPaths(path.join(lib, 'deep', 'a', 'b', 'c', 'lib\nnewline.so'))
    ).toEqual({ RPATH: '$ORIGIN' });
    expect(fs.readFileSync('/etc/passwd')).toEqual(passwd);
    expect(fs.readdirSync(lib).filter(name => name.endsWith('.tmp'))).toEqual(
      []
    );
  });

  it('refuses a prefix with no ELF files in one line, and a missing prefix', () => {
    const empty = path.join(scratch.dir, 'noelf');
    fs.mkdirSync(path.join(empty, 'bin'), { recursive: true });
    fs.writeFileSync(path.join(empty, 'bin', 'script'), '#!/bin/sh\n', {
      mode: 0o755
    });
    const result = runMlc(['image', 'fix-rpath', '--prefix', empty]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `mlc: error: no ELF files under ${empty} (looked in bin, sbin, libexec, lib, lib64); pass the image env prefix, e.g. --prefix /opt/conda\n`
    );
    const missing = runMlc([
      'image',
      'fix-rpath',
      '--prefix',
      path.join(scratch.dir, 'absent')
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('leaves a truncated ELF and one whose dynamic section points outside the file untouched with a warning each, and exits 0', () => {
    const prefix = buildPrefix('broken');
    const good = fs.readFileSync(path.join(prefix, 'lib', 'libanswer.so'));
    fs.writeFileSync(
      path.join(prefix, 'lib', 'libtrunc.so'),
      good.subarray(0, 200)
    );
    const outside = Buffer.from(good);
    // Point PT_DYNAMIC's p_offset far past the end (program header table at e_phoff).
    const phoff = Number(outside.readBigUInt64LE(0x20));
    const phnum = outside.readUInt16LE(0x38);
    for (let index = 0; index < phnum; index++) {
      const at = phoff + index * 56;
      if (outside.readUInt32LE(at) === 2) {
        outside.writeBigUInt64LE(BigInt(outside.length + 4096), at + 8);
      }
    }
    fs.writeFileSync(path.join(prefix, 'lib', 'libdynout.so'), outside);
    const sums = ['libtrunc.so', 'libdynout.so'].map(name =>
      checksum(path.join(prefix, 'lib', name))
    );

    const result = runMlc(['image', 'fix-rpath', '--prefix', prefix]);
    // No loader can load them, so their search paths do not matter: noted, not failed.
    expect(result.code).toBe(0);
    const warnings = result.stderr.trim().split('\n');
    const left = 'it cannot be loaded, so it was left as it was';
    expect(warnings).toEqual([
      `mlc: warning: ${prefix}/lib/libdynout.so: the dynamic section lies outside the file (truncated or corrupt ELF); ${left}`,
      `mlc: warning: ${prefix}/lib/libtrunc.so: the program header table lies outside the file (truncated or corrupt ELF); ${left}`
    ]);
    expect(result.stdout).toMatch(
      /2 repaired, 0 skipped, 0 failed, 2 damaged and left as they were/
    );

    // --json: the same files as warning events and in the result's `unloadable`.
    fs.writeFileSync(path.join(prefix, 'lib', 'libanswer.so'), good);
    const json = runMlc(['image', 'fix-rpath', '--prefix', prefix, '--json']);
    expect(json.code).toBe(0);
    const events = json.stdout
      .trim()
      .split('\n')
      .map(line => JSON.parse(line) as Record<string, unknown>);
    expect(
      events
        .filter(event => event.type === 'warning')
        .map(event => String(event.message).split(':')[0])
    ).toEqual([`${prefix}/lib/libdynout.so`, `${prefix}/lib/libtrunc.so`]);
    const final = events.find(event => event.type === 'result') as {
      data: { unloadable: { file: string }[]; problems: unknown[] };
    };
    expect(final.data.unloadable.map(entry => entry.file)).toEqual([
      `${prefix}/lib/libdynout.so`,
      `${prefix}/lib/libtrunc.so`
    ]);
    expect(final.data.problems).toEqual([]);
    expect(
      ['libtrunc.so', 'libdynout.so'].map(name =>
        checksum(path.join(prefix, 'lib', name))
      )
    ).toEqual(sums);
    // The good files were still repaired.
    expect(readelfPaths(path.join(prefix, 'lib', 'libanswer.so'))).toEqual({
      RPATH: '$ORIGIN'
    });
  });

  it('leaves a file whose RPATH string also holds another dynamic string (tail-merged) untouched', () => {
    const prefix = path.join(scratch.dir, 'merged');
    fs.mkdirSync(path.join(prefix, 'lib'), { recursive: true });
    const file = path.join(prefix, 'lib', 'libmerged.so');
    // DT_NEEDED "libx.so" stored as the tail of the RPATH string, as ld may do.
    fs.writeFileSync(
      file,
      buildElf({ rpath: '/opt/conda/lib:libx.so', neededInsideRpath: 15 })
    );
    const sum = checksum(file);
    const result = runMlc([
      'image',
      'fix-rpath',
      '--prefix',
      prefix,
      '--drop',
      '/opt/conda'
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe(
      `mlc: error: ${file}: its RPATH string is also the tail of another dynamic string; left as it was`
    );
    expect(checksum(file)).toBe(sum);
  });

  it('repairs once a string that DT_RPATH and DT_RUNPATH both name', () => {
    const prefix = path.join(scratch.dir, 'both');
    fs.mkdirSync(path.join(prefix, 'lib'), { recursive: true });
    const file = path.join(prefix, 'lib', 'libboth.so');
    fs.writeFileSync(
      file,
      buildElf({ rpath: '/opt/conda/lib:$ORIGIN', runpathIsRpath: true })
    );
    const result = runMlc([
      'image',
      'fix-rpath',
      '--prefix',
      prefix,
      '--drop',
      '/opt/conda'
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(readelfPaths(file)).toEqual({
      RPATH: '$ORIGIN',
      RUNPATH: '$ORIGIN'
    });
  });

  it('leaves a read-only file exactly as it was, with one line, when run as an unprivileged user', () => {
    const prefix = buildPrefix('readonly');
    const user = testUser();
    for (const entry of ['', 'bin', 'lib', 'bin/answer', 'lib/libanswer.so']) {
      fs.chownSync(path.join(prefix, entry), user.uid, user.gid);
    }
    const lib = path.join(prefix, 'lib', 'libanswer.so');
    fs.chmodSync(lib, 0o555);
    const sum = checksum(lib);
    const result = runMlc(['image', 'fix-rpath', '--prefix', prefix], {
      unprivileged: true
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `mlc: error: ${lib}: ${lib} is read-only; make it writable (chmod u+w) or run as its owner\n`
    );
    expect(checksum(lib)).toBe(sum);
    expect(fs.statSync(lib).mode & 0o777).toBe(0o555);
    expect(fs.readdirSync(path.join(prefix, 'lib'))).toEqual(['libanswer.so']);
    // The writable executable was repaired, and keeps its owner.
    expect(readelfPaths(path.join(prefix, 'bin', 'answer'))).toEqual({
      RUNPATH: '$ORIGIN/../lib'
    });
    expect(fs.statSync(path.join(prefix, 'bin', 'answer')).uid).toBe(user.uid);
  });
});
