import type { KCandidate } from './types';
import { Rng, sampleIndices } from './rng';
import type { Executor } from './exec';
import { kmeans } from './kmeans';
import { quickKMeans } from './contribution';
import { nearestLabels, pairwiseDistances, silhouetteFromDistances } from './quality';
import { EM_STEPS, fitMixture, prepare, type Block, type Covariance, type MixtureFit, type Prepared } from './mixture';

/** rows the mixture model is fitted on for each candidate, and the silhouette sample */
const MODEL_SAMPLE = 3_000;
const MODEL_WORK = 120_000;
const SIL_SAMPLE = 1_000;
/** BIC points below which a better fit does not justify more personas */
const PARSIMONY = 10;
/** a covariance per persona is tried up to this many continuous traits (beyond, the sample cannot estimate it well) */
const FULL_MAX = 8;
/** EM steps each covariance structure gets before the best one is run to convergence */
const SHORT_STEPS = 4;

export interface ChooseKOptions {
  kLo: number;
  kHi: number;
  minShare: number;
  blocks: Block[];
  executor: Executor;
  rng: Rng;
  onProgress?: (fraction: number, stage: string) => void;
}

/**
 * How many personas the rows support. For each candidate k: k-means (2 restarts) on the model's rows, then the
 * mixed-type mixture model (mixture.ts) fitted by EM from that partition (bestModel); its BIC (fit against the number of
 * parameters) ranks the candidates. The lowest BIC among the candidates whose smallest persona keeps `minShare`
 * wins (any candidate when none does). Silhouette is measured for the analyst, not used to choose: it favours
 * few personas when groups overlap or differ in size.
 */
/**
 * Lets the event loop run between two model fits (each is synchronous): the build's progress heartbeat and its
 * database writes would otherwise wait for the whole choice of k. The result does not depend on it.
 */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function chooseK(S: Float32Array, ns: number, d: number, o: ChooseKOptions): Promise<{ k: number; centres: Float64Array; candidates: KCandidate[]; reason: string; modelRows: Int32Array; labels: Int32Array }> {
  const all = new Int32Array(ns);
  for (let i = 0; i < ns; i++) all[i] = i;
  // rows for the model: fewer when there are many columns, so the cost stays bounded
  const P = prepare(S, d, all, o.blocks, o.rng.fork(), Math.max(1_500, Math.min(MODEL_SAMPLE, Math.floor(MODEL_WORK / Math.max(1, d)))));
  const modelRows = P.rows;
  const M = new Float32Array(P.m * d);
  modelRows.forEach((r, q) => M.set(S.subarray(r * d, r * d + d), q * d));
  const silRows = sampleIndices(ns, Math.min(ns, SIL_SAMPLE), new Rng(o.rng.fork()));
  const dist = pairwiseDistances(S, d, silRows);
  const candidates: (KCandidate & { bic: number })[] = [];
  const best: { labels: Int32Array; cov: Covariance }[] = [];
  const total = o.kHi - o.kLo + 1;
  const shareOf = (labels: Int32Array, k: number) => {
    const sizes = new Float64Array(k);
    for (const l of labels) sizes[l]++;
    return Math.min(...sizes) / labels.length;
  };
  for (let k = o.kLo; k <= o.kHi; k++) {
    await breathe();
    o.onProgress?.((k - o.kLo) / total, `trying k = ${k}`);
    // k-means on the model's rows (on every row when they are too few) starts the model; the silhouette sample
    // takes the nearest of its centres
    const few = P.m < 10 * k;
    const fit = await kmeans(few ? S : M, few ? ns : P.m, d, k, { seed: o.rng.fork(), restarts: 2, executor: o.executor });
    const silhouette = silhouetteFromDistances(dist, nearestLabels(S, d, silRows, fit.centroids, k), k);
    const m = bestModel(P, few ? Int32Array.from(modelRows, (r) => fit.labels[r]) : fit.labels, k);
    best.push({ labels: m.labels, cov: m.cov });
    const minShare = shareOf(m.labels, k);
    candidates.push({ k, silhouette, minShare, inertia: fit.inertia, bic: m.bic, eligible: minShare >= o.minShare });
  }
  // k-means can also leave two groups in one persona: each k also starts from the best partition of k - 1 with its
  // widest persona split in two, and keeps the better fit
  for (let k = o.kLo + 1; k <= o.kHi; k++) {
    await breathe();
    const q = k - o.kLo;
    const m = fitMixture(P, splitWidest(S, d, modelRows, best[q - 1].labels, k - 1, o.rng.fork()), k, best[q].cov);
    if (m.bic < candidates[q].bic) {
      best[q] = { labels: m.labels, cov: m.cov };
      const minShare = shareOf(m.labels, k);
      candidates[q] = { ...candidates[q], bic: m.bic, minShare, eligible: minShare >= o.minShare };
    }
  }
  // k-means splits large groups before it isolates a small one: each k also starts from the best partition
  // of k + 1 with its two closest personas merged, and keeps the better fit
  for (let k = o.kHi - 1; k >= o.kLo; k--) {
    await breathe();
    const q = k - o.kLo;
    const m = fitMixture(P, mergeClosest(S, d, modelRows, best[q + 1].labels, k + 1), k, best[q].cov);
    if (m.bic < candidates[q].bic) {
      best[q] = { labels: m.labels, cov: m.cov };
      const minShare = shareOf(m.labels, k);
      candidates[q] = { ...candidates[q], bic: m.bic, minShare, eligible: minShare >= o.minShare };
    }
  }
  const eligible = candidates.filter((c) => c.eligible);
  const pool = eligible.length ? eligible : candidates;
  const lowest = pool.reduce((a, b) => (b.bic < a.bic ? b : a));
  // one or two discrete traits alone do not identify a mixture (every k explains them equally): silhouette decides
  const unidentified = P.gauss.length === 0 && P.disc.length < 3;
  // the fewest personas whose fit is as good as the best one's, within what BIC calls strong evidence
  const top = unidentified ? pool.reduce((a, b) => (b.silhouette > a.silhouette + 1e-9 ? b : a)) : pool.find((c) => c.bic <= lowest.bic + PARSIMONY)!;
  const second = pool.filter((c) => c !== top).reduce<(typeof top) | null>((a, b) => (!a || b.bic < a.bic ? b : a), null);
  const pctShare = `${Math.round(o.minShare * 100)}%`;
  const margin = second ? `; next best k = ${second.k} ${second.bic >= top.bic ? `fits worse by ${Math.round(second.bic - top.bic)} BIC points` : `fits better by only ${Math.round(top.bic - second.bic)} BIC points, too little for more personas`}` : '';
  const reason = unidentified
    ? `highest sampled silhouette (${top.silhouette.toFixed(3)}) among k in ${o.kLo}..${o.kHi}${eligible.length ? ` whose smallest persona holds at least ${pctShare}` : ''}: one or two discrete traits alone do not tell a mixture model how many personas there are`
    : eligible.length
    ? `best fit of a mixed-type mixture model (lowest BIC) among k in ${o.kLo}..${o.kHi} whose smallest persona holds at least ${pctShare}${margin}`
    : `no candidate kept ${pctShare} per persona; best fit of a mixed-type mixture model (lowest BIC) among k in ${o.kLo}..${o.kHi}${margin}`;
  return {
    k: top.k, centres: centresOf(S, d, modelRows, best[top.k - o.kLo].labels, top.k), modelRows, labels: best[top.k - o.kLo].labels,
    candidates: candidates.map((c) => ({ ...c, bic: Math.round(c.bic) })), reason,
  };
}

/**
 * The best mixture from a partition: each covariance structure (one shared by the personas; a diagonal per persona;
 * with few continuous traits a full one per persona) fitted by a few EM steps, the one with the lowest BIC then run to
 * convergence.
 */
function bestModel(P: Prepared, start: Int32Array, k: number): MixtureFit {
  const covs: Covariance[] = P.gauss.length === 0 ? ['shared'] : P.gauss.length <= FULL_MAX ? ['shared', 'diagonal', 'full'] : ['shared', 'diagonal'];
  const short = covs.map((cv) => fitMixture(P, start, k, cv, Math.min(SHORT_STEPS, EM_STEPS)));
  const lead = short.reduce((a, b) => (b.bic < a.bic ? b : a));
  return lead.steps < SHORT_STEPS ? lead : fitMixture(P, null, k, lead.cov, EM_STEPS, lead.posterior);
}

/** Mean encoded row of each persona (rows[r] has label labels[r]); an empty persona gets the overall mean. */
export function centresOf(S: Float32Array, d: number, rows: ArrayLike<number>, labels: ArrayLike<number>, k: number): Float64Array {
  const C = new Float64Array(k * d), cnt = new Float64Array(k), all = new Float64Array(d);
  for (let r = 0; r < rows.length; r++) {
    const o = rows[r] * d, j = labels[r];
    cnt[j]++;
    for (let t = 0; t < d; t++) { C[j * d + t] += S[o + t]; all[t] += S[o + t]; }
  }
  for (let j = 0; j < k; j++) for (let t = 0; t < d; t++) C[j * d + t] = cnt[j] ? C[j * d + t] / cnt[j] : all[t] / rows.length;
  return C;
}

/** Labels with the persona of the largest spread (sum of squares) split in two by 2-means (k + 1 labels, 0..k). */
function splitWidest(S: Float32Array, d: number, rows: ArrayLike<number>, labels: Int32Array, k: number, seed: number): Int32Array {
  const C = centresOf(S, d, rows, labels, k), ss = new Float64Array(k);
  for (let r = 0; r < rows.length; r++) {
    const o = rows[r] * d, j = labels[r];
    for (let t = 0; t < d; t++) { const v = S[o + t] - C[j * d + t]; ss[j] += v * v; }
  }
  let w = 0;
  for (let j = 1; j < k; j++) if (ss[j] > ss[w]) w = j;
  const mine: number[] = [];
  for (let r = 0; r < rows.length; r++) if (labels[r] === w) mine.push(r);
  const out = Int32Array.from(labels);
  if (mine.length < 2) return out;
  const Y = new Float32Array(mine.length * d);
  mine.forEach((r, q) => Y.set(S.subarray(rows[r] * d, rows[r] * d + d), q * d));
  const two = quickKMeans(Y, mine.length, d, 2, seed, 2, 20);
  mine.forEach((r, q) => { if (two[q] === 1) out[r] = k; });
  return out;
}

/** Labels with the two personas whose centres are closest merged into one (k - 1 labels, 0..k-2). */
function mergeClosest(S: Float32Array, d: number, rows: ArrayLike<number>, labels: Int32Array, k: number): Int32Array {
  const C = centresOf(S, d, rows, labels, k);
  let ba = 0, bb = 1, bd = Infinity;
  for (let a = 0; a < k; a++) for (let b = a + 1; b < k; b++) {
    let s = 0;
    for (let t = 0; t < d; t++) { const v = C[a * d + t] - C[b * d + t]; s += v * v; }
    if (s < bd) { bd = s; ba = a; bb = b; }
  }
  return Int32Array.from(labels, (l) => (l === bb ? ba : l > bb ? l - 1 : l));
}
