/**
 * The one way the shared core reads a JSON file it is given as text: parse,
 * check against a zod/mini schema, and word the first problem as one line
 * that names the file and the field. Pure: the callers read the files.
 */
import type * as z from 'zod/mini';
import { zodMessages } from './zodMessages';

/** A parse result that carries one user-readable line on failure. */
export type ParseResult<T> =
  { ok: true; value: T } | { ok: false; error: string };

/** A `schemaVersion` above what this reader knows, worded by the file's owner. */
export interface INewerSchema {
  known: number;
  message: (found: number, raw: Record<string, unknown>) => string;
}

/**
 * Parse `text` as JSON and check it against `schema`. `label` names the text
 * in messages (`the catalogue c.json`, `.mlc-env.json`); empty when the
 * caller puts its own words in front. A newer `schemaVersion` is refused
 * with its own message before the schema speaks (its fields may differ).
 */
export function parseJson<T>(
  schema: z.ZodMiniType<T>,
  label: string,
  text: string,
  newer?: INewerSchema
): ParseResult<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (reason) {
    return {
      ok: false,
      error: `${label ? `${label} is ` : ''}not valid JSON (${Private.firstLine(reason)})`
    };
  }
  return checkJson(schema, label, raw, newer);
}

/** `parseJson` for a value already parsed (or built in memory). */
export function checkJson<T>(
  schema: z.ZodMiniType<T>,
  label: string,
  raw: unknown,
  newer?: INewerSchema
): ParseResult<T> {
  if (newer && Private.isRecord(raw)) {
    const found = raw.schemaVersion;
    if (typeof found === 'number' && found > newer.known) {
      return { ok: false, error: newer.message(found, raw) };
    }
  }
  zodMessages();
  const result = schema.safeParse(raw);
  if (result.success) {
    return { ok: true, value: result.data };
  }
  const issue = result.error.issues[0];
  const where = issue.path.length ? issue.path.join('.') : '(top level)';
  return {
    ok: false,
    error: `${label ? `${label}: ` : ''}${where}: ${issue.message}`
  };
}

namespace Private {
  export function isRecord(raw: unknown): raw is Record<string, unknown> {
    return typeof raw === 'object' && raw !== null && !Array.isArray(raw);
  }

  /**
   * The parser's reason as one short line: it quotes the input, which may
   * hold line breaks and control characters, so those are shown escaped.
   */
  export function firstLine(reason: unknown): string {
    const text = reason instanceof Error ? reason.message : String(reason);
    const escaped = text.replace(
      /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu,
      char =>
        `\\u${(char.codePointAt(0) as number).toString(16).padStart(4, '0')}`
    );
    return escaped.length > 200 ? `${escaped.slice(0, 197)}...` : escaped;
  }
}
