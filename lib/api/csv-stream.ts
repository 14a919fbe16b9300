import { toCsvRow, type CsvCell } from '@/lib/csv';

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Neutralizes a cell a spreadsheet would run as a formula (OWASP CSV injection): a leading
 * = + - @ tab or CR gets a single quote in front. Numbers are left alone (-3 is data, not a formula).
 */
export function escapeFormula(v: CsvCell): CsvCell {
  if (typeof v !== 'string') return v;
  return FORMULA_START.test(v) ? `'${v}` : v;
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$|^\uFEFF/;

/** One cell, RFC 4180-quoted when needed (the same rules as lib/csv toCsvRow), formula-escaped. */
function csvCell(v: CsvCell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  let s = v;
  if (s === '') return s;
  if (FORMULA_START.test(s)) s = `'${s}`;
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One RFC 4180 record (CRLF-terminated) with formula escaping; fast path for the payload stream. */
export function safeCsvLine(cells: CsvCell[]): string {
  if (cells.length === 1) return toCsvRow([escapeFormula(cells[0])]) + '\r\n';
  let s = csvCell(cells[0]);
  for (let i = 1; i < cells.length; i++) s += ',' + csvCell(cells[i]);
  return s + '\r\n';
}

const encoder = new TextEncoder();

/**
 * A byte stream pulled by the consumer: each pull asks `next()` for the next chunk of text (null = done),
 * so nothing is read from the database faster than the client takes it.
 */
export function textStream(next: () => Promise<string | null>, onCancel?: () => void): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const chunk = await next();
          if (chunk === null) controller.close();
          else controller.enqueue(encoder.encode(chunk));
        } catch (err) {
          console.error('[facet] stream failed:', err);
          controller.error(err);
        }
      },
      cancel() {
        onCancel?.();
      },
    },
    { highWaterMark: 1 },
  );
}
