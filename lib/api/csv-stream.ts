import type { Readable } from 'node:stream';
import type { Pool, PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
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

/**
 * CSV record ends as CRLF in the bytes of a COPY ... (FORMAT csv) stream, which ends them with LF: an LF inside a
 * quoted cell is data and is left alone. Chunks may split anywhere (the quote state is carried over).
 */
export function crlfRecordEnds(): (chunk: Buffer) => Buffer {
  let inQuotes = false;
  return (chunk) => {
    // the common chunk: no quote in it, so every LF ends a record; memchr-speed scans and one copy per record
    if (!inQuotes && chunk.indexOf(34) < 0) {
      let ends = 0;
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) ends++;
      const out = Buffer.allocUnsafe(chunk.length + ends);
      let from = 0;
      let j = 0;
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) {
        j += chunk.copy(out, j, from, i);
        out[j++] = 13;
        out[j++] = 10;
        from = i + 1;
      }
      chunk.copy(out, j, from);
      return out;
    }
    const out = Buffer.allocUnsafe(chunk.length * 2);
    let j = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === 34) inQuotes = !inQuotes;
      else if (b === 10 && !inQuotes) out[j++] = 13;
      out[j++] = b;
    }
    return out.subarray(0, j);
  };
}

/**
 * The bytes of `COPY (select) TO STDOUT` on a connection of its own, as a byte stream: `transform` (if any) sees each
 * chunk. Backpressure: the copy is paused while the client is slow. The session runs without JIT (compiling the
 * payload's expressions costs more than it saves on one pass), and without hash joins or parallel workers: the payload
 * is read in person order, which a merge of index scans gives from the first row on, in constant memory, where a hash
 * plan sorts the whole population before its first byte (and takes the second core from the web server meanwhile).
 */
export function copyOutStream(pool: Pool, copySql: string, transform?: (chunk: Buffer) => Uint8Array): ReadableStream<Uint8Array> {
  let client: PoolClient | undefined;
  let source: Readable | undefined;
  const release = (err?: Error) => {
    // a connection left in the middle of a COPY is closed rather than handed to the next caller
    client?.release(err);
    client = undefined;
  };
  return new ReadableStream<Uint8Array>(
    {
      async start(controller) {
        client = await pool.connect();
        await client.query(`begin; set local jit = off; set local work_mem = '64MB'; set local enable_hashjoin = off; set local max_parallel_workers_per_gather = 0`);
        source = client.query(copyTo(copySql));
        source.on('data', (chunk: Buffer) => {
          controller.enqueue(transform ? transform(chunk) : chunk);
          if ((controller.desiredSize ?? 1) <= 0) source!.pause();
        });
        source.on('end', () => {
          const c = client;
          client = undefined;
          c?.query('commit').then(
            () => c.release(),
            (err: Error) => c.release(err),
          );
          controller.close();
        });
        source.on('error', (err) => {
          console.error('[facet] export failed:', err);
          release(err);
          controller.error(err);
        });
      },
      pull() {
        source?.resume();
      },
      cancel() {
        source?.destroy();
        release(new Error('export cancelled'));
      },
    },
    { highWaterMark: 8 },
  );
}
