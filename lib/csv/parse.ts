/** Streaming RFC 4180 CSV parser: constant memory per record, chunks may split anywhere. */

export interface CsvRecord {
  fields: string[];
  /** physical line (1-based) where the record starts */
  line: number;
  /** field count differs from the first record (only with ragged: 'report') */
  ragged?: boolean;
}

export interface CsvParseOptions {
  delimiter?: string;
  /** 'error' (default) throws CsvError on a record whose field count differs from the first one */
  ragged?: 'error' | 'report';
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

  constructor(opts: CsvParseOptions = {}) {
    const d = opts.delimiter ?? ',';
    if (d.length !== 1 || d === '"' || d === '\n' || d === '\r') throw new Error('delimiter must be one character other than a quote or newline');
    this.delim = d.charCodeAt(0);
    this.ragged = opts.ragged ?? 'error';
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
    if (this.st === St.Unquoted || this.st === St.QuoteInQuoted || this.row.length > 0) {
      this.row.push(this.field);
      this.field = '';
      this.emit(out);
    }
    this.st = St.FieldStart;
    return out;
  }

  private emit(out: CsvRecord[]) {
    const rec: CsvRecord = { fields: this.row, line: this.rowLine };
    if (this.expected < 0) this.expected = this.row.length;
    else if (this.row.length !== this.expected) {
      if (this.ragged === 'error') throw new CsvError(`expected ${this.expected} fields but found ${this.row.length}`, this.rowLine);
      rec.ragged = true;
    }
    out.push(rec);
    this.row = [];
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
        if (c === delim) { this.row.push(this.field + text.slice(s, i)); this.field = ''; st = St.FieldStart; i++; continue; }
        if (c === LF || c === CR) {
          this.row.push(this.field + text.slice(s, i)); this.field = '';
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
        if (this.row.length === 0) this.rowLine = this.line;
        if (c === QUOTE) { st = St.Quoted; i++; s = i; continue; }
        if (c === delim) { this.row.push(''); i++; continue; }
        if (c === LF || c === CR) {
          if (this.row.length > 0) { this.row.push(''); this.emit(out); } // else a blank line: skipped
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
      if (c === delim) { this.row.push(this.field); this.field = ''; st = St.FieldStart; i++; continue; }
      if (c === LF || c === CR) {
        this.row.push(this.field); this.field = '';
        this.emit(out); st = St.FieldStart;
        this.line++; prevCR = c === CR; i++;
        continue;
      }
      // lenient: text after a closing quote is kept
      st = St.Unquoted; s = i;
    }
    if (st === St.Unquoted || st === St.Quoted) this.field += text.slice(s, n);
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
