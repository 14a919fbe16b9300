// Uploaded files on disk: streamed in with a size limit, read back as a stream of CSV records.
import fs from 'node:fs';
import path from 'node:path';
import { CsvParser, type CsvRecord } from '@/lib/csv';

export const UPLOAD_LIMIT_BYTES = 250 * 1024 * 1024;

export function uploadsDir(): string {
  return process.env.FACET_UPLOAD_DIR ?? path.join(process.cwd(), '.data', 'uploads');
}

export function uploadPath(accountId: string, datasetId: string): string {
  if (!/^[0-9a-f-]{36}$/i.test(accountId) || !/^[0-9a-f-]{36}$/i.test(datasetId)) throw new Error('bad upload id');
  return path.join(uploadsDir(), accountId, `${datasetId}.csv`);
}

export class FileTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`The file is larger than ${Math.round(limitBytes / 1024 / 1024)} MB, the upload limit. Split it into smaller files.`);
    this.name = 'FileTooLargeError';
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
    out.destroy();
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

/**
 * Reads a CSV file as a stream of record arrays, one per chunk read (constant memory, and no promise per record).
 * The first record is the header. A malformed tail (an unterminated quote) ends the stream with a record carrying `error`.
 */
export async function* readCsvBatches(file: string, onBytes?: (bytes: number) => void): AsyncGenerator<FileRecord[]> {
  let parser: CsvParser | null = null;
  const stream = fs.createReadStream(file, { highWaterMark: 64 * 1024 });
  let bytes = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.byteLength;
      onBytes?.(bytes);
      parser ??= new CsvParser({ ragged: 'report', delimiter: sniffDelimiter(chunk) });
      const recs = parser.push(chunk);
      if (recs.length) yield recs;
    }
    if (!parser) return;
    let tail: CsvRecord[];
    try {
      tail = parser.end();
    } catch (err) {
      const line = (err as { line?: number }).line ?? 0;
      yield [{ fields: [], line, error: 'unterminated quoted field: a quote opens a value that never closes' }];
      return;
    }
    if (tail.length) yield tail;
  } finally {
    stream.destroy();
  }
}

/** The records of a CSV file one by one (see readCsvBatches). */
export async function* readCsvRecords(file: string, onBytes?: (bytes: number) => void): AsyncGenerator<FileRecord> {
  for await (const recs of readCsvBatches(file, onBytes)) yield* recs;
}

/** The header and the first `rows` records of a CSV file, reading no more than needed. */
export async function readCsvHead(file: string, rows = 200): Promise<{ headers: string[]; sample: string[][] }> {
  let headers: string[] | null = null;
  const sample: string[][] = [];
  for await (const rec of readCsvRecords(file)) {
    if (rec.error) break;
    if (!headers) headers = cleanHeaders(rec.fields);
    else sample.push(rec.fields);
    if (sample.length >= rows) break;
  }
  return { headers: headers ?? [], sample };
}
