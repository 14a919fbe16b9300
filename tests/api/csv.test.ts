// CSV of the payload: RFC 4180 round trip through lib/csv, and no cell a spreadsheet would run as a formula.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crlfRecordEnds, escapeFormula, safeCsvLine } from '@/lib/api/csv-stream';
import { parseCsvString, toCsvRow } from '@/lib/csv';

const HOSTILE = ['=cmd|" /C calc"!A0', '+1+1', '-2+3', '@SUM(A1:A2)', '\t=1', '\r=1', 'say "hi"', 'a,b', 'line\nbreak', 'crlf\r\nx', ' lead', 'trail ', '', "'quoted", '=', '﻿bom'];

describe('payload CSV', () => {
  it('round-trips hostile cells, escaping formulas with a leading quote', () => {
    const rows = [HOSTILE, HOSTILE.slice().reverse()];
    const text = rows.map(safeCsvLine).join('');
    const parsed = parseCsvString(text).map((r) => r.fields);
    expect(parsed).toEqual(rows.map((r) => r.map((c) => escapeFormula(c))));
    for (const r of parsed) for (const c of r) expect(/^[=+\-@\t\r]/.test(c), JSON.stringify(c)).toBe(false);
    expect(text.endsWith('\r\n')).toBe(true);
  });

  it('round-trips any string and number (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.oneof(fc.string(), fc.integer(), fc.constantFrom(...HOSTILE)), { minLength: 2, maxLength: 6 }), { minLength: 1, maxLength: 8 }), (rows) => {
        const width = rows[0].length;
        const fixed = rows.map((r) => Array.from({ length: width }, (_, i) => r[i] ?? ''));
        const parsed = parseCsvString(fixed.map(safeCsvLine).join('')).map((r) => r.fields);
        const expected = fixed.map((r) => r.map((c) => String(escapeFormula(c))));
        expect(parsed).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('leaves numbers (negative ones too) as data', () => {
    expect(safeCsvLine([-3, 1.5, null, true])).toBe('-3,1.5,,true\r\n');
  });

  it('ends COPY records with CRLF and leaves line feeds inside quoted cells, however the bytes are chunked (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.oneof(fc.string(), fc.constantFrom(...HOSTILE, 'a\nb', '"', '""\n')), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (rows, cuts) => {
          // COPY's own CSV ends records with LF only
          const copy = Buffer.from(rows.map((r) => toCsvRow(r) + '\n').join(''));
          const at = [...new Set(cuts.map((c) => c % (copy.length + 1)))].sort((a, b) => a - b);
          const chunks = [0, ...at].map((from, i) => copy.subarray(from, i < at.length ? at[i] : copy.length));
          const crlf = crlfRecordEnds();
          const out = Buffer.concat(chunks.map((c) => crlf(Buffer.from(c)))).toString();
          expect(out).toBe(rows.map((r) => toCsvRow(r) + '\r\n').join(''));
        },
      ),
      { numRuns: 300 },
    );
  });
});
