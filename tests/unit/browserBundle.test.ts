/**
 * The walls around the browser bundle, checked on the import graph esbuild
 * resolves from the extension's entry (what webpack bundles for the
 * labextension): mlc's English (src/core/problemText.ts) and the CLI never
 * reach the browser. The same walk from mlc's entry must find problemText,
 * so the check cannot pass by seeing nothing.
 */
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

namespace Private {
  /** The project's own source files an entry pulls in (packages left out). */
  export async function bundledFiles(entry: string): Promise<string[]> {
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: [entry],
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
}
