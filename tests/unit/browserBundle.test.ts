/**
 * The walls between the parts, checked on the import graph esbuild
 * resolves: from the extension's entry (what webpack bundles for the
 * labextension) mlc's English (src/core/problemText.ts) and the CLI never
 * reach the browser; the same walk from mlc's entry must find problemText,
 * so the check cannot pass by seeing nothing. The core imports only itself.
 */
import * as fs from 'fs';
import * as path from 'path';
import { build } from 'esbuild';

const ROOT = path.resolve(__dirname, '../..');
const PROBLEM_TEXT = 'src/core/problemText.ts';

describe('the browser bundle', () => {
  it('holds no mlc English and no CLI code', async () => {
    const inputs = await Private.bundledFiles('src/lab/index.ts');
    expect(inputs).toContain('src/lab/envActions/problemWords.ts');
    expect(inputs).toContain('src/core/validate.ts');
    expect(inputs).not.toContain(PROBLEM_TEXT);
    expect(inputs.filter(file => file.startsWith('src/cli/'))).toEqual([]);
  });

  it("is told from mlc's bundle, which does word problems in English", async () => {
    expect(await Private.bundledFiles('src/cli/index.ts')).toContain(
      PROBLEM_TEXT
    );
  });
});

describe('the shared core', () => {
  it('imports only the core: neither mlc nor the extension', async () => {
    const core = Private.sourceFiles('src/core');
    const inputs = await Private.bundledFiles(...core);
    expect(inputs.length).toBeGreaterThan(core.length / 2);
    expect(inputs.filter(file => !file.startsWith('src/core/'))).toEqual([]);
  });
});

namespace Private {
  /** The project's own source files an entry pulls in (packages left out). */
  export async function bundledFiles(...entries: string[]): Promise<string[]> {
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: entries,
      outdir: 'unused',
      bundle: true,
      write: false,
      metafile: true,
      logLevel: 'silent',
      packages: 'external',
      loader: {
        '.css': 'empty',
        '.svg': 'text',
        '.sh': 'text',
        '.png': 'binary'
      }
    });
    return Object.keys(result.metafile.inputs).filter(file =>
      file.startsWith('src/')
    );
  }

  /** The .ts files below `dir`, relative to the repository. */
  export function sourceFiles(dir: string): string[] {
    return fs
      .readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf-8' })
      .filter(file => file.endsWith('.ts') && !file.endsWith('.d.ts'))
      .map(file => `${dir}/${file}`);
  }
}
