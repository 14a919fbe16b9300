import { Rng, sampleIndices } from './rng';

/** rows of the uniform sample on which large fits run their k-means++ restarts */
export const SEED_SAMPLE = 40_000;
import { LLOYD_BLOCK_ROWS } from './kernels';
import { MIN_ROWS_FOR_THREADS, arenaOf, createExecutor, ensureShared, localExecutor, sharedFloat32, sharedInt32, type Executor } from './exec';

export interface KMeansOptions {
  seed?: number;
  /** independent k-means++ starts; the lowest inertia wins (default 3) */
  restarts?: number;
  maxIter?: number;
  /** stop when the summed squared centre shift is below tol x mean feature variance (default 1e-4) */
  tol?: number;
  threads?: number;
  /** 'kmeans++' (greedy, default), 'random', or given centres (k x d) */
  init?: 'kmeans++' | 'random' | number[][] | Float64Array;
  /** reuse an executor (worker pool) across calls */
  executor?: Executor;
}

export interface KMeansResult {
  k: number;
  d: number;
  /** row-major k x d */
  centroids: Float64Array;
  labels: Int32Array;
  inertia: number;
  sizes: number[];
  /** Lloyd iterations of the kept run */
  iterations: number;
  /** Lloyd iterations over every run (restarts), matching iterationSeconds */
  totalIterations: number;
  converged: boolean;
  seedingSeconds: number;
  iterationSeconds: number;
  totalSeconds: number;
  restartInertias: number[];
  /** threads that ran the fit */
  threads: number;
}

const now = () => performance.now() / 1000;

function allocF32(ex: Executor, len: number) {
  return ex.threads > 1 ? sharedFloat32(len) : new Float32Array(len);
}
/**
 * Labels while fitting: one byte per row when k <= 256 (a quarter of an Int32Array's memory at 1M rows),
 * widened into the bound buffer's memory once the fit is done.
 */
type FitLabels = Uint8Array | Int32Array;
function allocLabels(ex: Executor, len: number, k: number): FitLabels {
  if (k > 256) return ex.threads > 1 ? sharedInt32(len) : new Int32Array(len);
  return ex.threads > 1 ? new Uint8Array(new SharedArrayBuffer(Math.max(1, len)), 0, len) : new Uint8Array(len);
}

/** Int32 labels for the result, written over the per-row buffer (no longer needed) when the fit kept bytes. */
function widenLabels(labels: FitLabels, perRow: Float32Array, n: number): Int32Array {
  if (labels instanceof Int32Array) return labels;
  const out = new Int32Array(perRow.buffer, perRow.byteOffset, n);
  for (let i = 0; i < n; i++) out[i] = labels[i];
  return out;
}

/** Mean per-feature variance, used to make the tolerance scale-free. */
function meanVariance(X: Float32Array, n: number, d: number): number {
  const step = Math.max(1, Math.floor(n / 20000));
  let tot = 0;
  for (let t = 0; t < d; t++) {
    let s = 0, s2 = 0, m = 0;
    for (let i = 0; i < n; i += step) {
      const v = X[i * d + t];
      s += v; s2 += v * v; m++;
    }
    const mu = s / m;
    tot += Math.max(0, s2 / m - mu * mu);
  }
  return tot / d;
}

/** Greedy k-means++ seeding (2 + ln k candidates per step), parallel over rows. */
export async function seedKMeansPlusPlus(
  ex: Executor, X: Float32Array, n: number, d: number, k: number, rng: Rng, mind: Float32Array,
): Promise<Float64Array> {
  const C = new Float64Array(k * d);
  const mem = arenaOf(X);
  const first = rng.int(n);
  for (let t = 0; t < d; t++) C[t] = X[first * d + t];
  let parts = await ex.map('seedUpdate', { X, d, c: C.subarray(0, d).slice(), mind, first: true, mem }, n);
  let total = parts.reduce((s, p) => s + (p.sum as number), 0);
  const trials = 2 + Math.floor(Math.log(k));
  for (let j = 1; j < k; j++) {
    const cand = new Int32Array(trials);
    if (!(total > 0)) {
      for (let m = 0; m < trials; m++) cand[m] = rng.int(n);
    } else {
      const targets = Array.from({ length: trials }, (_, m) => ({ m, r: rng.next() * total })).sort((a, b) => a.r - b.r);
      let acc = 0, q = 0;
      for (let i = 0; i < n && q < trials; i++) {
        acc += mind[i];
        while (q < trials && acc > targets[q].r) cand[targets[q++].m] = i;
      }
      while (q < trials) cand[targets[q++].m] = n - 1;
    }
    const cands = new Float64Array(trials * d);
    for (let m = 0; m < trials; m++) for (let t = 0; t < d; t++) cands[m * d + t] = X[cand[m] * d + t];
    parts = await ex.map('seedTrial', { X, d, cands, m: trials, mind, mem }, n);
    let bestM = 0, bestPot = Infinity;
    for (let m = 0; m < trials; m++) {
      const pot = parts.reduce((s, p) => s + (p.sums as Float64Array)[m], 0);
      if (pot < bestPot) { bestPot = pot; bestM = m; }
    }
    const c = cands.slice(bestM * d, bestM * d + d);
    C.set(c, j * d);
    parts = await ex.map('seedUpdate', { X, d, c, mind, first: false, mem }, n);
    total = parts.reduce((s, p) => s + (p.sum as number), 0);
  }
  return C;
}

/** Largest squared row norm: bounds the float32 rounding of the Lloyd kernel (one pass per fit, not per iteration). */
async function maxRowNorm2(ex: Executor, X: Float32Array, n: number, d: number): Promise<number> {
  const parts = await ex.map('maxNorm', { X, d, mem: arenaOf(X) }, n);
  return parts.reduce((m, p) => Math.max(m, p.r2 as number), 0);
}

/**
 * Lloyd iterations. Every iteration is one pass over all rows that assigns each row and, in the same read of
 * the row, moves it between the running per-centre sums when it changes centre; the new centres are those
 * sums over the counts. Rows the float32 kernel cannot order for sure are settled in float64, so labels are
 * those of plain Lloyd in float64 from the same start.
 */
async function lloyd(
  ex: Executor, X: Float32Array, n: number, d: number, k: number, C0: Float64Array,
  labels: FitLabels, maxIter: number, tolAbs: number, r2max: number,
) {
  const tLoop = now();
  let C = C0.slice();
  // rows from allocMatrix are read in place by the kernels
  const mem = arenaOf(X);
  // threads claim blocks of rows from a shared counter; each block's sums come back on their own row of `out` and are
  // added up here in block order, so the centres are the same whatever the thread count and whoever took a block
  const blocks = Math.ceil(n / LLOYD_BLOCK_ROWS), kd = k * d, stride = kd + k + 1;
  const queue = new Int32Array(new SharedArrayBuffer(4));
  const out = new Float64Array(new SharedArrayBuffer(8 * blocks * stride));
  const sums = new Float64Array(kd), counts = new Float64Array(k);
  const pass = async (init: boolean) => {
    Atomics.store(queue, 0, 0);
    await ex.map('lloyd', { X, d, C, k, labels, init, r2max, mem, queue, out, n }, n);
    let changed = 0;
    for (let b = 0; b < blocks; b++) {
      const o = b * stride;
      for (let q = 0; q < kd; q++) sums[q] += out[o + q];
      for (let j = 0; j < k; j++) counts[j] += out[o + kd + j];
      changed += out[o + kd + k];
    }
    return changed;
  };
  await pass(true);
  // the first full assignment pass counts as iteration 1 (Lloyd: assign, then update)
  let iterations = 1, converged = false;
  for (let it = 0; it < maxIter; it++) {
    // new centres from the running sums; an empty centre jumps to the row farthest from its centre
    const next = new Float64Array(k * d);
    const taken: number[] = [];
    for (let j = 0; j < k; j++) {
      if (counts[j] > 0) {
        for (let t = 0; t < d; t++) next[j * d + t] = sums[j * d + t] / counts[j];
      } else {
        const parts = await ex.map('farthest', { X, d, C, labels, counts, taken }, n);
        let far = 0, farD = -1;
        for (const p of parts) if ((p.dist as number) > farD) { farD = p.dist as number; far = p.far as number; }
        for (let t = 0; t < d; t++) next[j * d + t] = X[far * d + t];
        taken.push(far);
      }
    }
    let shift = 0;
    for (let q = 0; q < k * d; q++) { const v = next[q] - C[q]; shift += v * v; }
    C = next;
    if (shift <= tolAbs && it > 0) { converged = true; break; }
    const changed = await pass(false);
    iterations++;
    if (changed === 0) { converged = true; break; }
  }
  const loopSeconds = now() - tLoop;
  // exact inertia of the final assignment (not an iteration: timed with the fit, not per iteration)
  const parts = await ex.map('clusterSums', { X, d, C, k, labels, mem }, n);
  let inertia = 0;
  const sizes = new Array<number>(k).fill(0);
  for (const p of parts) {
    const sq = p.sq as Float64Array, cnt = p.cnt as Float64Array;
    for (let j = 0; j < k; j++) { inertia += sq[j]; sizes[j] += cnt[j]; }
  }
  return { C, iterations, converged, inertia, sizes, loopSeconds };
}

function toCentres(init: number[][] | Float64Array, k: number, d: number): Float64Array {
  if (init instanceof Float64Array) {
    if (init.length !== k * d) throw new Error(`initial centres must be ${k} x ${d}`);
    return init.slice();
  }
  if (init.length !== k || init.some((r) => r.length !== d)) throw new Error(`initial centres must be ${k} x ${d}`);
  const C = new Float64Array(k * d);
  init.forEach((r, j) => r.forEach((v, t) => (C[j * d + t] = v)));
  return C;
}

/**
 * k-means on a row-major Float32 matrix (n x d): greedy k-means++ seeding, Lloyd iterations of one fused
 * pass each (SIMD, float32) split over worker threads on shared memory, several restarts keeping the
 * lowest inertia. Deterministic for a given seed and thread count.
 */
export async function kmeans(
  matrix: Float32Array, n: number, d: number, k: number, opts: KMeansOptions = {},
): Promise<KMeansResult> {
  if (!Number.isInteger(n) || n < 1) throw new Error('kmeans: no rows');
  if (!Number.isInteger(k) || k < 1) throw new Error('kmeans: k must be a positive integer');
  if (k > n) throw new Error(`kmeans: k = ${k} exceeds the number of rows (${n})`);
  if (matrix.length < n * d) throw new Error('kmeans: matrix is smaller than n x d');
  const t0 = now();
  // small fits run in this thread: messaging would cost more than the work
  const ownExecutor = !opts.executor || n < MIN_ROWS_FOR_THREADS;
  const ex = !ownExecutor ? opts.executor! : n < MIN_ROWS_FOR_THREADS ? localExecutor() : createExecutor(opts.threads, n);
  try {
    const X = ensureShared(ex, matrix, d);
    const rng = new Rng(opts.seed ?? 1);
    const restarts = Math.max(1, Math.floor(opts.restarts ?? 3));
    const maxIter = opts.maxIter ?? 300;
    const tolAbs = (opts.tol ?? 1e-4) * meanVariance(X, n, d);
    // one float per row: k-means++ distances while seeding, or the seeding sample; the result's labels at the end
    const perRow = allocF32(ex, n);
    let labels = allocLabels(ex, n, k);
    let best: KMeansResult | null = null;
    let bestLabels: FitLabels | null = null;
    let seedingSeconds = 0, iterationSeconds = 0, iterations = 0;
    const restartInertias: number[] = [];
    const givenInit = Array.isArray(opts.init) || opts.init instanceof Float64Array;
    let initC: Float64Array | null = givenInit ? toCentres(opts.init as number[][] | Float64Array, k, d) : null;
    let runs = givenInit ? 1 : restarts;
    let presample = 0;
    const r2max = await maxRowNorm2(ex, X, n, d);
    if (!initC && opts.init !== 'random' && n >= 4 * SEED_SAMPLE) {
      // large n: the k-means++ restarts run (and converge) on a uniform sample in this thread;
      // all rows then refine the best of them, so restarts cost almost nothing at 1M rows
      const ts = now();
      const rows = sampleIndices(n, SEED_SAMPLE, new Rng(rng.fork()));
      const S = rows.length * d <= n ? perRow.subarray(0, rows.length * d) : new Float32Array(rows.length * d);
      for (let q = 0; q < rows.length; q++) S.set(X.subarray(rows[q] * d, rows[q] * d + d), q * d);
      // meanwhile the workers take the first touch of the label buffer and the rest of the bound buffer
      const touched = ex.background('touch', { arrays: [labels, perRow], from: [0, S.buffer === perRow.buffer ? S.length : 0] }, n);
      const sf = await kmeans(S, rows.length, d, k, { seed: rng.fork(), restarts, tol: opts.tol, threads: 1 }).finally(() => touched);
      initC = sf.centroids;
      runs = 1;
      presample = now() - ts;
    }
    seedingSeconds += presample;
    for (let r = 0; r < runs; r++) {
      const rr = new Rng(rng.fork());
      const ts = now();
      let C0: Float64Array;
      if (initC) C0 = initC.slice();
      else if (opts.init === 'random') {
        C0 = new Float64Array(k * d);
        const picked = new Set<number>();
        for (let j = 0; j < k; j++) {
          let i = rr.int(n);
          for (let tries = 0; picked.has(i) && tries < 20; tries++) i = rr.int(n);
          picked.add(i);
          for (let t = 0; t < d; t++) C0[j * d + t] = X[i * d + t];
        }
      } else C0 = await seedKMeansPlusPlus(ex, X, n, d, k, rr, perRow);
      seedingSeconds += now() - ts;
      const fit = await lloyd(ex, X, n, d, k, C0, labels, maxIter, tolAbs, r2max);
      iterationSeconds += fit.loopSeconds;
      iterations += fit.iterations;
      restartInertias.push(fit.inertia);
      if (!best || fit.inertia < best.inertia) {
        const previous = bestLabels;
        bestLabels = labels;
        best = {
          k, d, centroids: fit.C, labels: new Int32Array(0), inertia: fit.inertia, sizes: fit.sizes,
          iterations: fit.iterations, totalIterations: 0, converged: fit.converged,
          seedingSeconds: 0, iterationSeconds: 0, totalSeconds: 0, restartInertias, threads: ex.threads,
        };
        // a further run writes into the losing buffer, allocated only when a further run exists
        if (r < runs - 1) labels = previous ?? allocLabels(ex, n, k);
      }
    }
    const res = best!;
    res.labels = widenLabels(bestLabels!, perRow, n);
    res.seedingSeconds = seedingSeconds;
    res.iterationSeconds = iterationSeconds;
    res.totalSeconds = now() - t0;
    res.totalIterations = iterations;
    return res;
  } finally {
    if (ownExecutor) await ex.close();
  }
}
