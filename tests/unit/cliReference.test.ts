/**
 * docs/cli.md is generated from the program (scripts/cli-reference.mjs):
 * a verb or option added, renamed or re-worded without regenerating it
 * fails here.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');

describe('docs/cli.md', () => {
  it('is what `npm run docs:cli` writes from the program today', () => {
    const generated = spawnSync(
      process.execPath,
      [path.join(ROOT, 'scripts', 'cli-reference.mjs'), '--stdout'],
      { cwd: ROOT, encoding: 'utf-8', timeout: 120000 }
    );
    expect(generated.stderr).toBe('');
    expect(generated.status).toBe(0);
    // Every verb is there: the walk cannot pass by listing nothing.
    expect(generated.stdout).toMatch(/^## mlc env create$/m);
    expect(generated.stdout).toMatch(/^## mlc hub ondemand-script$/m);
    const written = fs.readFileSync(path.join(ROOT, 'docs', 'cli.md'), 'utf-8');
    if (written !== generated.stdout) {
      throw new Error(
        'docs/cli.md is out of date: run `npm run docs:cli` and commit it'
      );
    }
  });
});
