import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvParser, toCsvRow, type CsvRecord } from '@/lib/csv';

const caps = { maxFieldChars: 50, maxRecordChars: 200, ragged: 'report' as const };

function parseInChunks(text: string, cuts: number[], opts = caps): CsvRecord[] {
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const p = new CsvParser(opts);
  const out: CsvRecord[] = [];
  let prev = 0;
  for (const at of [...points, text.length]) {
    out.push(...p.push(text.slice(prev, at)));
    prev = at;
  }
  return [...out, ...p.end()];
}

describe('CSV field and record caps', () => {
  it('reports a record past a cap by its line, and reads the ones after it as usual', () => {
    const long = 'x'.repeat(51);
    const text = ['a,b,c', '1,2,3', `4,${long},6`, '7,8,9', `"multi\nline ${long}",y,z`, '10,11,12', Array(70).fill('abc').join(','), '13,14,15'].join('\n');
    const recs = parseInChunks(text, []);
    expect(recs.map((r) => [r.line, r.tooLong ?? null, r.fields])).toEqual([
      [1, null, ['a', 'b', 'c']],
      [2, null, ['1', '2', '3']],
      [3, 'field', []],
      [4, null, ['7', '8', '9']],
      // a quoted value over two physical lines: the next record starts on line 7
      [5, 'field', []],
      [7, null, ['10', '11', '12']],
      // 70 short fields: 280 characters with their commas
      [8, 'record', []],
      [9, null, ['13', '14', '15']],
    ]);
    // a dropped record is not ragged: its fields are not known
    expect(recs.some((r) => r.ragged)).toBe(false);
  });

  it('keeps every record within the caps exactly, whatever the chunking (property)', () => {
    const cell = fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.constantFrom('', '"', ',', '\n', '\r\n', 'é', '😀'),
      fc.integer({ min: 40, max: 120 }).map((n) => 'y'.repeat(n)),
    );
    const table = fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 10 });
    fc.assert(
      fc.property(table, fc.array(fc.nat(), { maxLength: 10 }), (rows, cuts) => {
        const header = ['h1', 'h2', 'h3'];
        const text = [header, ...rows].map((r) => toCsvRow(r)).join('\r\n') + '\r\n';
        const recs = parseInChunks(text, cuts);
        expect(recs).toHaveLength(rows.length + 1);
        rows.forEach((row, i) => {
          const rec = recs[i + 1];
          const longField = row.some((v) => v.length > caps.maxFieldChars);
          const recordChars = row.reduce((n, v) => n + v.length + 1, 0);
          if (longField) expect(rec.tooLong).toBe('field');
          else if (recordChars > caps.maxRecordChars) expect(rec.tooLong).toBe('record');
          else expect([rec.tooLong, rec.fields]).toEqual([undefined, row]);
        });
        // line numbers still count the newlines of dropped records
        const lines = [1];
        for (const r of [header, ...rows].slice(0, -1)) lines.push(lines[lines.length - 1] + 1 + r.reduce((n, v) => n + v.split(/\r\n|\r|\n/).length - 1, 0));
        expect(recs.map((r) => r.line)).toEqual(lines);
      }),
      { numRuns: 400 },
    );
  });

  it('holds no more than a cap and a chunk of one endless value', () => {
    const p = new CsvParser({ maxFieldChars: 64 * 1024, maxRecordChars: 1024 * 1024 });
    p.push('a,b\n1,"');
    const chunk = 'z'.repeat(64 * 1024);
    let largest = 0;
    for (let i = 0; i < 400; i++) {
      expect(p.push(chunk)).toEqual([]);
      largest = Math.max(largest, (Reflect.get(p, 'field') as string).length);
    }
    // 25 MB fed, never more than the cap plus one chunk held
    expect(largest).toBeLessThanOrEqual(128 * 1024);
    const recs = [...p.push('"\n2,3\n'), ...p.end()];
    expect(recs.map((r) => [r.line, r.tooLong ?? null, r.fields])).toEqual([
      [2, 'field', []],
      [3, null, ['2', '3']],
    ]);
  });

  it('has no caps unless asked', () => {
    const long = 'q'.repeat(200_000);
    const p = new CsvParser();
    expect([...p.push(`a\n${long}\n`), ...p.end()].map((r) => r.fields[0].length)).toEqual([1, 200_000]);
  });
});
