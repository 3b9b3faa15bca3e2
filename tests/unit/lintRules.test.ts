/**
 * The rules of docs/architecture.md that ESLint enforces (eslint.config.mjs,
 * scripts/eslint/importZones.mjs) still bite: small snippets, each linted as
 * if it were a file in a given zone, with the project's own configuration.
 * A rule dropped, misspelt or scoped to the wrong files fails here.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

const REPO = path.resolve(__dirname, '..', '..');

interface ISnippet {
  /** Where the snippet is linted as if it were (repository-relative). */
  file: string;
  code: string;
}

interface ILinted {
  file: string;
  rules: string[];
  messages: string[];
}

/**
 * Lint every snippet with ESLint's Node API in one child process (the
 * configuration is an ES module, which jest's CommonJS runtime cannot load).
 */
function lint(snippets: ISnippet[]): ILinted[] {
  const script = `
    import { ESLint } from 'eslint';
    const snippets = JSON.parse(process.argv[1]);
    const eslint = new ESLint({ cwd: process.cwd() });
    const out = [];
    for (const { file, code } of snippets) {
      const [result] = await eslint.lintText(code, { filePath: file });
      const problems = result.messages.filter(m => m.ruleId !== 'prettier/prettier' && m.ruleId !== '@typescript-eslint/no-unused-vars');
      out.push({ file, rules: problems.map(m => m.ruleId), messages: problems.map(m => m.message) });
    }
    console.log(JSON.stringify(out));
  `;
  const run = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', script, JSON.stringify(snippets)],
    { cwd: REPO, encoding: 'utf-8', maxBuffer: 1 << 26 }
  );
  if (run.status !== 0) {
    throw new Error(`eslint failed: ${run.stderr}`);
  }
  return JSON.parse(run.stdout) as ILinted[];
}

/** A call of each kind a file outside src/cli/fs/ may not make, and the module its message must name. */
const FS_CALLS: Array<[string, string]> = [
  ["fs.rmSync('/x', { recursive: true });", 'removeTree.ts'],
  ["fs.rmdirSync('/x');", 'removeTree.ts'],
  ["fs.unlinkSync('/x');", 'removeTree.ts'],
  ["fs.writeFileSync('/x', 'y');", 'stagedWrite.ts'],
  ["fs.appendFileSync('/x', 'y');", 'stagedWrite.ts'],
  ["fs.renameSync('/x', '/y');", 'entries.ts'],
  ["fs.symlinkSync('/x', '/y');", 'entries.ts'],
  ["fs.copyFileSync('/x', '/y');", 'entries.ts'],
  ["fs.mkdirSync('/x', { recursive: true });", 'entries.ts'],
  ["fs.readFileSync('/x', 'utf-8');", 'regularFile.ts'],
  ["void fs.promises.readFile('/x');", 'src/cli/fs/'],
  ["void fs['writeFile']('/x', 'y', () => undefined);", 'stagedWrite.ts']
];

/** Other ways to reach the same calls. */
const FS_EVASIONS = [
  "import { rmSync } from 'fs';\nrmSync('/x');\n",
  "import { writeFileSync as w } from 'node:fs';\nw('/x', 'y');\n",
  "import { readFile } from 'fs/promises';\nvoid readFile('/x');\n",
  "import * as nodeFs from 'fs';\nnodeFs.rmSync('/x');\n",
  "import fsDefault from 'fs';\nfsDefault.rmSync('/x');\n",
  "const fs = require('fs');\nfs.statSync('/x');\n",
  'export function code(error: unknown): unknown {\n  return (error as NodeJS.ErrnoException).code;\n}\n'
];

const ALLOWED_IN_CLI =
  "import * as fs from 'fs';\nexport const here = fs.lstatSync('/').isDirectory() && fs.readdirSync('/').length;\n";

describe('file operations of mlc only through src/cli/fs/', () => {
  const linted = lint([
    ...FS_CALLS.map(([call]) => ({
      file: 'src/cli/env/probe.ts',
      code: `import * as fs from 'fs';\n${call}\n`
    })),
    ...FS_EVASIONS.map(code => ({ file: 'src/cli/image/probe.ts', code })),
    { file: 'src/cli/kernels/probe.ts', code: ALLOWED_IN_CLI },
    ...FS_CALLS.map(([call]) => ({
      file: 'src/cli/fs/probe.ts',
      code: `import * as fs from 'fs';\n${call}\n`
    })),
    {
      file: 'tests/unit/probe.ts',
      code: "import * as fs from 'fs';\nfs.rmSync('/x');\n"
    }
  ]);
  const calls = linted.slice(0, FS_CALLS.length);
  const evasions = linted.slice(
    FS_CALLS.length,
    FS_CALLS.length + FS_EVASIONS.length
  );
  const [allowed, ...rest] = linted.slice(FS_CALLS.length + FS_EVASIONS.length);
  const insideFs = rest.slice(0, FS_CALLS.length);
  const inTests = rest[FS_CALLS.length];

  it.each(FS_CALLS.map(([call, module], index) => [call, module, index]))(
    'refuses %s outside src/cli/fs/, naming %s',
    (call, module, index) => {
      const result = calls[index as number];
      expect(result.rules).toContain('no-restricted-properties');
      expect(result.messages.join('\n')).toContain(module as string);
    }
  );

  it.each(FS_EVASIONS.map((code, index) => [code.split('\n')[0], index]))(
    'refuses the detour %s',
    (_, index) => {
      expect(
        evasions[index as number].rules.some(rule =>
          /^no-restricted-(syntax|imports|properties)$/.test(rule as string)
        )
      ).toBe(true);
    }
  );

  it('lets the probes and directory listings through, and src/cli/fs/ and tests do as they must', () => {
    expect(allowed.messages).toEqual([]);
    for (const result of insideFs) {
      expect(result.messages).toEqual([]);
    }
    expect(inTests.messages).toEqual([]);
  });
});

describe('import zones', () => {
  const cases: Array<[string, string, boolean]> = [
    // [file, import, refused]
    ['src/core/probe.ts', '../cli/output', true],
    ['src/core/runner/probe.ts', '../../cli/fs/stagedWrite', true],
    ['src/core/probe.ts', '../lab/tokens', true],
    ['src/core/probe.ts', 'fs', true],
    ['src/core/probe.ts', 'node:path', true],
    ['src/core/probe.ts', 'child_process', true],
    ['src/core/probe.ts', './quote', false],
    ['src/core/probe.ts', 'zod', false],
    ['src/lab/launcher/probe.ts', '../../cli/env/create', true],
    ['src/lab/probe.ts', '../cli/kernels/searchPath', true],
    ['src/lab/probe.ts', 'os', true],
    ['src/lab/launcher/probe.ts', '../../core/quote', false],
    ['src/lab/launcher/probe.ts', '@jupyterlab/launcher', false],
    ['src/cli/fs/probe.ts', '../kernels/searchPath', true],
    ['src/cli/fs/probe.ts', '../env/layout', true],
    ['src/cli/fs/probe.ts', '../../lab/tokens', true],
    ['src/cli/fs/probe.ts', '../output', true],
    ['src/cli/fs/probe.ts', './errors', false],
    ['src/cli/fs/probe.ts', '../errors', false],
    ['src/cli/fs/probe.ts', '../../core/validate', false],
    ['src/cli/fs/probe.ts', 'fs', false],
    ['src/cli/kernels/probe.ts', '../fs/stagedWrite', false],
    ['src/cli/kernels/probe.ts', '../../core/kernelspec', false]
  ];
  const linted = lint(
    cases.map(([file, source]) => ({
      file,
      code: `import * as probe from '${source}';\nexport const used = probe;\n`
    }))
  );

  it.each(cases.map((entry, index) => [...entry, index]))(
    '%s importing %s: refused %s',
    (file, source, refused, index) => {
      const rules = linted[index as number].rules;
      if (refused) {
        expect(rules).toContain('mlc/import-zones');
      } else {
        expect(rules).not.toContain('mlc/import-zones');
      }
    }
  );

  it('also sees re-exports, dynamic imports and require', () => {
    const [reexport, dynamic, required] = lint([
      {
        file: 'src/core/probe.ts',
        code: "export { UserError } from '../cli/errors';\n"
      },
      {
        file: 'src/lab/probe.ts',
        code: "export const later = import('../cli/output');\n"
      },
      {
        file: 'src/core/probe.ts',
        code: "// eslint-disable-next-line @typescript-eslint/no-require-imports\nexport const os = require('os');\n"
      }
    ]);
    expect(reexport.rules).toContain('mlc/import-zones');
    expect(dynamic.rules).toContain('mlc/import-zones');
    expect(required.rules).toContain('mlc/import-zones');
  });
});

describe('no HTML from data in the extension', () => {
  const refused = [
    'export const View = (p: { t: string }) => (\n  <div dangerouslySetInnerHTML={{ __html: p.t }} />\n);\n',
    'export function show(el: HTMLElement, t: string): void {\n  el.innerHTML = t;\n}\n',
    'export function show(el: HTMLElement, t: string): void {\n  el.outerHTML = t;\n}\n',
    "export function show(el: HTMLElement, t: string): void {\n  el.insertAdjacentHTML('beforeend', t);\n}\n",
    'export function show(t: string): void {\n  document.write(t);\n}\n'
  ];
  const allowed =
    'export function show(el: HTMLElement, t: string): void {\n  el.textContent = t;\n}\nexport const View = (p: { t: string }) => <div>{p.t}</div>;\n';
  const linted = lint([
    ...refused.map(code => ({ file: 'src/lab/launcher/probe.tsx', code })),
    { file: 'src/lab/launcher/probe.tsx', code: allowed }
  ]);

  it.each(refused.map((code, index) => [code.split('\n')[1].trim(), index]))(
    'refuses %s in src/lab/',
    (_, index) => {
      expect(linted[index as number].rules).toContain('no-restricted-syntax');
    }
  );

  it('lets text through', () => {
    expect(linted[refused.length].messages).toEqual([]);
  });
});
