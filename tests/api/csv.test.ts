// CSV of the payload: RFC 4180 round trip through lib/csv, and no cell a spreadsheet would run as a formula.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { escapeFormula, safeCsvLine } from '@/lib/api/csv-stream';
import { parseCsvString } from '@/lib/csv';

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
});
