// ESLint as the JupyterLab extension template sets it (typescript-eslint's
// recommended rules, prettier as a rule, the template's own rules), in the
// flat-config form of ESLint 9, plus react-hooks for the React views.
import js from '@eslint/js';
import prettierRecommended from 'eslint-plugin-prettier/recommended';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

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
    // Tests load some CommonJS-only modules (Galata's config, jsdom helpers) with require.
    files: ['tests/**', 'ui-tests/**'],
    rules: { '@typescript-eslint/no-require-imports': 'off' }
  }
);
