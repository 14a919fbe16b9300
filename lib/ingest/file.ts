// Uploaded files on disk: streamed in with a size limit, read back as a stream of CSV records.
import fs from 'node:fs';
import path from 'node:path';
import { CsvParser, type CsvRecord } from '@/lib/csv';

export const UPLOAD_LIMIT_BYTES = 250 * 1024 * 1024;

/** The longest value and the longest row an upload may hold (characters): past them a row is a row error. */
export const MAX_FIELD_CHARS = 64 * 1024;
export const MAX_RECORD_CHARS = 1024 * 1024;

/** The row error of a record past a cap. */
export const tooLongReason = (why: 'field' | 'record') =>
  why === 'field'
    ? `a value is longer than ${MAX_FIELD_CHARS / 1024} KB (${MAX_FIELD_CHARS.toLocaleString('en-US')} characters): the row was skipped`
    : `the row is longer than ${MAX_RECORD_CHARS / 1024 / 1024} MB (${MAX_RECORD_CHARS.toLocaleString('en-US')} characters): the row was skipped`;

export function uploadsDir(): string {
  return process.env.FACET_UPLOAD_DIR ?? path.join(process.cwd(), '.data', 'uploads');
}

export function uploadPath(accountId: string, datasetId: string): string {
  if (!/^[0-9a-f-]{36}$/i.test(accountId) || !/^[0-9a-f-]{36}$/i.test(datasetId)) throw new Error('bad upload id');
  return path.join(uploadsDir(), accountId, `${datasetId}.csv`);
}

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024).toLocaleString('en-US')} MB`;

export class FileTooLargeError extends Error {
  constructor(
    readonly limitBytes: number,
    message = `The file is larger than ${mb(limitBytes)}, the upload limit. Split it into smaller files.`,
  ) {
    super(message);
    this.name = 'FileTooLargeError';
  }
}

/** An upload that would take the account past its storage: refused before the file is read, or as soon as it gets there. */
export class StorageQuotaError extends FileTooLargeError {
  constructor(readonly usedBytes: number, readonly quotaBytes: number) {
    super(
      Math.max(0, quotaBytes - usedBytes),
      `This file does not fit in the account's storage: ${mb(usedBytes)} of ${mb(quotaBytes)} are used by its datasets. Delete datasets you no longer need, or upload a smaller file.`,
    );
    this.name = 'StorageQuotaError';
  }
}

/** Streams `body` to `file` (via a .part file), stopping with FileTooLargeError past `limitBytes`. Returns the size. */
export async function writeUpload(
  body: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>,
  file: string,
  limitBytes = UPLOAD_LIMIT_BYTES,
): Promise<number> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const part = `${file}.part`;
  const out = fs.createWriteStream(part);
  let writeError: Error | null = null;
  out.on('error', (err) => {
    writeError = err;
    out.emit('drain'); // wake a writer waiting for drain
  });
  let size = 0;
  try {
    const iterable: AsyncIterable<Uint8Array> =
      Symbol.asyncIterator in body ? (body as AsyncIterable<Uint8Array>) : readableToIterable(body as ReadableStream<Uint8Array>);
    for await (const chunk of iterable) {
      size += chunk.byteLength;
      if (size > limitBytes) throw new FileTooLargeError(limitBytes);
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', resolve));
      if (writeError) throw writeError;
    }
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    fs.renameSync(part, file);
    return size;
  } catch (err) {
    // the file opens asynchronously: removed before it is closed, an early failure would leave an empty .part behind
    const closed = out.closed ? Promise.resolve() : new Promise<void>((resolve) => out.once('close', () => resolve()));
    out.destroy();
    await closed;
    fs.rmSync(part, { force: true });
    throw err;
  }
}

async function* readableToIterable(stream: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (value) yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** Header cells made usable as mapping keys: trimmed, never empty, unique. */
export function cleanHeaders(raw: string[]): string[] {
  const seen = new Map<string, number>();
  return raw.map((h, i) => {
    let name = h.replace(/\s+/g, ' ').trim() || `Column ${i + 1}`;
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    if (n > 1) name = `${name} (${n})`;
    return name;
  });
}

/** The delimiter of a CSV file from its header line: comma unless semicolons, tabs or pipes clearly dominate. */
export function sniffDelimiter(head: Uint8Array | string): string {
  const text = typeof head === 'string' ? head : Buffer.from(head.subarray(0, 64 * 1024)).toString('utf8');
  const counts: Record<string, number> = { ',': 0, ';': 0, '\t': 0, '|': 0 };
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && ch in counts) counts[ch]++;
  }
  let best = ',';
  for (const d of [';', '\t', '|']) if (counts[d] > counts[best]) best = d;
  return best;
}

export type FileRecord = CsvRecord & { error?: string };

function uploadParser(head: Uint8Array): CsvParser {
  return new CsvParser({ ragged: 'report', delimiter: sniffDelimiter(head), maxFieldChars: MAX_FIELD_CHARS, maxRecordChars: MAX_RECORD_CHARS });
}

/** Records past a cap carry their row error. */
function markTooLong(recs: FileRecord[]): FileRecord[] {
  for (const r of recs) if (r.tooLong) r.error = tooLongReason(r.tooLong);
  return recs;
}

/**
 * Reads a CSV file as a stream of record arrays, one per chunk read (constant memory, and no promise per record).
 * The first record is the header. A record past a cap (MAX_FIELD_CHARS, MAX_RECORD_CHARS) carries `error`, and the
 * records after it are read as usual. A malformed tail (an unterminated quote) ends the stream with a record carrying `error`.
 * `maxBytes` stops reading there (the head of a file).
 */
export async function* readCsvBatches(file: string, onBytes?: (bytes: number) => void, maxBytes = Infinity): AsyncGenerator<FileRecord[]> {
  let parser: CsvParser | null = null;
  const stream = fs.createReadStream(file, { highWaterMark: 64 * 1024, ...(Number.isFinite(maxBytes) ? { end: maxBytes - 1 } : {}) });
  let bytes = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.byteLength;
      onBytes?.(bytes);
      parser ??= uploadParser(chunk);
      const recs = parser.push(chunk);
      if (recs.length) yield markTooLong(recs);
    }
    // a head cut at maxBytes ends inside a record: that one is left out
    if (!parser || bytes >= maxBytes) return;
    let tail: CsvRecord[];
    try {
      tail = parser.end();
    } catch (err) {
      const line = (err as { line?: number }).line ?? 0;
      yield [{ fields: [], line, error: 'unterminated quoted field: a quote opens a value that never closes' }];
      return;
    }
    if (tail.length) yield markTooLong(tail);
  } finally {
    stream.destroy();
  }
}

/** The records of a CSV file one by one (see readCsvBatches). */
export async function* readCsvRecords(file: string, onBytes?: (bytes: number) => void): AsyncGenerator<FileRecord> {
  for await (const recs of readCsvBatches(file, onBytes)) yield* recs;
}

/**
 * How much of a file its head is read from: the header row at its longest, and room for the sample. It bounds the
 * work an upload request does after storing the file (a few milliseconds), however long the file or its rows.
 */
export const HEAD_BYTES = 2 * 1024 * 1024;

/**
 * The header and the first `rows` records of a CSV file, reading no more than needed (and at most HEAD_BYTES).
 * A header row past a cap comes back as `headerError`; sample rows past one are left out.
 */
export async function readCsvHead(file: string, rows = 200): Promise<{ headers: string[]; sample: string[][]; headerError?: string }> {
  let headers: string[] | null = null;
  const sample: string[][] = [];
  for await (const recs of readCsvBatches(file, undefined, HEAD_BYTES)) {
    for (const rec of recs) {
      if (!headers) {
        if (rec.tooLong) return { headers: [], sample, headerError: `The header row is too long: ${rec.error}` };
        if (rec.error) return { headers: [], sample };
        headers = cleanHeaders(rec.fields);
      } else if (rec.error) {
        if (!rec.tooLong) return { headers, sample };
      } else sample.push(rec.fields);
      if (sample.length >= rows) return { headers, sample };
    }
  }
  // no header row ended within the head: it is longer than any row may be
  if (!headers && fs.statSync(file).size >= HEAD_BYTES) return { headers: [], sample, headerError: `The header row is too long: ${tooLongReason('record')}` };
  return { headers: headers ?? [], sample };
}
