// ESLint as the JupyterLab extension template sets it (typescript-eslint's
// recommended rules, prettier as a rule, the template's own rules), in the
// flat-config form of ESLint 9, plus react-hooks for the React views.
import js from '@eslint/js';
import prettierRecommended from 'eslint-plugin-prettier/recommended';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';
import { importZones } from './scripts/eslint/importZones.mjs';

// File operations of mlc go through src/cli/fs/ (docs/architecture.md,
// Invariants): outside it, the Node calls that delete, write, create or read
// whole files are refused, each with the module to use instead.
const FS_MODULES = {
  delete:
    'src/cli/fs/removeTree.ts (removeTree, removeEntry, removeFile, removeEmptyDirectory): the one removal module, which never follows a link',
  write:
    'src/cli/fs/stagedWrite.ts (writeFileStaged, writeFilesStaged, writeNewFile, patchFileStaged, StagedWrite): the one staged-write module (exclusive temporary, fsync, rename; no link below the root)',
  create:
    'src/cli/fs/entries.ts (makeDirectory, makeDirectories, makeSymlink, copyNewFile, moveEntry)',
  read: 'src/cli/fs/regularFile.ts (readRegularFile, readRegularBytes): bounded reads of regular files only'
};
const FS_CALLS = {
  delete: ['rmSync', 'rm', 'rmdirSync', 'rmdir', 'unlinkSync', 'unlink'],
  write: [
    'writeFileSync',
    'writeFile',
    'appendFileSync',
    'appendFile',
    'writeSync',
    'write',
    'writev',
    'writevSync',
    'truncateSync',
    'truncate',
    'ftruncateSync',
    'ftruncate',
    'createWriteStream'
  ],
  create: [
    'renameSync',
    'rename',
    'symlinkSync',
    'symlink',
    'linkSync',
    'link',
    'copyFileSync',
    'copyFile',
    'cpSync',
    'cp',
    'mkdirSync',
    'mkdir',
    'mkdtempSync',
    'mkdtemp'
  ],
  read: ['readFileSync', 'readFile', 'createReadStream']
};
const FS_HINT = 'File operations of mlc go through src/cli/fs/; use';
const RESTRICTED_FS_PROPERTIES = [
  ...Object.entries(FS_CALLS).flatMap(([kind, calls]) =>
    calls.map(property => ({
      object: 'fs',
      property,
      message: `${FS_HINT} ${FS_MODULES[kind]}.`
    }))
  ),
  {
    object: 'fs',
    property: 'promises',
    message: `${FS_HINT} its synchronous modules (stagedWrite, entries, removeTree, regularFile).`
  }
];
const RESTRICTED_FS_IMPORTS = {
  patterns: [
    {
      group: ['fs/promises', 'node:fs/promises'],
      message: `${FS_HINT} its synchronous modules (stagedWrite, entries, removeTree, regularFile).`
    }
  ]
};
const FS_NAMES = [...Object.values(FS_CALLS).flat(), 'promises'].join('|');
const RESTRICTED_FS_SYNTAX = [
  {
    selector: `ImportDeclaration[source.value=/^(node:)?fs$/] > ImportSpecifier[imported.name=/^(${FS_NAMES})$/]`,
    message: `${FS_HINT} the module of src/cli/fs/ for this job (stagedWrite, entries, removeTree, regularFile), not a named import from fs.`
  },
  {
    // An alias would hide fs.rmSync from the rule above.
    selector:
      "ImportDeclaration[source.value=/^(node:)?fs$/] > :matches(ImportNamespaceSpecifier, ImportDefaultSpecifier)[local.name!='fs']",
    message:
      "Import the fs module as `fs` (import * as fs from 'fs'), so the file-operation rules see its calls."
  },
  {
    selector:
      "CallExpression[callee.name='require'][arguments.0.value=/^(node:)?fs(\\/promises)?$/]",
    message: `${FS_HINT} an import of its modules, not require('fs').`
  },
  {
    selector:
      "TSAsExpression > TSTypeReference[typeName.left.name='NodeJS'][typeName.right.name='ErrnoException']",
    message:
      'Use errnoCode() / errnoPath() of src/cli/fs/errors.ts (the errno helper), not a cast to NodeJS.ErrnoException.'
  }
];

export default tseslint.config(
  {
    ignores: [
      'lib/',
      'build/',
      'node_modules/',
      '.venv/',
      'coverage/',
      'jupyterlab_ml_containers/',
      'ui-tests/test-results/',
      'ui-tests/playwright-report/',
      '**/*.d.ts'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettierRecommended,
  {
    // The React views (test helpers named use* are no hooks).
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules
  },
  {
    rules: {
      '@typescript-eslint/naming-convention': [
        'error',
        {
          selector: 'interface',
          format: ['PascalCase'],
          custom: { regex: '^I[A-Z]', match: true }
        }
      ],
      '@typescript-eslint/no-unused-vars': [
        'warn',
        { args: 'none', ignoreRestSiblings: true }
      ],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-namespace': 'off',
      '@typescript-eslint/no-use-before-define': 'off',
      quotes: [
        'error',
        'single',
        { avoidEscape: true, allowTemplateLiterals: false }
      ],
      curly: ['error', 'all'],
      eqeqeq: 'error',
      'prefer-arrow-callback': 'error'
    }
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        performance: 'readonly'
      }
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' }
  },
  {
    // Nothing read from a kernel spec or image.json is rendered as HTML
    // (docs/architecture.md, invariant 2): the views are React text nodes.
    files: ['src/lab/**/*.ts', 'src/lab/**/*.tsx'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']",
          message: 'render text as React children, never as HTML'
        },
        {
          selector: 'MemberExpression[property.name=/^(innerHTML|outerHTML)$/]',
          message: 'set textContent, never HTML'
        },
        {
          selector: "CallExpression[callee.property.name='insertAdjacentHTML']",
          message: 'build nodes, never HTML text'
        },
        {
          selector:
            "CallExpression[callee.object.name='document'][callee.property.name=/^write(ln)?$/]",
          message: 'build nodes, never HTML text'
        }
      ]
    }
  },
  {
    // The walls between the parts (scripts/eslint/importZones.mjs).
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    plugins: { mlc: { rules: { 'import-zones': importZones } } },
    rules: { 'mlc/import-zones': 'error' }
  },
  {
    // mlc's file operations only through src/cli/fs/ (tests, bench and scripts are exempt).
    files: ['src/cli/**/*.ts'],
    ignores: ['src/cli/fs/**'],
    rules: {
      'no-restricted-properties': ['error', ...RESTRICTED_FS_PROPERTIES],
      'no-restricted-imports': ['error', RESTRICTED_FS_IMPORTS],
      'no-restricted-syntax': ['error', ...RESTRICTED_FS_SYNTAX]
    }
  },
  {
    // Tests load some CommonJS-only modules (Galata's config, jsdom helpers) with require.
    files: ['tests/**', 'ui-tests/**'],
    rules: { '@typescript-eslint/no-require-imports': 'off' }
  }
);
