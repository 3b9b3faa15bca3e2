import * as z from 'zod/mini';
import { checkJson, parseJson } from '../../src/core/parseJson';

const schema = z.object({
  schemaVersion: z.literal(1),
  items: z.array(z.object({ name: z.string() }))
});
const newer = {
  known: 1,
  message: (found: number) => `schema ${found} is newer`
};

describe('parseJson', () => {
  it('returns the checked value', () => {
    const text = '{"schemaVersion": 1, "items": [{"name": "a"}]}';
    expect(parseJson(schema, 'f.json', text)).toEqual({
      ok: true,
      value: { schemaVersion: 1, items: [{ name: 'a' }] }
    });
  });

  it('names the file and the first field at fault', () => {
    const text = '{"schemaVersion": 1, "items": [{"name": 3}]}';
    const parsed = parseJson(schema, 'f.json', text);
    expect(!parsed.ok && parsed.error).toMatch(/^f\.json: items\.0\.name: /);
    const top = parseJson(schema, 'f.json', '[]');
    expect(!top.ok && top.error).toMatch(/^f\.json: \(top level\): /);
    const unlabelled = parseJson(schema, '', text);
    expect(!unlabelled.ok && unlabelled.error).toMatch(/^items\.0\.name: /);
  });

  it('gives the parser reason on one line, control characters escaped', () => {
    const parsed = parseJson(schema, 'f.json', '{"a\n\u001b[31m');
    expect(parsed.ok).toBe(false);
    const error = !parsed.ok ? parsed.error : '';
    expect(error).toMatch(/^f\.json is not valid JSON \(.+\)$/);
    expect(error).not.toMatch(/[\p{Cc}]/u);
    const unlabelled = parseJson(schema, '', '{');
    expect(!unlabelled.ok && unlabelled.error).toMatch(/^not valid JSON \(/);
  });

  it("refuses a newer schema with the owner's words, before the schema", () => {
    expect(
      checkJson(schema, 'f.json', { schemaVersion: 2, other: true }, newer)
    ).toEqual({ ok: false, error: 'schema 2 is newer' });
    const older = checkJson(schema, 'f.json', { schemaVersion: 0 }, newer);
    expect(!older.ok && older.error).toMatch(/^f\.json: schemaVersion: /);
  });
});
