/**
 * Text read from someone else's file (a kernel name, a package, a path),
 * made safe to show on a terminal or in a one-line message: control and
 * format characters (newlines, escapes, bidi overrides U+202A-U+202E and
 * U+2066-U+2069, zero-width and separator characters, lone surrogates) are
 * shown as `\n`, `\u202E`..., so a name cannot forge lines or reorder what
 * is shown. Machine output keeps the real value. Pure: shared by mlc and the
 * extension.
 */

/** `text` with every invisible or line-forging character escaped. */
export function visibleText(text: string): string {
  return text.replace(Private.INVISIBLE, char => Private.escape(char));
}

/** At most `max` characters of `text` (escaped first), the rest replaced by `...`. */
export function elideText(text: string, max: number): string {
  // Cut before escaping too, so a 100 MB name costs no 100 MB copy.
  const visible = visibleText(
    text.length > max * 2 ? text.slice(0, max * 2) : text
  );
  if (visible.length <= max && text.length <= max * 2) {
    return visible;
  }
  let cut = Math.max(0, max - 3);
  // Never split a surrogate pair.
  if (cut > 0 && /[\ud800-\udbff]/.test(visible[cut - 1])) {
    cut--;
  }
  return `${visible.slice(0, cut)}...`;
}

namespace Private {
  export const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

  const SHORT: Record<string, string> = {
    '\n': '\\n',
    '\r': '\\r',
    '\t': '\\t'
  };

  export function escape(char: string): string {
    const code = char.codePointAt(0) as number;
    return (
      SHORT[char] ??
      (code > 0xffff
        ? `\\u{${code.toString(16).toUpperCase()}}`
        : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`)
    );
  }
}
