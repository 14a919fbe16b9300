import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Readable } from 'node:stream';
import { CsvParser, CsvError, parseCsv, parseCsvString, toCsvRow } from '@/lib/csv';

const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('', '"', '""', ',', '\n', '\r\n', '\r', ' a ', 'é', '😀', '\ufeffx', 'a"b', '"\n,"'),
);
const table = fc.integer({ min: 1, max: 5 }).chain((w) => fc.array(fc.array(hostile, { minLength: w, maxLength: w }), { minLength: 1, maxLength: 12 }));

function splitAt(buf: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) { out.push(buf.subarray(prev, p)); prev = p; }
  out.push(buf.subarray(prev));
  return out;
}

async function collect(chunks: (string | Uint8Array)[]) {
  const rows: string[][] = [];
  for await (const r of parseCsv(Readable.from(chunks, { objectMode: true }))) rows.push(r.fields);
  return rows;
}

describe('csv round trip (property)', () => {
  it('parses back what toCsvRow wrote, whatever the chunking (bytes)', async () => {
    await fc.assert(
      fc.asyncProperty(table, fc.array(fc.nat(), { maxLength: 8 }), fc.constantFrom('\n', '\r\n'), fc.boolean(), async (rows, cuts, eol, bom) => {
        const text = (bom ? '\ufeff' : '') + rows.map((r) => toCsvRow(r)).join(eol) + (cuts.length % 2 ? eol : '');
        const bytes = new TextEncoder().encode(text);
        expect(await collect(splitAt(bytes, cuts))).toEqual(rows);
      }),
      { numRuns: 300 },
    );
  });

  it('parses the same from string chunks split anywhere (also between \\r and \\n)', () => {
    fc.assert(
      fc.property(table, fc.array(fc.nat(), { maxLength: 8 }), (rows, cuts) => {
        const text = rows.map((r) => toCsvRow(r)).join('\r\n') + '\r\n';
        const p = new CsvParser();
        const got: string[][] = [];
        const pts = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        let prev = 0;
        for (const q of [...pts, text.length]) { for (const r of p.push(text.slice(prev, q))) got.push(r.fields); prev = q; }
        for (const r of p.end()) got.push(r.fields);
        expect(got).toEqual(rows);
      }),
      { numRuns: 300 },
    );
  });
});

describe('csv parser details', () => {
  it('reports the physical line where each record starts', () => {
    const recs = parseCsvString('a,b\r\n"x\ny",2\n\n3,"q\r\nr"\n4,5');
    expect(recs.map((r) => r.line)).toEqual([1, 2, 5, 7]);
    expect(recs[1].fields).toEqual(['x\ny', '2']);
    expect(recs[2].fields).toEqual(['3', 'q\r\nr']);
  });

  it('handles escaped quotes, empty fields and a missing final newline', () => {
    expect(parseCsvString('"a""b",,"",c').map((r) => r.fields)).toEqual([['a"b', '', '', 'c']]);
  });

  it('raises ragged rows with their line, or reports them', () => {
    expect(() => parseCsvString('a,b\n1,2\n3\n')).toThrow(CsvError);
    expect(() => parseCsvString('a,b\n1,2\n3\n')).toThrow(/line 3: expected 2 fields but found 1/);
    const recs = parseCsvString('a,b\n1\n', { ragged: 'report' });
    expect(recs[1].ragged).toBe(true);
  });

  it('raises an unterminated quote with the line where it opened', () => {
    expect(() => parseCsvString('a\n"x\n\n')).toThrow(/line 2: unterminated/);
  });

  it('decodes a multi-byte character split across chunks', () => {
    const bytes = new TextEncoder().encode('x,é😀\n');
    const p = new CsvParser();
    const got = [...bytes].flatMap((b) => p.push(Uint8Array.of(b))).concat(p.end());
    expect(got[0].fields).toEqual(['x', 'é😀']);
  });

  it('toCsvRow quotes only where needed', () => {
    expect(toCsvRow(['a', 'b c', 'd,e', 'f"g', 'h\ni', 1.5, null, true])).toBe('a,b c,"d,e","f""g","h\ni",1.5,,true');
    expect(toCsvRow([''])).toBe('""');
    expect(toCsvRow([' pad'])).toBe('" pad"');
  });

  it('streams a large input without holding it (records arrive before the end)', async () => {
    let produced = 0, seenBeforeEnd = false;
    async function* source() {
      for (let c = 0; c < 200; c++) {
        produced++;
        yield Buffer.from(Array.from({ length: 500 }, (_, i) => `${c * 500 + i},"v${i}"\n`).join(''));
      }
    }
    let count = 0;
    for await (const r of parseCsv(source())) {
      if (count === 0 && produced < 200) seenBeforeEnd = true;
      count++;
      expect(r.fields.length).toBe(2);
    }
    expect(count).toBe(100_000);
    expect(seenBeforeEnd).toBe(true);
  });
});
