// Rows in COPY's text format written straight into bytes: no string per row or per line, nothing for the GC to
// trace, and the bytes go to the server as they are.

const TAB = 9;
const LF = 10;
const CR = 13;
const BACKSLASH = 92;

/** A growing byte buffer of COPY text rows (tab-separated, `\N` for null, backslash escapes). */
export class CopyTextWriter {
  private buf: Buffer<ArrayBuffer>;
  private pos = 0;
  private rowStart = true;
  private rowPos = 0;
  /** Set when a value of the row being written holds a NUL character, which PostgreSQL text cannot store. */
  hasNul = false;

  constructor(initialBytes = 256 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  get byteLength(): number {
    return this.pos;
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  private separate(): void {
    if (this.rowStart) this.rowStart = false;
    else this.buf[this.pos++] = TAB;
  }

  /** A text value (null as `\N`). */
  text(s: string | null | undefined): this {
    if (s === null || s === undefined) return this.nul();
    const n = s.length;
    // each UTF-16 unit becomes at most 3 bytes, and an escape 2
    this.reserve(n * 3 + 1);
    this.separate();
    const buf = this.buf;
    const start = this.pos;
    let pos = start;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 128) {
        this.pos = start;
        this.writeEscaped(s);
        return this;
      }
      if (c === 0) this.hasNul = true;
      if (c === BACKSLASH || c === TAB || c === LF || c === CR) {
        buf[pos++] = BACKSLASH;
        buf[pos++] = c === BACKSLASH ? BACKSLASH : c === TAB ? 116 : c === LF ? 110 : 114; // \\ \t \n \r
      } else buf[pos++] = c;
    }
    this.pos = pos;
    return this;
  }

  private writeEscaped(s: string): void {
    if (s.includes('\0')) this.hasNul = true;
    const escaped = /[\\\t\n\r]/.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : s;
    this.reserve(Buffer.byteLength(escaped, 'utf8') + 1);
    this.pos += this.buf.write(escaped, this.pos, 'utf8');
  }

  /** A number (finite; integers without a string in between). */
  number(v: number): this {
    if (Number.isSafeInteger(v) && v >= 0) {
      this.reserve(17);
      this.separate();
      if (v === 0) {
        this.buf[this.pos++] = 48;
        return this;
      }
      let digits = 0;
      for (let x = v; x > 0; x = Math.floor(x / 10)) digits++;
      let p = this.pos + digits;
      this.pos = p;
      for (let x = v; x > 0; x = Math.floor(x / 10)) this.buf[--p] = 48 + (x % 10);
      return this;
    }
    if (!Number.isFinite(v)) throw new Error(`CopyTextWriter: ${v} is not a finite number`);
    return this.text(String(v));
  }

  bool(v: boolean): this {
    this.reserve(2);
    this.separate();
    this.buf[this.pos++] = v ? 116 : 102; // t f
    return this;
  }

  nul(): this {
    this.reserve(3);
    this.separate();
    this.buf[this.pos++] = BACKSLASH;
    this.buf[this.pos++] = 78; // N
    return this;
  }

  /** `n` null values. */
  nuls(n: number): this {
    for (let i = 0; i < n; i++) this.nul();
    return this;
  }

  endRow(): void {
    this.reserve(1);
    this.buf[this.pos++] = LF;
    this.rowStart = true;
    this.rowPos = this.pos;
  }

  /** Takes back the row being written. */
  dropRow(): void {
    this.pos = this.rowPos;
    this.rowStart = true;
    this.hasNul = false;
  }

  /** The rows written so far (a view: valid until the writer is reset). */
  bytes(): Uint8Array<ArrayBuffer> {
    return this.buf.subarray(0, this.pos);
  }

  /** Empties the writer, keeping its memory. */
  reset(): void {
    this.pos = this.rowPos = 0;
    this.rowStart = true;
    this.hasNul = false;
  }
}
