/* Yardsticks of `npm run bench:insight`: the analyst's z-scored k-means and a naive-Bayes separability check. */
import { kmeans } from '../lib/clustering/kmeans';
import { adjustedRandIndex } from '../lib/clustering/quality';
import type { TraitTable } from '../lib/clustering/types';

const value = (t: TraitTable, j: number, i: number) => {
  const v = t.columns[j][i];
  if (!Number.isFinite(v)) return NaN;
  return t.traits[j].type === 'numeric' && t.traits[j].skewed ? Math.sign(v) * Math.log1p(Math.abs(v)) : v;
};

/**
 * What an analyst runs by hand: every column z-scored (money log1p first, ordinal levels as numbers, booleans 0/1,
 * categoricals one-hot with each dummy z-scored), missing cells at the mean.
 */
export function zScoredMatrix(t: TraitTable, keys: string[]): { X: Float32Array; d: number } {
  const cols: Float64Array[] = [];
  for (const key of keys) {
    const j = t.traits.findIndex((s) => s.key === key);
    const spec = t.traits[j];
    if (spec.type === 'categorical') {
      const codes = [...new Set(Array.from(t.columns[j]).filter(Number.isFinite))].sort((a, b) => a - b);
      for (const c of codes) cols.push(Float64Array.from({ length: t.n }, (_, i) => (Number.isFinite(t.columns[j][i]) ? (t.columns[j][i] === c ? 1 : 0) : NaN)));
    } else cols.push(Float64Array.from({ length: t.n }, (_, i) => value(t, j, i)));
  }
  const d = cols.length;
  const X = new Float32Array(t.n * d);
  cols.forEach((c, q) => {
    let s = 0, s2 = 0, m = 0;
    for (const v of c) if (!Number.isNaN(v)) { s += v; s2 += v * v; m++; }
    const mu = m ? s / m : 0, sd = m ? Math.sqrt(Math.max(0, s2 / m - mu * mu)) : 0;
    for (let i = 0; i < t.n; i++) X[i * d + q] = Number.isNaN(c[i]) || !(sd > 0) ? 0 : (c[i] - mu) / sd;
  });
  return { X, d };
}

/** k-means++ with many restarts (lowest inertia kept) on the z-scored columns; ARI against the truth. */
export async function baselineAri(t: TraitTable, keys: string[], k: number, truth: Int32Array, seed: number, restarts = 20): Promise<number> {
  if (!keys.length) return 0;
  const { X, d } = zScoredMatrix(t, keys);
  const fit = await kmeans(X, t.n, d, k, { seed, restarts, threads: 1 });
  return adjustedRandIndex(truth, fit.labels);
}

/**
 * How separable the groups are given the truth: a naive-Bayes classifier fitted on the true labels (gaussian per
 * numeric trait, in log space for money; smoothed frequencies for ordinal, boolean and categorical; missing cells
 * skipped) predicts the same rows; the ARI of its predictions against the truth.
 */
export function naiveBayesAri(t: TraitTable, truth: Int32Array, k: number): number {
  const n = t.n;
  const prior = new Float64Array(k);
  for (let i = 0; i < n; i++) prior[truth[i]]++;
  const logp = new Float64Array(n * k);
  for (let i = 0; i < n; i++) for (let g = 0; g < k; g++) logp[i * k + g] = Math.log(prior[g] / n);
  t.traits.forEach((spec, j) => {
    if (spec.type === 'numeric') {
      const s = new Float64Array(k), s2 = new Float64Array(k), m = new Float64Array(k);
      for (let i = 0; i < n; i++) { const v = value(t, j, i); if (Number.isNaN(v)) continue; s[truth[i]] += v; s2[truth[i]] += v * v; m[truth[i]]++; }
      const mu = Array.from(s, (x, g) => x / Math.max(1, m[g]));
      const va = Array.from(s2, (x, g) => Math.max(1e-9, x / Math.max(1, m[g]) - mu[g] * mu[g]));
      for (let i = 0; i < n; i++) {
        const v = value(t, j, i);
        if (Number.isNaN(v)) continue;
        for (let g = 0; g < k; g++) logp[i * k + g] += -0.5 * Math.log(va[g]) - ((v - mu[g]) ** 2) / (2 * va[g]);
      }
    } else {
      const levels = [...new Set(Array.from(t.columns[j]).filter(Number.isFinite))];
      const idx = new Map(levels.map((v, q) => [v, q] as const));
      const L = levels.length;
      const cnt = new Float64Array(k * L), tot = new Float64Array(k);
      for (let i = 0; i < n; i++) { const v = t.columns[j][i]; if (!Number.isFinite(v)) continue; cnt[truth[i] * L + idx.get(v)!]++; tot[truth[i]]++; }
      for (let i = 0; i < n; i++) {
        const v = t.columns[j][i];
        if (!Number.isFinite(v)) continue;
        const q = idx.get(v)!;
        for (let g = 0; g < k; g++) logp[i * k + g] += Math.log((cnt[g * L + q] + 1) / (tot[g] + L));
      }
    }
  });
  const pred = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let b = 0;
    for (let g = 1; g < k; g++) if (logp[i * k + g] > logp[i * k + b]) b = g;
    pred[i] = b;
  }
  return adjustedRandIndex(truth, pred);
}
