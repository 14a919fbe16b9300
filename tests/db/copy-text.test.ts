import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Database } from '@/db/client';
import { CopyTextWriter } from '@/db/copy-text';
import { testDatabases } from '../helpers/db';

// text PostgreSQL can store (no NUL), with everything COPY's text format treats specially
const value = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 10 }).map((s) => s.replaceAll('\0', '')),
  fc.constantFrom('', '\\', '\\N', 'N', '\t', '\n', '\r\n', 'a\\tb', 'é\tü\\', '😀\n', '王\r', ' x ', '.', '\\.'),
);
const row = fc.tuple(fc.option(value, { nil: null }), fc.integer({ min: 0, max: 2 ** 40 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.option(value, { nil: null }));

describe.each(testDatabases())('COPY text written as bytes on $name', (target) => {
  let database: Database;
  beforeAll(async () => {
    database = await target.open();
  });
  afterAll(() => target.dispose(database));

  async function roundTrip(bytes: Uint8Array<ArrayBuffer>) {
    return database.transaction(async (tx) => {
      await tx.query('create temp table copy_text_t (a text, n int8, x float8, b text) on commit drop');
      await tx.copyIn((src) => `copy copy_text_t from ${src}`, bytes);
      const r = await tx.query<{ a: string | null; n: string; x: number; b: string | null }>('select a, n::text as n, x, b from copy_text_t');
      return r.rows.map((x) => [x.a, Number(x.n), x.x, x.b]);
    });
  }

  it('reads back every value as written, in one buffer that grows', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 40 }), async (rows) => {
        const w = new CopyTextWriter(16);
        for (const [a, n, x, b] of rows) w.text(a).number(n).number(x).text(b).endRow();
        const back = await roundTrip(w.bytes());
        expect(back).toEqual(rows.map(([a, n, x, b]) => [a, n, Object.is(x, -0) ? 0 : x, b]));
      }),
      { numRuns: 60 },
    );
  });

  it('flags a NUL character and takes back the row being written', async () => {
    const w = new CopyTextWriter();
    w.text('kept').number(1).number(1.5).nul().endRow();
    w.text('bad\0value').number(2);
    expect(w.hasNul).toBe(true);
    w.dropRow();
    w.text('ünïcödé\0');
    expect(w.hasNul).toBe(true);
    w.dropRow();
    expect(w.hasNul).toBe(false);
    w.text('also kept').number(3).number(-2).text('\\N').endRow();
    expect(await roundTrip(w.bytes())).toEqual([
      ['kept', 1, 1.5, null],
      ['also kept', 3, -2, '\\N'],
    ]);
    w.reset();
    expect(w.byteLength).toBe(0);
  });
});
