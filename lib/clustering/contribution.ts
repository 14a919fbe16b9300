import type { Encoder, TraitTable } from './types';
import { encodeTable, fitEncoder } from './encoder';
import { sampleIndices } from './rng';
import { Rng } from './rng';

/** rows contributions are measured on, persona counts they are measured at, correlation of close partners */
const SAMPLE = 2_000;
const KS = [3, 6];
const PARTNER = 0.5;
/** a trait with more close partners than this is taken to share the common structure */
const MAX_PARTNERS = 2;

/** Matrix columns of each encoded trait, in encoder order. */
export function traitColumns(encoder: Encoder): number[][] {
  return encoder.traits.map((t) => (t.type === 'categorical' ? t.categories.map((_, q) => t.offset + q) : [t.offset]));
}

/** Share of the variance of the given columns explained by a partition (between / total sum of squares). */
export function explained(X: Float32Array, n: number, d: number, cols: number[], labels: ArrayLike<number>, k: number): number {
  let between = 0, total = 0;
  const cnt = new Float64Array(k);
  for (let i = 0; i < n; i++) cnt[labels[i]]++;
  for (const c of cols) {
    const s = new Float64Array(k);
    let all = 0, all2 = 0;
    for (let i = 0; i < n; i++) { const v = X[i * d + c]; s[labels[i]] += v; all += v; all2 += v * v; }
    const mean = all / n;
    total += all2 - n * mean * mean;
    for (let j = 0; j < k; j++) if (cnt[j]) between += (s[j] * s[j]) / cnt[j];
    between -= n * mean * mean;
  }
  return total > 1e-12 ? Math.max(0, Math.min(1, between / total)) : 0;
}

/**
 * Small synchronous k-means (k-means++ seeding, Lloyd steps) for the samples trait selection looks at; the
 * threaded engine in kmeans.ts is for cohorts. Returns labels; deterministic for the seed.
 */
export function quickKMeans(Y: Float32Array, n: number, d: number, k: number, seed: number, restarts = 2, maxIter = 40): Int32Array {
  const rng = new Rng(seed);
  let best: Int32Array | null = null, bestCost = Infinity;
  const kk = Math.max(1, Math.min(k, n));
  for (let run = 0; run < restarts; run++) {
    const C = new Float64Array(kk * d);
    const near = new Float64Array(n).fill(Infinity);
    let pick = rng.int(n);
    for (let j = 0; j < kk; j++) {
      for (let t = 0; t < d; t++) C[j * d + t] = Y[pick * d + t];
      let tot = 0;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let t = 0; t < d; t++) { const v = Y[i * d + t] - C[j * d + t]; s += v * v; }
        if (s < near[i]) near[i] = s;
        tot += near[i];
      }
      let u = rng.next() * tot;
      pick = n - 1;
      for (let i = 0; i < n; i++) { u -= near[i]; if (u <= 0) { pick = i; break; } }
    }
    const lab = new Int32Array(n);
    let cost = 0;
    for (let it = 0; it < maxIter; it++) {
      let moved = 0;
      cost = 0;
      for (let i = 0; i < n; i++) {
        let bj = 0, bd = Infinity;
        for (let j = 0; j < kk; j++) {
          let s = 0;
          for (let t = 0; t < d; t++) { const v = Y[i * d + t] - C[j * d + t]; s += v * v; }
          if (s < bd) { bd = s; bj = j; }
        }
        if (lab[i] !== bj || it === 0) { moved++; lab[i] = bj; }
        cost += bd;
      }
      if (!moved && it > 0) break;
      const cnt = new Float64Array(kk);
      C.fill(0);
      for (let i = 0; i < n; i++) { cnt[lab[i]]++; for (let t = 0; t < d; t++) C[lab[i] * d + t] += Y[i * d + t]; }
      for (let j = 0; j < kk; j++) {
        if (cnt[j]) for (let t = 0; t < d; t++) C[j * d + t] /= cnt[j];
        else { const r = rng.int(n); for (let t = 0; t < d; t++) C[j * d + t] = Y[r * d + t]; }
      }
    }
    if (cost < bestCost) { bestCost = cost; best = lab; }
  }
  return best!;
}

/**
 * What each trait adds to the structure the others share: the rows are clustered into k personas on the other
 * traits (leaving out the trait and its close partners, `partners[b]`, so that two traits that only follow each
 * other cannot vouch for each other), and the share of the trait's variance those personas explain is its
 * contribution (0..1). A noise column, or a split of its own like a sex-like category and what it drives,
 * explains little of a partition it took no part in; a trait that carries the shared structure is explained well.
 */
export function leaveOneOutContributions(
  X: Float32Array, n: number, d: number, blocks: number[][], k: number, seed: number, partners?: number[][],
): number[] {
  const out: number[] = [];
  for (let b = 0; b < blocks.length; b++) {
    // a trait with many close partners shares the common structure: it is left out alone
    const ps = partners?.[b] ?? [];
    // and so does one that, with its partners, makes up half the traits judged or more: they are the structure (two
    // groups that differ on every trait make those traits correlate), not a split of their own beside it
    let left = new Set([b, ...(ps.length <= MAX_PARTNERS && 2 * (ps.length + 1) < blocks.length ? ps : [])]);
    // too few traits would remain: leave out the trait alone
    if (blocks.length - left.size < 2) left = new Set([b]);
    const keep = blocks.flatMap((cols, q) => (left.has(q) ? [] : cols));
    if (!keep.length) { out.push(1); continue; }
    const dd = keep.length;
    const Y = new Float32Array(n * dd);
    for (let i = 0; i < n; i++) for (let q = 0; q < dd; q++) Y[i * dd + q] = X[i * d + keep[q]];
    const labels = quickKMeans(Y, n, dd, k, seed + b, 1, 25);
    out.push(explained(X, n, d, blocks[b], labels, Math.min(k, n)));
  }
  return out;
}

/** Close partners of each trait: another trait with a column correlated at least PARTNER with one of its own. */
export function partnersOf(X: Float32Array, n: number, d: number, blocks: number[][]): number[][] {
  const mean = new Float64Array(d), sd = new Float64Array(d);
  for (let c = 0; c < d; c++) {
    let s = 0, s2 = 0;
    for (let i = 0; i < n; i++) { const v = X[i * d + c]; s += v; s2 += v * v; }
    mean[c] = s / n; sd[c] = Math.sqrt(Math.max(0, s2 / n - mean[c] * mean[c]));
  }
  const corr = (a: number, b: number) => {
    if (!(sd[a] > 0 && sd[b] > 0)) return 0;
    let s = 0;
    for (let i = 0; i < n; i++) s += (X[i * d + a] - mean[a]) * (X[i * d + b] - mean[b]);
    return s / n / (sd[a] * sd[b]);
  };
  const close = blocks.map(() => [] as number[]);
  for (let a = 0; a < blocks.length; a++) for (let b = a + 1; b < blocks.length; b++) {
    if (blocks[a].some((x) => blocks[b].some((y) => Math.abs(corr(x, y)) >= PARTNER))) { close[a].push(b); close[b].push(a); }
  }
  return close;
}

/**
 * Contribution of each trait (leaveOneOutContributions, the larger at k = 3 and 6) on at most SAMPLE of the given
 * rows of a table, each trait encoded as one standardized trait.
 */
export function traitContributions(table: TraitTable, rows: ArrayLike<number>, keys: string[], seed: number): number[] {
  if (keys.length < 2) return keys.map(() => 1);
  const pick = rows.length > SAMPLE ? sampleIndices(rows.length, SAMPLE, new Rng(seed)) : null;
  const sub = pick ? Array.from(pick, (q) => rows[q]) : Array.from(rows);
  const idx = keys.map((k) => table.traits.findIndex((t) => t.key === k));
  const small: TraitTable = { n: sub.length, traits: idx.map((j) => table.traits[j]), columns: idx.map((j) => Float64Array.from(sub, (i) => table.columns[j][i])) };
  const enc = fitEncoder(small, keys);
  const { matrix, d } = encodeTable(enc, small);
  const blocks = traitColumns(enc);
  const partners = partnersOf(matrix, small.n, d, blocks);
  const at = KS.map((k) => leaveOneOutContributions(matrix, small.n, d, blocks, k, seed, partners));
  return keys.map((_, q) => Math.max(...at.map((c) => c[q])));
}
