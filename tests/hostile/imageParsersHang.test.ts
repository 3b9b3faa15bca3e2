/**
 * The readers of image files and of the wire on 2 MB adversarial inputs:
 * long runs of exactly what their regexes quantify over. The step counter
 * of image-parsers.test.ts cannot see backtracking inside one regex call;
 * this can: a linear reader takes milliseconds here, a quadratic one hours.
 * Each case runs in a child with a bounded spawn timeout, so a regression
 * fails instead of hanging the suite.
 */
import { spawnSync } from 'child_process';
import { buildSync } from 'esbuild';
import * as fs from 'fs';
import * as path from 'path';
import { makeScratch, REPO } from '../harness/paths';

/** Far above what a linear reader needs for 2 MB; a quadratic one needs hours. */
const SPAWN_TIMEOUT_MS = 60000;
const SIZE = 2_000_000;

const scratch = makeScratch('hostile-parsers');
const bundle = path.join(scratch.dir, 'readers.cjs');
const runner = path.join(scratch.dir, 'run.cjs');

beforeAll(() => {
  const entry = path.join(scratch.dir, 'entry.ts');
  fs.writeFileSync(
    entry,
    [
      `export * from ${JSON.stringify(path.join(REPO, 'src/core/packageManifest'))};`,
      `export * from ${JSON.stringify(path.join(REPO, 'src/core/imageMetadata'))};`,
      `export * from ${JSON.stringify(path.join(REPO, 'src/core/wire'))};`
    ].join('\n')
  );
  buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: bundle,
    nodePaths: [path.join(REPO, 'node_modules')],
    logLevel: 'error'
  });
  // argv: the reader's name, then the input as: a prefix, a run of one text, a suffix.
  fs.writeFileSync(
    runner,
    `const readers = require(${JSON.stringify(bundle)});
const [name, before, unit, after] = process.argv.slice(2);
const text = before + unit.repeat(${SIZE} / unit.length) + after;
const call = {
  condaOwnedDistInfos: t => readers.condaOwnedDistInfos([{ name: 'x', version: '1', files: [t] }]),
  condaChannelName: t => readers.condaChannelName(t, 'linux-64'),
  packageFieldProblem: t => readers.packageFieldProblem('name', t),
  readerPush: t => new readers.WireEventReader('0123456789abcdef').push(t),
  decodeWireRequest: t => { try { readers.decodeWireRequest(t); } catch {} }
}[name] ?? readers[name];
call(text);
process.stdout.write('done');
`
  );
});

afterAll(() => scratch.cleanup());

describe('the readers on 2 MB adversarial runs', () => {
  it.each([
    ['condaOwnedDistInfos', 'lib/', 'a', ''],
    ['condaOwnedDistInfos', 'lib/', 'a.dist-inf', 'x'],
    ['condaChannelName', 'https://x', '/', 'y'],
    ['parseDpkgStatus', 'Package: a\n', '\n \t', 'x'],
    ['parseDpkgStatus', 'Package: a\n', ' ', 'x'],
    ['parseCoreMetadata', 'Name: a\n', ' ', 'x'],
    ['parseCoreMetadata', 'Name: a\n', '\r', 'x'],
    ['parseOsRelease', '', ' ', '=x'],
    ['parseOsRelease', 'A', '_', ''],
    ['parseDistInfoName', 'a-', 'b', '.dist-inf'],
    ['parseRpmQuery', '', '\t', 'x'],
    ['parsePackageList', 'a', ' ', 'x'],
    ['isIsoDateTime', '2024-05-01T12:30:00.', '1', 'x'],
    ['packageFieldProblem', '', 'a', ''],
    ['parseImageMetadata', '{"name": "', 'a', ''],
    ['decodeWireRequest', '', 'A', '!'],
    ['readerPush', '\u001b[', '1', ''],
    ['readerPush', '', '\r', '\n']
  ])('%s on %j + a run of %j + %j', (name, before, unit, after) => {
    const run = spawnSync(
      process.execPath,
      [runner, name, before, unit, after],
      {
        timeout: SPAWN_TIMEOUT_MS,
        encoding: 'utf-8'
      }
    );
    expect(run.error).toBeUndefined();
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('done');
  });
});
