import type { Assignment, PersonaModel, RecordValue } from './types';
import { encodeRecord } from './encoder';
import { arenaOf, createExecutor, ensureShared, sharedFloat32, sharedInt32, type Executor } from './exec';

const flatCache = new WeakMap<PersonaModel, Float64Array>();
export function flatCentroids(model: PersonaModel): Float64Array {
  let C = flatCache.get(model);
  if (!C) {
    const d = model.encoder.d;
    C = new Float64Array(model.k * d);
    model.centroids.forEach((c, j) => C!.set(c, j * d));
    flatCache.set(model, C);
  }
  return C;
}

/** Nearest persona of every row of an encoded matrix, with runner-up and margin; threaded for large n. */
export async function assignRows(
  model: PersonaModel, matrix: Float32Array, n: number, opts: { threads?: number; executor?: Executor } = {},
): Promise<Assignment> {
  const ex = opts.executor ?? createExecutor(opts.threads, n);
  try {
    return await assignWith(ex, flatCentroids(model), model.k, model.encoder.d, matrix, n);
  } finally {
    if (!opts.executor) await ex.close();
  }
}

export async function assignWith(ex: Executor, C: Float64Array, k: number, d: number, matrix: Float32Array, n: number): Promise<Assignment> {
  if (matrix.length < n * d) throw new Error(`assignRows: matrix holds fewer than ${n} rows of ${d} columns`);
  const shared = ex.threads > 1;
  const X = ensureShared(ex, matrix, d);
  const labels = shared ? sharedInt32(n) : new Int32Array(n);
  const dist = shared ? sharedFloat32(n) : new Float32Array(n);
  const runner = shared ? sharedInt32(n) : new Int32Array(n);
  const margin = shared ? sharedFloat32(n) : new Float32Array(n);
  if (n > 0) await ex.map('assign', { X, d, C, k, labels, dist, runner, margin, mem: arenaOf(X) }, n);
  return { labels, distances: dist, runnerUp: runner, margins: margin };
}

/** Single-thread version for callers that cannot await. */
export function assignRowsSync(model: PersonaModel, matrix: Float32Array, n: number): Assignment {
  const d = model.encoder.d, k = model.k, C = flatCentroids(model);
  const labels = new Int32Array(n), distances = new Float32Array(n), runnerUp = new Int32Array(n), margins = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = nearest(matrix, i * d, C, k, d);
    labels[i] = r.persona; distances[i] = r.distance; runnerUp[i] = r.runnerUp; margins[i] = r.margin;
  }
  return { labels, distances, runnerUp, margins };
}

function nearest(x: Float32Array, off: number, C: Float64Array, k: number, d: number) {
  let best = Infinity, b = 0, second = Infinity, s = -1;
  for (let j = 0; j < k; j++) {
    let dd = 0;
    for (let t = 0; t < d; t++) { const v = x[off + t] - C[j * d + t]; dd += v * v; }
    if (dd < best) { second = best; s = b; best = dd; b = j; } else if (dd < second) { second = dd; s = j; }
  }
  if (k === 1) s = -1;
  const distance = Math.sqrt(best);
  const runnerDist = s < 0 ? Infinity : Math.sqrt(second);
  return { persona: b, distance, runnerUp: s, margin: s < 0 ? 0 : runnerDist - distance, runnerDist };
}

/**
 * One person in real time (microseconds): encodes the record like the cohort and returns the
 * nearest persona. confidence = (d2 - d1) / (d2 + d1): 1 at the centre, 0 when equidistant.
 */
export function assignRecord(model: PersonaModel, record: Record<string, RecordValue>) {
  const x = encodeRecord(model.encoder, record);
  const r = nearest(x, 0, flatCentroids(model), model.k, model.encoder.d);
  const confidence = r.runnerUp < 0 ? 1 : r.runnerDist + r.distance > 0 ? (r.runnerDist - r.distance) / (r.runnerDist + r.distance) : 0;
  return { persona: r.persona, distance: r.distance, runnerUp: r.runnerUp, margin: r.margin, confidence };
}

/** Minimum-cost assignment (Hungarian, O(n^3)) on a rows x cols cost matrix with rows <= cols. */
function hungarian(cost: number[][]): number[] {
  const n = cost.length, m = cost[0]?.length ?? 0;
  const INF = Number.POSITIVE_INFINITY;
  const u = new Array(n + 1).fill(0), v = new Array(m + 1).fill(0), p = new Array(m + 1).fill(0), way = new Array(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Array(m + 1).fill(INF), used = new Array(m + 1).fill(false);
    do {
      used[j0] = true;
      const i0 = p[j0];
      let delta = INF, j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = cost[i0 - 1][j - 1] - u[i0] - v[j];
        if (cur < minv[j]) { minv[j] = cur; way[j] = j0; }
        if (minv[j] < delta) { delta = minv[j]; j1 = j; }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) { u[p[j]] += delta; v[j] -= delta; } else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do { const j1 = way[j0]; p[j0] = p[j1]; j0 = j1; } while (j0);
  }
  const match = new Array(n).fill(-1);
  for (let j = 1; j <= m; j++) if (p[j] > 0) match[p[j] - 1] = j - 1;
  return match;
}

const euclid = (a: number[], b: number[]) => Math.sqrt(a.reduce((s, x, t) => s + (x - (b[t] ?? 0)) ** 2, 0));

/**
 * Keeps persona ids stable on rebuild: maps each new centre to an old one (optimal one-to-one
 * matching on distance) or -1 when the closest available old centre is farther than `threshold`
 * (default: half the smallest distance between two old centres).
 */
export function matchPersonas(oldCentroids: number[][], newCentroids: number[][], threshold?: number): number[] {
  if (newCentroids.length === 0) return [];
  if (oldCentroids.length === 0) return newCentroids.map(() => -1);
  let thr = threshold;
  if (thr === undefined) {
    let minOld = Infinity;
    for (let a = 0; a < oldCentroids.length; a++) for (let b = a + 1; b < oldCentroids.length; b++) minOld = Math.min(minOld, euclid(oldCentroids[a], oldCentroids[b]));
    thr = Number.isFinite(minOld) ? minOld / 2 : Infinity;
  }
  const transpose = newCentroids.length > oldCentroids.length;
  const rowsC = transpose ? oldCentroids : newCentroids, colsC = transpose ? newCentroids : oldCentroids;
  const cost = rowsC.map((r) => colsC.map((c) => euclid(r, c)));
  const m = hungarian(cost);
  const out = newCentroids.map(() => -1);
  m.forEach((col, row) => {
    if (col < 0) return;
    const [ni, oi] = transpose ? [col, row] : [row, col];
    if (euclid(newCentroids[ni], oldCentroids[oi]) <= thr!) out[ni] = oi;
  });
  return out;
}
