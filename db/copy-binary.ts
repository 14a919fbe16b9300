// COPY's binary format, both ways: rows written straight into bytes (no text to format or for the server to
// parse) and rows read back field by field into typed arrays, never as row objects.

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const HEADER_BYTES = SIGNATURE.length + 8;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A uuid as the 16 bytes COPY binary carries. */
export function uuidBytes(id: string): Buffer {
  if (!UUID_RE.test(id)) throw new Error(`not a uuid: ${id}`);
  return Buffer.from(id.replace(/-/g, ''), 'hex');
}

/** A uuid of COPY binary as text. */
export function uuidText(buf: Buffer, off: number): string {
  const h = buf.toString('hex', off, off + 16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Tuples of COPY binary in chunks of about `chunkBytes`: call `row(fields)`, then one value method per field, then
 * `take()` hands over the chunk when it is full (and `end()` the last one with the trailer).
 */
export class CopyBinaryWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(private readonly chunkBytes = 1 << 20) {
    this.buf = Buffer.allocUnsafe(chunkBytes + 4096);
    SIGNATURE.copy(this.buf, 0);
    this.buf.writeInt32BE(0, SIGNATURE.length);
    this.buf.writeInt32BE(0, SIGNATURE.length + 4);
    this.pos = HEADER_BYTES;
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  row(fields: number): this {
    this.reserve(2);
    this.pos = this.buf.writeInt16BE(fields, this.pos);
    return this;
  }

  /** Room for a field of `bytes` bytes, its length written: the value goes at this.pos. */
  private field(bytes: number): Buffer {
    this.reserve(4 + bytes);
    this.pos = this.buf.writeInt32BE(bytes, this.pos);
    return this.buf;
  }

  nul(): this {
    this.reserve(4);
    this.pos = this.buf.writeInt32BE(-1, this.pos);
    return this;
  }

  int4(v: number): this {
    this.pos = this.field(4).writeInt32BE(v, this.pos);
    return this;
  }

  /** A safe integer, as its high and low words. */
  int8(v: number): this {
    const hi = Math.floor(v / 4294967296);
    this.pos = this.field(8).writeInt32BE(hi, this.pos);
    this.pos = this.buf.writeUInt32BE(v - hi * 4294967296, this.pos);
    return this;
  }

  /** A real; NaN is stored as NaN (a column that must not hold it gets null from the caller). */
  float4(v: number): this {
    this.pos = this.field(4).writeFloatBE(v, this.pos);
    return this;
  }

  /** A uuid given as its 16 bytes (uuidBytes), or null. */
  uuid(bytes: Buffer | null): this {
    if (!bytes) return this.nul();
    const buf = this.field(16);
    this.pos += bytes.copy(buf, this.pos);
    return this;
  }

  /** The bytes so far when they fill a chunk (then the writer starts the next), else null. */
  take(): Buffer | null {
    if (this.pos < this.chunkBytes) return null;
    return this.flush();
  }

  /** The bytes so far, with the trailer that ends the stream. */
  end(): Buffer {
    this.reserve(2);
    this.pos = this.buf.writeInt16BE(-1, this.pos);
    return this.flush();
  }

  private flush(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return out;
  }
}

/** Where the fields of the current tuple are in `buf`: offsets and lengths (-1 = null) per field. */
export interface BinaryTuple {
  buf: Buffer;
  offsets: Int32Array;
  lengths: Int32Array;
}

/**
 * Reads a COPY ... TO STDOUT (FORMAT binary) stream of `fields` columns, calling `onRow` once per tuple (the tuple
 * view is reused: read what you need inside the call). Returns the number of tuples.
 */
export async function readCopyBinary(
  chunks: AsyncIterable<Buffer>,
  fields: number,
  onRow: (t: BinaryTuple) => void,
  onChunk?: (rows: number) => void,
): Promise<number> {
  const t: BinaryTuple = { buf: Buffer.alloc(0), offsets: new Int32Array(fields), lengths: new Int32Array(fields) };
  let rest: Buffer | null = null;
  let headerDone = false;
  let ended = false;
  let rows = 0;
  for await (const chunk of chunks) {
    let buf: Buffer = rest ? Buffer.concat([rest, chunk]) : chunk;
    let pos = 0;
    if (!headerDone) {
      if (buf.length < HEADER_BYTES) {
        rest = buf;
        continue;
      }
      if (!buf.subarray(0, SIGNATURE.length).equals(SIGNATURE)) throw new Error('not a COPY binary stream');
      const extension = buf.readInt32BE(SIGNATURE.length + 4);
      pos = HEADER_BYTES + extension;
      headerDone = true;
    }
    t.buf = buf;
    const n = buf.length;
    for (;;) {
      if (pos + 2 > n) break;
      const count = buf.readInt16BE(pos);
      if (count === -1) {
        ended = true;
        pos += 2;
        break;
      }
      if (count !== fields) throw new Error(`COPY binary tuple of ${count} fields, expected ${fields}`);
      let p = pos + 2;
      let whole = true;
      for (let f = 0; f < fields; f++) {
        if (p + 4 > n) {
          whole = false;
          break;
        }
        const len = buf.readInt32BE(p);
        p += 4;
        t.offsets[f] = p;
        t.lengths[f] = len;
        if (len > 0) p += len;
        if (p > n) {
          whole = false;
          break;
        }
      }
      if (!whole) break;
      onRow(t);
      rows++;
      pos = p;
    }
    rest = pos < n ? buf.subarray(pos) : null;
    // a leftover of a large chunk is copied on the next concat; drop the reference to the chunk itself
    if (rest) rest = Buffer.from(rest);
    buf = Buffer.alloc(0);
    onChunk?.(rows);
  }
  if (!ended) throw new Error('COPY binary stream ended without its trailer');
  return rows;
}

/** A real, double, int or bigint field as a number; NaN when null. */
export function numberField(t: BinaryTuple, f: number, type: 'float4' | 'float8' | 'int4' | 'int8'): number {
  const len = t.lengths[f];
  if (len < 0) return NaN;
  const off = t.offsets[f];
  switch (type) {
    case 'float4':
      return t.buf.readFloatBE(off);
    case 'float8':
      return t.buf.readDoubleBE(off);
    case 'int4':
      return t.buf.readInt32BE(off);
    case 'int8':
      return t.buf.readInt32BE(off) * 4294967296 + t.buf.readUInt32BE(off + 4);
  }
}

/** A text field; null when null. */
export function textField(t: BinaryTuple, f: number): string | null {
  const len = t.lengths[f];
  return len < 0 ? null : t.buf.toString('utf8', t.offsets[f], t.offsets[f] + len);
}

/** A literal for SQL that cannot take bind parameters (COPY): a uuid or a safe integer, checked. */
export function sqlLiteral(v: string | number): string {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new Error(`not a safe integer: ${v}`);
    return String(v);
  }
  if (!UUID_RE.test(v)) throw new Error(`not a uuid: ${v}`);
  return `'${v}'::uuid`;
}
