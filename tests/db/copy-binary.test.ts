import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Database } from '@/db/client';
import { CopyBinaryWriter, numberField, readCopyBinary, sqlLiteral, textField, uuidBytes, uuidText } from '@/db/copy-binary';
import { testDatabases } from '../helpers/db';

type Row = [number, string | null, number | null, number | null];

const row: fc.Arbitrary<Row> = fc.tuple(
  fc.integer({ min: -(2 ** 52), max: 2 ** 52 }),
  fc.option(fc.uuid({ version: 4 }), { nil: null }),
  fc.option(fc.float({ noDefaultInfinity: true }), { nil: null }),
  fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { nil: null }),
);

/** The rows as COPY binary chunks of at most about `chunkBytes`. */
function* encode(rows: Row[], chunkBytes: number) {
  const w = new CopyBinaryWriter(chunkBytes);
  for (const [n, id, x, i] of rows) {
    w.row(4).int8(n).uuid(id ? uuidBytes(id) : null);
    if (x === null) w.nul();
    else w.float4(x);
    if (i === null) w.nul();
    else w.int4(i);
    const c = w.take();
    if (c) yield c;
  }
  yield w.end();
}

/** Re-chunks a stream into pieces of `size` bytes, so that tuples straddle chunk boundaries. */
async function* rechunk(source: AsyncIterable<Buffer>, size: number) {
  for await (const c of source) for (let at = 0; at < c.length; at += size) yield c.subarray(at, at + size);
}

describe.each(testDatabases())('COPY binary both ways on $name', (target) => {
  let database: Database;
  beforeAll(async () => {
    database = await target.open();
  });
  afterAll(() => target.dispose(database));

  async function roundTrip(rows: Row[], chunkBytes: number, readChunk: number): Promise<Row[]> {
    return database.transaction(async (tx) => {
      await tx.query('create temp table copy_binary_t (n int8, id uuid, x real, i int4) on commit drop');
      await tx.copyIn((src) => `copy copy_binary_t from ${src} with (format binary)`, encode(rows, chunkBytes));
      const out: Row[] = [];
      // the table's physical order is the order written
      const read = await readCopyBinary(rechunk(tx.copyOut('copy (select n, id, x, i from copy_binary_t) to stdout with (format binary)'), readChunk), 4, (t) => {
        out.push([numberField(t, 0, 'int8'), t.lengths[1] < 0 ? null : uuidText(t.buf, t.offsets[1]), t.lengths[2] < 0 ? null : numberField(t, 2, 'float4'), t.lengths[3] < 0 ? null : numberField(t, 3, 'int4')]);
      });
      expect(read).toBe(rows.length);
      return out;
    });
  }

  it('reads back every value as written, whatever the chunk sizes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 60 }), fc.integer({ min: 16, max: 400 }), fc.integer({ min: 1, max: 97 }), async (rows, chunkBytes, readChunk) => {
        const back = await roundTrip(rows, chunkBytes, readChunk);
        expect(back).toEqual(rows.map(([n, id, x, i]) => [n, id, x === null ? null : Math.fround(x), i]));
      }),
      { numRuns: 25 },
    );
  });

  it('reads text fields and the server’s own uuids, and refuses a stream cut short', async () => {
    const id = crypto.randomUUID();
    const texts: (string | null)[] = [];
    await readCopyBinary(database.copyOut(`copy (select 'é\tü' as t, ${sqlLiteral(id)} union all select null, ${sqlLiteral(id)}) to stdout with (format binary)`), 2, (t) => {
      texts.push(textField(t, 0));
      expect(uuidText(t.buf, t.offsets[1])).toBe(id);
    });
    expect(texts).toEqual(['é\tü', null]);
    const parts: Buffer[] = [];
    for await (const c of database.copyOut('copy (select 1::int4) to stdout with (format binary)')) parts.push(c);
    const whole = Buffer.concat(parts);
    await expect(readCopyBinary((async function* () { yield whole.subarray(0, whole.length - 2); })(), 1, () => {})).rejects.toThrow(/trailer/);
  });

  it('takes only uuids and safe integers as literals', () => {
    expect(sqlLiteral(42)).toBe('42');
    expect(() => sqlLiteral("1'; drop table people; --")).toThrow();
    expect(() => sqlLiteral(2 ** 60)).toThrow();
  });
});
