import { Rng } from '../../lib/clustering/rng';
import { allocMatrix } from '../../lib/clustering/exec';

/** Planted mixture of `k` overlapping gaussian groups (n x d, row-major Float32, allocated like Facet's encoder does). */
export function syntheticMatrix(n: number, d: number, k: number, seed = 2024): Float32Array {
  const rng = new Rng(seed);
  const centres = Array.from({ length: k }, () => Array.from({ length: d }, () => rng.normal() * 1.2));
  const X = allocMatrix(n, d);
  for (let i = 0; i < n; i++) {
    const c = centres[rng.int(k)];
    const o = i * d;
    for (let t = 0; t < d; t++) X[o + t] = c[t] + rng.normal();
  }
  return X;
}

export function inertiaOf(X: Float32Array, n: number, d: number, labels: ArrayLike<number>, k: number): number {
  const C = new Float64Array(k * d), cnt = new Float64Array(k);
  for (let i = 0; i < n; i++) { const l = labels[i]; cnt[l]++; for (let t = 0; t < d; t++) C[l * d + t] += X[i * d + t]; }
  for (let j = 0; j < k; j++) if (cnt[j]) for (let t = 0; t < d; t++) C[j * d + t] /= cnt[j];
  let s = 0;
  for (let i = 0; i < n; i++) { const l = labels[i]; for (let t = 0; t < d; t++) { const v = X[i * d + t] - C[l * d + t]; s += v * v; } }
  return s;
}

export function toRows(X: Float32Array, n: number, d: number): number[][] {
  const rows = new Array<number[]>(n);
  for (let i = 0; i < n; i++) { const r = new Array<number>(d); for (let t = 0; t < d; t++) r[t] = X[i * d + t]; rows[i] = r; }
  return rows;
}

export function peakRssMB(): number {
  return process.resourceUsage().maxRSS / 1024;
}
