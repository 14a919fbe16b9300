import { quantileSorted } from 'simple-statistics';
import type { EncodedTrait, Encoder, RecordValue, TraitSpec, TraitTable } from './types';
import { Rng, sampleIndices } from './rng';
import { allocMatrix } from './exec';
import { parseBooleanWord } from '../identity-graph/catalog';

/** Rows used to fit medians and quartiles; coverage always uses every row. */
const FIT_SAMPLE = 100_000;
/** Encoded numeric values are clipped so a few extreme rows cannot own a persona. */
export const CLIP = 5;
/** A rare boolean (p near 0 or 1) would get a huge scale-up; its scale is floored here. */
const MIN_BOOLEAN_SCALE = 0.2;
/** the encoding of a known value equal to the centre (0 itself is kept for missing cells) */
export const KNOWN_AT_CENTRE = 1e-6;

export function signedLog1p(x: number): number {
  return x < 0 ? -Math.log1p(-x) : Math.log1p(x);
}

export function getColumn(table: TraitTable, key: string): { spec: TraitSpec; col: Float64Array | Float32Array } | null {
  const j = table.traits.findIndex((t) => t.key === key);
  if (j < 0) return null;
  return { spec: table.traits[j], col: table.columns[j] };
}

/** Known (finite) values of a column, on a deterministic sample of at most `max` rows. */
function knownSample(col: ArrayLike<number>, n: number, max: number): { values: Float64Array; coverage: number } {
  let known = 0;
  for (let i = 0; i < n; i++) if (Number.isFinite(col[i])) known++;
  const rows = n > max ? sampleIndices(n, max, new Rng(n)) : null;
  const out: number[] = [];
  if (rows) { for (const i of rows) if (Number.isFinite(col[i])) out.push(col[i]); }
  else for (let i = 0; i < n; i++) if (Number.isFinite(col[i])) out.push(col[i]);
  return { values: Float64Array.from(out), coverage: n > 0 ? known / n : 0 };
}

/** Robust centre and scale: median and IQR/1.349, falling back to MAD and then the SD. */
export function robustCentreScale(sorted: Float64Array): { centre: number; scale: number } {
  if (sorted.length === 0) return { centre: 0, scale: 1 };
  const arr = sorted as unknown as number[];
  const centre = quantileSorted(arr, 0.5);
  let scale = (quantileSorted(arr, 0.75) - quantileSorted(arr, 0.25)) / 1.349;
  if (!(scale > 1e-12)) {
    const dev = Float64Array.from(sorted, (v) => Math.abs(v - centre)).sort();
    scale = quantileSorted(dev as unknown as number[], 0.5) * 1.4826;
  }
  if (!(scale > 1e-12)) {
    let m = 0;
    for (const v of sorted) m += v;
    m /= sorted.length;
    let s2 = 0;
    for (const v of sorted) s2 += (v - m) * (v - m);
    scale = Math.sqrt(s2 / sorted.length);
  }
  if (!(scale > 1e-12)) scale = 1; // constant column: encodes to 0
  return { centre, scale };
}

function categoryName(spec: TraitSpec, code: number): string {
  return spec.categories && spec.categories[code] !== undefined ? spec.categories[code] : String(code);
}

/** A learned weight scales the trait's whole contribution to distances (1 = one standardized trait). */
const weightOf = (weights: Record<string, number> | undefined, key: string) =>
  weights && Number.isFinite(weights[key]) && weights[key] > 0 ? weights[key] : 1;

/** A categorical trait's one-hot weight: its total variance (Gini impurity) brought to w². */
function categoricalWeight(shares: number[], w: number): number {
  const gini = 1 - shares.reduce((s, p) => s + p * p, 0);
  return gini > 1e-9 ? w / Math.sqrt(gini) : 0;
}

/**
 * Fits the encoding of the given traits: numeric/ordinal robustly standardized (log1p first when
 * skewed), boolean standardized, categorical one-hot weighted so the trait's total variance is 1
 * (like one standardized numeric trait). Missing cells are imputed (median / share). `weights` (per trait key,
 * default 1) scale each trait's contribution to distances.
 */
export function fitEncoder(table: TraitTable, traitKeys: string[], weights?: Record<string, number>): Encoder {
  if (traitKeys.length === 0) throw new Error('fitEncoder: no traits to encode');
  const traits: EncodedTrait[] = [];
  const specs: TraitSpec[] = [];
  let offset = 0;
  for (const key of traitKeys) {
    const found = getColumn(table, key);
    if (!found) throw new Error(`fitEncoder: unknown trait "${key}"`);
    const { spec, col } = found;
    specs.push(JSON.parse(JSON.stringify(spec)) as TraitSpec);
    const { values, coverage } = knownSample(col, table.n, FIT_SAMPLE);
    const w = weightOf(weights, key);
    if (spec.type === 'categorical') {
      const counts = new Map<number, number>();
      for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
      const codes = [...counts.keys()].sort((a, b) => a - b);
      const total = values.length;
      const categories = codes.map((c) => categoryName(spec, c));
      const shares = codes.map((c) => (total > 0 ? counts.get(c)! / total : 0));
      traits.push({ key, type: 'categorical', offset, categories, shares, weight: categoricalWeight(shares, w), coverage });
      offset += Math.max(1, categories.length);
    } else if (spec.type === 'boolean') {
      let p = 0;
      for (const v of values) p += v ? 1 : 0;
      p = values.length ? p / values.length : 0;
      const scale = Math.max(MIN_BOOLEAN_SCALE, Math.sqrt(p * (1 - p)));
      traits.push({ key, type: 'boolean', offset, impute: p, centre: p, scale, weight: w, coverage });
      offset += 1;
    } else {
      const log = spec.type === 'numeric' && !!spec.skewed;
      const tv = log ? values.map(signedLog1p) : values.slice();
      tv.sort();
      const { centre, scale } = robustCentreScale(tv);
      traits.push({
        key, type: spec.type, offset, log, impute: centre, centre, scale, weight: w, coverage,
        ...(spec.type === 'ordinal' && spec.categories ? { levels: spec.categories.slice() } : {}),
      });
      offset += 1;
    }
  }
  return { version: 1, d: offset, traits, specs };
}

/**
 * The encoder `fitEncoder(table, keys, weights)` would fit, from one fitted on the same table and keys without
 * weights: centres, scales and shares are the same, only the weights change, so the table is not read again.
 */
export function reweightEncoder(encoder: Encoder, weights: Record<string, number>): Encoder {
  const traits = encoder.traits.map((t): EncodedTrait => {
    const w = weightOf(weights, t.key);
    return t.type === 'categorical' ? { ...t, weight: categoricalWeight(t.shares, w) } : { ...t, weight: w };
  });
  return { ...encoder, traits, specs: encoder.specs.map((s) => JSON.parse(JSON.stringify(s)) as TraitSpec) };
}

function encodeScalar(t: Extract<EncodedTrait, { type: 'numeric' | 'ordinal' | 'boolean' }>, v: number): number {
  let x: number;
  if (!Number.isFinite(v)) x = 0; // imputed at the centre
  else {
    const tv = t.type !== 'boolean' && t.log ? signedLog1p(v) : v;
    x = (tv - t.centre) / t.scale;
    // exactly 0 marks a missing cell for the mixture model (mixture.ts): a known value at the centre sits just beside it
    if (x === 0) x = KNOWN_AT_CENTRE;
  }
  if (x > CLIP) x = CLIP; else if (x < -CLIP) x = -CLIP;
  return x * t.weight;
}

/** Rows encoded together: a block of the matrix stays in cache while every trait writes its columns. */
const ENCODE_BLOCK = 1024;

/** Encodes rows from..to-1 of the table into `out`, row i at out row i - base. */
type CellWriter = (out: Float32Array, d: number, from: number, to: number, base: number) => void;

/** A categorical trait's writer: table code -> encoder column by category name. */
function categoricalWriter(t: Extract<EncodedTrait, { type: 'categorical' }>, found: ReturnType<typeof getColumn>): CellWriter {
  const m = t.categories.length, off = t.offset, weight = t.weight;
  const fill = t.shares.map((p) => p * weight);
  const col = found?.col;
  const byName = new Map(t.categories.map((c, q) => [c, q] as const));
  const codeMap = new Map<number, number>();
  const lookup = (v: number): number => {
    if (!Number.isFinite(v)) return -1;
    let q = codeMap.get(v);
    if (q === undefined) codeMap.set(v, (q = byName.get(categoryName(found!.spec, v)) ?? -1));
    return q;
  };
  return (matrix, d, from, to, first) => {
    for (let i = from; i < to; i++) {
      const q = col ? lookup(col[i]) : -1;
      const base = (i - first) * d + off;
      if (q >= 0) for (let c = 0; c < m; c++) matrix[base + c] = c === q ? weight : 0;
      else for (let c = 0; c < m; c++) matrix[base + c] = fill[c];
      if (m === 0) matrix[base] = 0; // a trait without categories still holds its one column
    }
  };
}

/** A numeric, ordinal or boolean trait's writer. */
function scalarWriter(t: Extract<EncodedTrait, { type: 'numeric' | 'ordinal' | 'boolean' }>, col: Float64Array | Float32Array | undefined): CellWriter {
  const off = t.offset;
  return (matrix, d, from, to, first) => {
    for (let i = from; i < to; i++) matrix[(i - first) * d + off] = encodeScalar(t, col ? col[i] : NaN);
  };
}

/**
 * Encodes every row of a table (row-major, shared memory; `into` a matrix of that shape when given). Rows go in blocks, every trait writing its columns of a
 * block in turn: one trait at a time over all rows would sweep the whole matrix once per trait.
 */
export function encodeTable(encoder: Encoder, table: TraitTable, into?: Float32Array): { matrix: Float32Array; d: number } {
  const { n } = table;
  const d = encoder.d;
  if (into && into.length !== n * d) throw new Error(`encodeTable: the matrix to encode into holds ${into.length} cells, not ${n} x ${d}`);
  // every cell is written, so a matrix of the same shape can be encoded again in place
  const matrix = into ?? allocMatrix(n, d);
  const writers = writersOf(encoder, table);
  for (let from = 0; from < n; from += ENCODE_BLOCK) {
    const to = Math.min(n, from + ENCODE_BLOCK);
    for (const write of writers) write(matrix, d, from, to, 0);
  }
  return { matrix, d };
}

function writersOf(encoder: Encoder, table: TraitTable): CellWriter[] {
  return encoder.traits.map((t) => {
    const found = getColumn(table, t.key);
    return t.type === 'categorical' ? categoricalWriter(t, found) : scalarWriter(t, found?.col);
  });
}

/**
 * The encoded rows of a table a block at a time, for a caller that only sums them: `visit(block, from, to)` sees
 * rows from..to-1 as rows 0..to-from-1 of `block` (reused between calls), without the whole matrix in memory.
 */
export function forEachEncodedBlock(encoder: Encoder, table: TraitTable, visit: (block: Float32Array, from: number, to: number) => void): void {
  const d = encoder.d;
  const writers = writersOf(encoder, table);
  const block = new Float32Array(ENCODE_BLOCK * d);
  for (let from = 0; from < table.n; from += ENCODE_BLOCK) {
    const to = Math.min(table.n, from + ENCODE_BLOCK);
    const rows = to - from === ENCODE_BLOCK ? block : block.subarray(0, (to - from) * d);
    for (const write of writers) write(rows, d, from, to, from);
    visit(rows, from, to);
  }
}

interface RecordPlan {
  cat: Map<string, Map<string, number>>;
}
const plans = new WeakMap<Encoder, RecordPlan>();

function planFor(encoder: Encoder): RecordPlan {
  let p = plans.get(encoder);
  if (!p) {
    const cat = new Map<string, Map<string, number>>();
    for (const t of encoder.traits) {
      if (t.type === 'categorical') cat.set(t.key, new Map(t.categories.map((c, q) => [c.toLowerCase(), q] as const)));
    }
    p = { cat };
    plans.set(encoder, p);
  }
  return p;
}

/** Parses a boolean-ish value; NaN when missing or unreadable. */
export function parseBooleanValue(v: RecordValue): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return Number.isFinite(v) ? (v ? 1 : 0) : NaN;
  if (typeof v === 'string') {
    const b = parseBooleanWord(v);
    if (b !== null) return b ? 1 : 0;
  }
  return NaN;
}

function toNumber(v: RecordValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return NaN;
}

/** Encodes one person exactly like encodeTable does (values in original form). */
export function encodeRecord(encoder: Encoder, record: Record<string, RecordValue>, out?: Float32Array): Float32Array {
  const x = out ?? new Float32Array(encoder.d);
  const plan = planFor(encoder);
  for (let ti = 0; ti < encoder.traits.length; ti++) {
    const t = encoder.traits[ti];
    const v = record[t.key];
    if (t.type === 'categorical') {
      let q = -1;
      if (typeof v === 'string') q = plan.cat.get(t.key)!.get(v.trim().toLowerCase()) ?? -1;
      else if (typeof v === 'number' && Number.isFinite(v)) {
        const name = categoryName(encoder.specs[ti], v);
        q = plan.cat.get(t.key)!.get(name.toLowerCase()) ?? -1;
      } else if (typeof v === 'boolean') q = plan.cat.get(t.key)!.get(String(v)) ?? -1;
      for (let c = 0; c < t.categories.length; c++) x[t.offset + c] = q >= 0 ? (c === q ? t.weight : 0) : t.shares[c] * t.weight;
    } else if (t.type === 'boolean') {
      x[t.offset] = encodeScalar(t, parseBooleanValue(v));
    } else if (t.type === 'ordinal' && typeof v === 'string' && t.levels) {
      const idx = t.levels.findIndex((l) => l.toLowerCase() === v.trim().toLowerCase());
      x[t.offset] = encodeScalar(t, idx >= 0 ? idx : toNumber(v));
    } else {
      x[t.offset] = encodeScalar(t, toNumber(v));
    }
  }
  return x;
}
