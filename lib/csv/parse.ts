/** Streaming RFC 4180 CSV parser: constant memory per record, chunks may split anywhere. */

export interface CsvRecord {
  fields: string[];
  /** physical line (1-based) where the record starts */
  line: number;
  /** field count differs from the first record (only with ragged: 'report') */
  ragged?: boolean;
  /** past maxFieldChars or maxRecordChars: the record's fields were dropped (`fields` is empty) */
  tooLong?: 'field' | 'record';
}

export interface CsvParseOptions {
  delimiter?: string;
  /** 'error' (default) throws CsvError on a record whose field count differs from the first one */
  ragged?: 'error' | 'report';
  /**
   * Caps on one field and one record (delimiters included), in characters: a record past either is reported with
   * `tooLong` and no fields, and parsing goes on with the next one. Memory per record stays within about a cap
   * plus a chunk. Unlimited by default.
   */
  maxFieldChars?: number;
  maxRecordChars?: number;
}

export class CsvError extends Error {
  constructor(message: string, readonly line: number) {
    super(`line ${line}: ${message}`);
    this.name = 'CsvError';
  }
}

const QUOTE = 34, LF = 10, CR = 13;
const enum St { FieldStart, Unquoted, Quoted, QuoteInQuoted }

export class CsvParser {
  private st: St = St.FieldStart;
  private field = '';
  private row: string[] = [];
  private line = 1;
  private rowLine = 1;
  private prevCR = false;
  private first = true;
  private expected = -1;
  private readonly delim: number;
  private readonly ragged: 'error' | 'report';
  private readonly decoder = new TextDecoder('utf-8');
  private readonly maxField: number;
  private readonly maxRecord: number;
  /** fields of the current record so far (counted even once they are dropped) */
  private rowFields = 0;
  private rowChars = 0;
  private overflow: 'field' | 'record' | null = null;

  constructor(opts: CsvParseOptions = {}) {
    const d = opts.delimiter ?? ',';
    if (d.length !== 1 || d === '"' || d === '\n' || d === '\r') throw new Error('delimiter must be one character other than a quote or newline');
    this.delim = d.charCodeAt(0);
    this.ragged = opts.ragged ?? 'error';
    this.maxField = opts.maxFieldChars ?? Infinity;
    this.maxRecord = opts.maxRecordChars ?? Infinity;
  }

  private pushField(value: string) {
    this.rowFields++;
    if (this.overflow) return;
    this.rowChars += value.length + 1;
    if (value.length > this.maxField) this.drop('field');
    else if (this.rowChars > this.maxRecord) this.drop('record');
    else this.row.push(value);
  }

  private drop(why: 'field' | 'record') {
    this.overflow = why;
    this.row = [];
    this.field = '';
  }

  /** Feeds a chunk (bytes are decoded as UTF-8, a split multi-byte char is carried over). */
  push(chunk: string | Uint8Array): CsvRecord[] {
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    return this.feed(text);
  }

  /** Flushes the last record; throws on an unterminated quoted field. */
  end(): CsvRecord[] {
    const out = this.feed(this.decoder.decode());
    if (this.st === St.Quoted) throw new CsvError('unterminated quoted field', this.rowLine);
    if (this.st === St.Unquoted || this.st === St.QuoteInQuoted || this.rowFields > 0) {
      this.pushField(this.field);
      this.field = '';
      this.emit(out);
    }
    this.st = St.FieldStart;
    return out;
  }

  private emit(out: CsvRecord[]) {
    const rec: CsvRecord = { fields: this.row, line: this.rowLine };
    const overflow = this.overflow;
    this.row = [];
    this.rowFields = 0;
    this.rowChars = 0;
    this.overflow = null;
    if (overflow) {
      rec.tooLong = overflow;
      out.push(rec);
      return;
    }
    if (this.expected < 0) this.expected = rec.fields.length;
    else if (rec.fields.length !== this.expected) {
      if (this.ragged === 'error') throw new CsvError(`expected ${this.expected} fields but found ${rec.fields.length}`, rec.line);
      rec.ragged = true;
    }
    out.push(rec);
  }

  private feed(text: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    const n = text.length;
    let i = 0;
    if (this.first && n > 0) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) i = 1; // BOM
    }
    let st = this.st, s = i, prevCR = this.prevCR;
    const delim = this.delim;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (st === St.Unquoted) {
        if (c === delim) { this.pushField(this.field + text.slice(s, i)); this.field = ''; st = St.FieldStart; i++; continue; }
        if (c === LF || c === CR) {
          this.pushField(this.field + text.slice(s, i)); this.field = '';
          this.emit(out); st = St.FieldStart;
          this.line++; prevCR = c === CR; i++;
          continue;
        }
        i++;
        continue;
      }
      if (st === St.FieldStart) {
        if (c === LF && prevCR) { prevCR = false; i++; continue; } // second half of CRLF
        prevCR = false;
        if (this.rowFields === 0) this.rowLine = this.line;
        if (c === QUOTE) { st = St.Quoted; i++; s = i; continue; }
        if (c === delim) { this.pushField(''); i++; continue; }
        if (c === LF || c === CR) {
          if (this.rowFields > 0) { this.pushField(''); this.emit(out); } // else a blank line: skipped
          this.line++; prevCR = c === CR; i++;
          continue;
        }
        st = St.Unquoted; s = i;
        continue;
      }
      if (st === St.Quoted) {
        if (c === QUOTE) { this.field += text.slice(s, i); st = St.QuoteInQuoted; i++; prevCR = false; continue; }
        if (c === LF) { if (!prevCR) this.line++; prevCR = false; }
        else if (c === CR) { this.line++; prevCR = true; }
        else prevCR = false;
        i++;
        continue;
      }
      // QuoteInQuoted
      if (c === QUOTE) { this.field += '"'; st = St.Quoted; i++; s = i; continue; }
      if (c === delim) { this.pushField(this.field); this.field = ''; st = St.FieldStart; i++; continue; }
      if (c === LF || c === CR) {
        this.pushField(this.field); this.field = '';
        this.emit(out); st = St.FieldStart;
        this.line++; prevCR = c === CR; i++;
        continue;
      }
      // lenient: text after a closing quote is kept
      st = St.Unquoted; s = i;
    }
    if (st === St.Unquoted || st === St.Quoted) {
      // a field open at the chunk's end is checked here (inside a chunk, when it ends): it never grows past a cap
      // by more than one chunk
      if (this.overflow) this.field = '';
      else {
        this.field += text.slice(s, n);
        if (this.field.length > this.maxField) this.drop('field');
        else if (this.rowChars + this.field.length > this.maxRecord) this.drop('record');
      }
    }
    this.st = st;
    this.prevCR = prevCR;
    return out;
  }
}

/** Parses a Node Readable or any async iterable of Buffers/strings, record by record. */
export async function* parseCsv(
  source: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
  opts: CsvParseOptions = {},
): AsyncGenerator<CsvRecord> {
  const p = new CsvParser(opts);
  for await (const chunk of source as AsyncIterable<string | Uint8Array>) {
    for (const r of p.push(chunk)) yield r;
  }
  for (const r of p.end()) yield r;
}

/** Whole-string convenience (small inputs and tests). */
export function parseCsvString(text: string, opts: CsvParseOptions = {}): CsvRecord[] {
  const p = new CsvParser(opts);
  return [...p.push(text), ...p.end()];
}
