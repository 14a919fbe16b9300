export type CsvCell = string | number | boolean | null | undefined;

const NEEDS_QUOTES = /[",\r\n]/;

function cellText(v: CsvCell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  return String(v);
}

/**
 * One CSV record without its line terminator. Quotes a cell holding a quote, comma or newline,
 * starting with a BOM or with leading/trailing spaces, and a lone empty cell (so the row is not
 * read back as a blank line).
 */
export function toCsvRow(cells: CsvCell[], delimiter = ','): string {
  if (cells.length === 1 && cellText(cells[0]) === '') return '""';
  return cells
    .map((c) => {
      const s = cellText(c);
      const quote = NEEDS_QUOTES.test(s) || s.includes(delimiter) || s.charCodeAt(0) === 0xfeff || /^\s|\s$/.test(s);
      return quote ? `"${s.replace(/"/g, '""')}"` : s;
    })
    .join(delimiter);
}

/** Rows joined with CRLF plus a final CRLF. */
export function toCsv(rows: CsvCell[][], delimiter = ','): string {
  return rows.map((r) => toCsvRow(r, delimiter) + '\r\n').join('');
}
