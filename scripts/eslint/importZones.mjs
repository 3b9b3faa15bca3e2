// ESLint rule `mlc/import-zones`: the walls between the project's parts
// (docs/architecture.md, Invariants). An import is resolved against the file
// that makes it, so `../../cli/x` is caught however it is spelt:
// - src/core/ imports neither src/cli/ nor src/lab/, nor any Node built-in;
// - src/lab/ (the browser) never imports src/cli/, nor any Node built-in;
// - src/cli/fs/ imports only itself, src/core/ and src/cli/errors.ts.
import { builtinModules } from 'node:module';
import * as path from 'node:path';

const BUILTINS = new Set(builtinModules);

/** The zone of a repository-relative file, or null when no wall applies. */
function zoneOf(file) {
  if (file.startsWith('src/core/')) {
    return {
      name: 'src/core',
      noBuiltins: true,
      allowed: target =>
        !target.startsWith('src/cli/') && !target.startsWith('src/lab/')
    };
  }
  if (file.startsWith('src/lab/')) {
    return {
      name: 'src/lab',
      noBuiltins: true,
      allowed: target => !target.startsWith('src/cli/')
    };
  }
  if (file.startsWith('src/cli/fs/')) {
    return {
      name: 'src/cli/fs',
      noBuiltins: false,
      allowed: target =>
        !target.startsWith('src/') ||
        target.startsWith('src/cli/fs/') ||
        target.startsWith('src/core/') ||
        target === 'src/cli/errors'
    };
  }
  return null;
}

function isBuiltin(source) {
  return source.startsWith('node:') || BUILTINS.has(source.split('/')[0]);
}

export const importZones = {
  meta: {
    type: 'problem',
    docs: {
      description:
        'keep the walls between src/core, src/lab, src/cli and src/cli/fs'
    },
    schema: [],
    messages: {
      builtin:
        '{{zone}} runs in the browser too: no Node built-in ({{source}}); put file or process work in src/cli/',
      crosses:
        '{{zone}} may not import {{target}} (docs/architecture.md, Invariants: src/core imports neither src/cli nor src/lab; src/lab never imports src/cli; src/cli/fs imports only itself, src/core and src/cli/errors.ts)'
    }
  },
  create(context) {
    const root = context.cwd;
    const file = path
      .relative(root, context.filename)
      .split(path.sep)
      .join('/');
    const zone = zoneOf(file);
    if (!zone) {
      return {};
    }
    const check = (node, source) => {
      if (typeof source !== 'string') {
        return;
      }
      if (!source.startsWith('.')) {
        if (zone.noBuiltins && isBuiltin(source)) {
          context.report({
            node,
            messageId: 'builtin',
            data: { zone: zone.name, source }
          });
        }
        return;
      }
      const target = path
        .relative(root, path.resolve(path.dirname(context.filename), source))
        .split(path.sep)
        .join('/')
        .replace(/\.(ts|tsx|js)$/, '');
      if (!zone.allowed(target)) {
        context.report({
          node,
          messageId: 'crosses',
          data: { zone: zone.name, target }
        });
      }
    };
    return {
      ImportDeclaration: node => check(node, node.source.value),
      ExportNamedDeclaration: node =>
        node.source && check(node, node.source.value),
      ExportAllDeclaration: node => check(node, node.source.value),
      ImportExpression: node => check(node, node.source.value),
      TSImportEqualsDeclaration: node =>
        check(node, node.moduleReference?.expression?.value),
      CallExpression: node => {
        if (
          node.callee.type === 'Identifier' &&
          node.callee.name === 'require'
        ) {
          check(node, node.arguments[0]?.value);
        }
      }
    };
  }
};
