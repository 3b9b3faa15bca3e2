/**
 * `mlc image fix-root-config` on a script with the shape of ROOT's
 * root-config (written here after config/root-config.in: variables, a
 * `rootlibs` list continued over two lines and extended conditionally, the
 * machine-dependent `auxlibs`, the end-of-settings line, and an option loop
 * whose --libs/--glibs branches print `-L${libdir}` and the lists). The
 * script is run before and after the repair.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { ROOT_CONFIG_MARKER } from '../../src/cli/image/rootConfig';
import { runCommand, runMlc } from '../harness/mlc';
import { makeScratch } from '../harness/paths';

/** A root-config-shaped script for an env at `prefix` (structure as ROOT's; text our own). */
function rootConfigScript(prefix: string): string {
  return `#!/usr/bin/env bash
# Prints the flags to compile and link against ROOT (test stand-in with the real script's structure).
arch=linuxx8664gcc
platform=linux
libdir=${prefix}/lib
incdir=${prefix}/include
features="cxx17 dataframe"

### ROOT libraries ###

newlib="-lNew"
rootglibs="-lGui"
rootlibs="-lCore -lImt -lRIO -lNet -lHist -lGraf -lGraf3d -lGpad -lTree \\
          -lRint -lMatrix -lPhysics -lMathCore -lThread"
if echo "\${features}" | grep -q "dataframe"; then
   rootlibs="$rootlibs -lROOTDataFrame"
fi

### machine dependent settings ###

case $arch in
linuxx8664gcc)
   auxcflags="-std=c++17 -m64"
   auxlibs="-lm -ldl -rdynamic"
   ;;
esac
auxlibs="-pthread $auxlibs"

### end of machine and compiler dependent settings ###

out=""
while test $# -gt 0; do
  case $1 in
    --libs)
      out="$out -L\${libdir} $forcelibs $rootlibs \${auxlibs}"
      ;;
    --glibs)
      out="$out -L\${libdir} $forceglibs $rootglibs $rootlibs \${auxlibs}"
      ;;
    --cflags)
      out="$out $auxcflags -I\${incdir}"
      ;;
    *)
      echo "Unknown argument \\"$1\\"!" 1>&2
      exit 1
      ;;
  esac
  shift
done
echo $out
`;
}

let scratch: { dir: string; cleanup: () => void };

beforeAll(() => {
  scratch = makeScratch('rootconfig');
});

afterAll(() => {
  scratch?.cleanup();
});

function makePrefix(
  label: string,
  options: { libz?: boolean } = {}
): { prefix: string; script: string } {
  const prefix = path.join(scratch.dir, label);
  fs.mkdirSync(path.join(prefix, 'bin'), { recursive: true });
  fs.mkdirSync(path.join(prefix, 'lib'), { recursive: true });
  const script = path.join(prefix, 'bin', 'root-config');
  fs.writeFileSync(script, rootConfigScript(prefix), { mode: 0o755 });
  if (options.libz ?? true) {
    fs.writeFileSync(
      path.join(prefix, 'lib', 'libz.so.1.3.1'),
      'stand-in: only the name is checked\n'
    );
  }
  return { prefix, script };
}

function rootConfig(script: string, ...args: string[]): string[] {
  const result = runCommand(script, args);
  expect(result.code).toBe(0);
  return result.stdout.trim().split(/\s+/);
}

function checksum(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

describe('mlc image fix-root-config', () => {
  it('adds -lz to --libs and --glibs after -L<prefix>/lib, once', () => {
    const { prefix, script } = makePrefix('repair');
    expect(rootConfig(script, '--libs')).not.toContain('-lz');
    fs.chmodSync(script, 0o751);

    const result = runMlc(['image', 'fix-root-config', '--prefix', prefix]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${script}: added -lz to rootlibs\n`);

    for (const option of ['--libs', '--glibs']) {
      const flags = rootConfig(script, option);
      expect(flags).toContain('-lz');
      expect(flags.indexOf(`-L${prefix}/lib`)).toBeLessThan(
        flags.indexOf('-lz')
      );
      expect(flags).toContain('-lROOTDataFrame');
    }
    expect(fs.statSync(script).mode & 0o7777).toBe(0o751);
    expect(
      fs
        .readFileSync(script, 'utf-8')
        .split('\n')
        .filter(line => line === ROOT_CONFIG_MARKER)
    ).toHaveLength(1);
    expect(fs.readdirSync(path.join(prefix, 'bin'))).toEqual(['root-config']);

    const sum = checksum(script);
    const again = runMlc(['image', 'fix-root-config', '--prefix', prefix]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`${script}: unchanged (already repaired)\n`);
    expect(checksum(script)).toBe(sum);
    expect(
      rootConfig(script, '--libs').filter(flag => flag === '-lz')
    ).toHaveLength(1);
  });

  it('leaves a root-config that already names -lz as it is', () => {
    const { prefix, script } = makePrefix('named');
    fs.writeFileSync(
      script,
      fs.readFileSync(script, 'utf-8').replace('-lThread"', '-lThread -lz"')
    );
    const sum = checksum(script);
    const result = runMlc(['image', 'fix-root-config', '--prefix', prefix]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('unchanged (rootlibs already names -lz)');
    expect(checksum(script)).toBe(sum);
  });

  it('refuses, in one line and writing nothing: no root-config, a foreign script, no libz, a symlink', () => {
    const empty = path.join(scratch.dir, 'empty');
    fs.mkdirSync(path.join(empty, 'bin'), { recursive: true });
    const none = runMlc(['image', 'fix-root-config', '--prefix', empty]);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(
      `mlc: error: no root-config in ${empty}/bin; pass the prefix of an env with ROOT installed (e.g. micromamba install root)\n`
    );

    const foreign = makePrefix('foreign');
    fs.writeFileSync(foreign.script, '#!/bin/sh\necho "-lCore"\n');
    const foreignSum = checksum(foreign.script);
    const shape = runMlc([
      'image',
      'fix-root-config',
      '--prefix',
      foreign.prefix
    ]);
    expect(shape.code).toBe(2);
    expect(shape.stderr.split('\n')).toHaveLength(2);
    expect(shape.stderr).toMatch(
      /does not have the shape of ROOT's root-config.*the file was left as it was\n$/
    );
    expect(checksum(foreign.script)).toBe(foreignSum);

    const noLibz = makePrefix('nolibz', { libz: false });
    const noLibzSum = checksum(noLibz.script);
    const missing = runMlc([
      'image',
      'fix-root-config',
      '--prefix',
      noLibz.prefix
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      `mlc: error: no libz.so in ${noLibz.prefix}/lib; install zlib into the env (it comes with ROOT from conda-forge)\n`
    );
    expect(checksum(noLibz.script)).toBe(noLibzSum);

    const linked = makePrefix('linked');
    const target = path.join(scratch.dir, 'real-root-config');
    fs.renameSync(linked.script, target);
    fs.symlinkSync(target, linked.script);
    const targetSum = checksum(target);
    const link = runMlc([
      'image',
      'fix-root-config',
      '--prefix',
      linked.prefix
    ]);
    expect(link.code).toBe(2);
    expect(link.stderr).toContain('is a symbolic link');
    expect(checksum(target)).toBe(targetSum);
  });
});
