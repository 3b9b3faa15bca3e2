/**
 * Staged writes (src/cli/fs/stagedWrite.ts) and the kernel replace built on
 * them: a concurrent reader never finds the kernel missing or half written
 * while it is replaced again and again; a link planted at a temporary or
 * target name is never written through.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { registerKernel } from '../../src/cli/env/kernel';
import {
  replaceSymlink,
  writeFileStaged,
  writeNewFile
} from '../../src/cli/fs/stagedWrite';
import type { IKernelSpecFile } from '../../src/core/kernelspec';

let scratch: string;

beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mlc-fs-staged-'));
});

afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

function spec(round: number): IKernelSpecFile {
  return {
    argv: [
      '/env/bin/python',
      '-m',
      'ipykernel_launcher',
      '-f',
      '{connection_file}'
    ],
    display_name: `round ${round} ${'x'.repeat(4000)}`,
    language: 'python',
    interrupt_mode: 'signal',
    env: {},
    metadata: {
      debugger: true,
      ml_containers: {
        role: 'extended-env',
        image: '',
        name: '',
        tag: '',
        os: '',
        python: '3.11',
        flavour: '',
        buildDate: '',
        packageCount: 0,
        prefix: '/base'
      }
    }
  };
}

it('a kernel being replaced is never missing or half written for a concurrent reader', async () => {
  const data = `${scratch}/data`;
  registerKernel(data, 'mlc-k-00000000', spec(0), null);
  const file = `${data}/kernels/mlc-k-00000000/kernel.json`;
  const stop = `${scratch}/stop`;
  // The reader: another process, reading as fast as it can until told to stop.
  const reader = spawn(process.execPath, [
    '-e',
    `const fs = require('fs'); let reads = 0, missing = 0, torn = 0;
     while (!fs.existsSync(${JSON.stringify(stop)})) {
       reads++;
       let text;
       try { text = fs.readFileSync(${JSON.stringify(file)}, 'utf-8'); } catch { missing++; continue; }
       try { JSON.parse(text); } catch { torn++; }
     }
     process.stdout.write(JSON.stringify({ reads, missing, torn }));`
  ]);
  let output = '';
  reader.stdout.on('data', chunk => (output += chunk));
  const ended = new Promise<void>(resolve =>
    reader.on('close', () => resolve())
  );
  // Let the reader start before the replacing begins.
  await new Promise(resolve => setTimeout(resolve, 300));
  for (let round = 1; round <= 300; round++) {
    registerKernel(data, 'mlc-k-00000000', spec(round), null);
  }
  fs.writeFileSync(stop, '');
  await ended;
  const counts = JSON.parse(output) as {
    reads: number;
    missing: number;
    torn: number;
  };
  expect(counts.reads).toBeGreaterThan(0);
  expect({ missing: counts.missing, torn: counts.torn }).toEqual({
    missing: 0,
    torn: 0
  });
  expect(JSON.parse(fs.readFileSync(file, 'utf-8')).display_name).toMatch(
    /^round 300 /
  );
  expect(fs.readdirSync(`${data}/kernels`)).toEqual(['mlc-k-00000000']);
  expect(fs.readdirSync(`${data}/kernels/mlc-k-00000000`)).toEqual([
    'kernel.json'
  ]);
});

it('never writes through a link at the target, and refuses one at a new file', () => {
  const precious = `${scratch}/precious.txt`;
  fs.writeFileSync(precious, 'keep');
  fs.symlinkSync(precious, `${scratch}/target`);
  writeFileStaged(`${scratch}/target`, 'new');
  expect(fs.readFileSync(precious, 'utf-8')).toBe('keep');
  expect(fs.lstatSync(`${scratch}/target`).isFile()).toBe(true);
  fs.symlinkSync(precious, `${scratch}/planted`);
  expect(() => writeNewFile(`${scratch}/planted`, 'new')).toThrow();
  expect(fs.readFileSync(precious, 'utf-8')).toBe('keep');
  replaceSymlink('/nowhere', `${scratch}/target`);
  expect(fs.readlinkSync(`${scratch}/target`)).toBe('/nowhere');
  expect(
    fs.readdirSync(scratch).filter(name => name.includes('mlc-tmp'))
  ).toEqual([]);
});

it('a kernel directory that is a link is replaced by a real one, its target untouched', () => {
  const project = `${scratch}/project`;
  fs.mkdirSync(project);
  fs.writeFileSync(`${project}/kernel.json`, '{"mine": true}');
  fs.mkdirSync(`${scratch}/data/kernels`, { recursive: true });
  fs.symlinkSync(project, `${scratch}/data/kernels/mlc-k-00000000`);
  registerKernel(`${scratch}/data`, 'mlc-k-00000000', spec(1), null);
  expect(fs.readFileSync(`${project}/kernel.json`, 'utf-8')).toBe(
    '{"mine": true}'
  );
  expect(
    fs.lstatSync(`${scratch}/data/kernels/mlc-k-00000000`).isDirectory()
  ).toBe(true);
});
