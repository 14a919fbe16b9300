import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseNumber } from '@/lib/ingest/mapping';
import { parseDate } from '@/lib/ingest/rows';

const pad = (n: number, w: number) => String(n).padStart(w, '0');

describe('cell values read on the fast paths (property)', () => {
  it('a YYYY-MM-DD reads as UTC midnight exactly when it is a real day between 1900 and 2200', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1800, max: 2300 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), (y, m, d) => {
        const text = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
        const t = Date.UTC(y, m - 1, d);
        const real = m >= 1 && m <= 12 && d >= 1 && new Date(t).getUTCDate() === d && y >= 1900 && y <= 2200;
        expect(parseDate(text)).toBe(real ? new Date(t).toISOString() : null);
        expect(parseDate(` ${text} `)).toBe(parseDate(text));
      }),
      { numRuns: 3000 },
    );
    expect(parseDate('2024-02-29')).toBe('2024-02-29T00:00:00.000Z');
    expect(parseDate('2100-02-29')).toBeNull();
    expect(parseDate('2000-02-29')).toBe('2000-02-29T00:00:00.000Z');
    expect(parseDate('2024-0a-01')).toBeNull();
    expect(parseDate('2024-03-01T10:30:00Z')).toBe('2024-03-01T10:30:00.000Z');
  });

  it('a plain decimal reads as the same number as with the full rules', () => {
    const decimal = fc
      .tuple(fc.boolean(), fc.stringMatching(/^[0-9]{0,9}$/), fc.option(fc.stringMatching(/^[0-9]{0,6}$/), { nil: undefined }))
      .map(([neg, int, frac]) => `${neg ? '-' : ''}${int}${frac === undefined ? '' : `.${frac}`}`);
    fc.assert(
      fc.property(decimal, (text) => {
        const digits = text.replace(/[^0-9]/g, '');
        expect(parseNumber(text)).toBe(digits ? Number(text) : null);
        // the same text through the slow path (a currency sign sends it there)
        expect(parseNumber(`$${text.replace(/^-/, '')}`)).toBe(digits ? Number(text.replace(/^-/, '')) : null);
      }),
      { numRuns: 2000 },
    );
    expect(parseNumber('1.2.3')).toBeNull();
    expect(parseNumber('1e3')).toBe(1000);
    expect(parseNumber(' 7 ')).toBe(7);
    expect(parseNumber('-')).toBeNull();
  });
});
