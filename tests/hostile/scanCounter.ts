/**
 * A step counter for "does this parser stay linear?": while `fn` runs, every
 * string builtin the code calls (split, replace, indexOf, slice, regex
 * exec/test, JSON.parse...) adds the number of characters it is handed.
 * Rescanning the rest of the input per line or per part, the usual way a
 * parser turns quadratic, shows up as a count growing faster than the input.
 * What it cannot see is backtracking inside one regex call: those regexes are
 * kept out of the parsers instead (see core/packageManifest.ts).
 */

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

export function countScans<T>(fn: () => T): { result: T; steps: number } {
  let steps = 0;
  let depth = 0;
  const restore: Array<() => void> = [];
  const patch = (
    owner: object,
    key: string | symbol,
    cost: (self: unknown, args: unknown[], out: unknown) => number
  ) => {
    const original = (owner as Record<string | symbol, AnyFunction>)[key];
    (owner as Record<string | symbol, AnyFunction>)[key] = function (
      this: unknown,
      ...args: unknown[]
    ) {
      // Builtins call each other (split calls exec): count the outer call only.
      depth++;
      try {
        const out = original.apply(this, args);
        if (depth === 1) {
          steps += cost(this, args, out);
        }
        return out;
      } finally {
        depth--;
      }
    };
    restore.push(() => {
      (owner as Record<string | symbol, AnyFunction>)[key] = original;
    });
  };
  const own = (self: unknown) => String(self).length;
  const firstArg = (_: unknown, args: unknown[]) =>
    typeof args[0] === 'string' ? args[0].length : 0;
  // A search stops where it finds: from its start to the hit, else to the end.
  const searched = (self: unknown, args: unknown[], out: unknown) => {
    const from = Number(args[1]) || 0;
    return typeof out === 'number' && out >= 0
      ? out - from + 1
      : String(self).length - from;
  };
  const fromIndex = (self: unknown, args: unknown[]) =>
    String(self).length - (Number(args[1]) || 0);
  const output = (_: unknown, __: unknown[], out: unknown) =>
    (typeof out === 'string' ? out.length : 0) + 1;
  const string = String.prototype as unknown as object;
  for (const key of [
    'split',
    'replace',
    'replaceAll',
    'match',
    'matchAll',
    'search',
    'trim',
    'trimStart',
    'trimEnd',
    'toLowerCase',
    'toUpperCase'
  ]) {
    patch(string, key, own);
  }
  patch(string, 'indexOf', searched);
  for (const key of ['lastIndexOf', 'includes']) {
    patch(string, key, fromIndex);
  }
  for (const key of ['slice', 'substring', 'padEnd', 'padStart', 'concat']) {
    patch(string, key, output);
  }
  for (const key of ['startsWith', 'endsWith']) {
    patch(string, key, firstArg);
  }
  patch(RegExp.prototype, 'exec', firstArg);
  patch(RegExp.prototype, 'test', firstArg);
  patch(JSON, 'parse', firstArg);
  try {
    return { result: fn(), steps };
  } finally {
    for (const undo of restore.reverse()) {
      undo();
    }
  }
}

/**
 * Steps of `parse(make(size))` for growing sizes, and the largest ratio of
 * steps per input character to that of the smallest size: about 1 for a
 * linear parser, growing with the size for a quadratic one.
 */
export function growth(
  make: (size: number) => string,
  parse: (text: string) => unknown,
  sizes: number[]
): number {
  const perChar = sizes.map(size => {
    const text = make(size);
    return countScans(() => parse(text)).steps / Math.max(1, text.length);
  });
  return Math.max(...perChar.map(value => value / Math.max(perChar[0], 1e-9)));
}
