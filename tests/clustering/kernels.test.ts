import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kmeans, Rng } from '@/lib/clustering';
import { createExecutor } from '@/lib/clustering/exec';
import { getLocalOps } from '@/lib/clustering/kernels';
// @ts-expect-error: plain ESM build script without type declarations
import { compileKernels, kernelsModuleSource } from '../../scripts/build-wasm.mjs';

function randomMatrix(n: number, d: number, seed: number, groups = 4) {
  const rng = new Rng(seed);
  const centres = Array.from({ length: groups }, () => Array.from({ length: d }, () => rng.normal() * 3));
  const X = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = centres[rng.int(groups)];
    for (let t = 0; t < d; t++) X[i * d + t] = c[t] + rng.normal();
  }
  return X;
}

function sq(X: Float32Array, i: number, C: Float64Array, j: number, d: number) {
  let s = 0;
  for (let t = 0; t < d; t++) { const v = X[i * d + t] - C[j * d + t]; s += v * v; }
  return s;
}

/** Plain Lloyd in float64, no bounds: the reference the accelerated fit must reproduce. */
function plainLloyd(X: Float32Array, n: number, d: number, k: number, C0: Float64Array, maxIter = 300) {
  let C = C0.slice();
  const labels = new Int32Array(n).fill(-1);
  for (let it = 0; it < maxIter; it++) {
    let changed = 0;
    for (let i = 0; i < n; i++) {
      let best = Infinity, b = 0;
      for (let j = 0; j < k; j++) { const s = sq(X, i, C, j, d); if (s < best) { best = s; b = j; } }
      if (labels[i] !== b) { labels[i] = b; changed++; }
    }
    if (changed === 0) break;
    const next = new Float64Array(k * d), cnt = new Float64Array(k);
    for (let i = 0; i < n; i++) { cnt[labels[i]]++; for (let t = 0; t < d; t++) next[labels[i] * d + t] += X[i * d + t]; }
    for (let j = 0; j < k; j++) for (let t = 0; t < d; t++) next[j * d + t] = cnt[j] ? next[j * d + t] / cnt[j] : C[j * d + t];
    C = next;
  }
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += sq(X, i, C, labels[i], d);
  return { labels, inertia };
}

describe('SIMD kernels', () => {
  it('the embedded WebAssembly is kernels.wat compiled (npm run build:wasm)', async () => {
    const bytes: Buffer = await compileKernels();
    const embedded = fs.readFileSync(path.join(__dirname, '../../lib/clustering/kernels-wasm.ts'), 'utf8');
    expect(embedded).toBe(kernelsModuleSource(bytes));
  });

  for (const [d, k] of [[20, 6], [7, 5], [13, 1], [3, 8], [1, 2]] as const) {
    it(`assign finds the nearest centre and runner-up like a float64 scan (d = ${d}, k = ${k})`, () => {
      const n = 5_000;
      const X = randomMatrix(n, d, d * 31 + k);
      const rng = new Rng(k);
      const C = new Float64Array(k * d);
      for (let j = 0; j < k; j++) for (let t = 0; t < d; t++) C[j * d + t] = X[rng.int(n) * d + t];
      const labels = new Int32Array(n), dist = new Float32Array(n), runner = new Int32Array(n), margin = new Float32Array(n);
      const r = getLocalOps().assign({ X, d, C, k, labels, dist, runner, margin, i0: 0, i1: n });
      let inertia = 0, checked = 0;
      for (let i = 0; i < n; i++) {
        const ds = Array.from({ length: k }, (_, j) => sq(X, i, C, j, d));
        const order = ds.map((v, j) => [v, j]).sort((a, b) => a[0] - b[0]);
        inertia += order[0][0];
        expect(dist[i]).toBeCloseTo(Math.sqrt(order[0][0]), 3);
        // ties within float32 rounding may go either way; every clear-cut row must match exactly
        if (k > 1 && order[1][0] - order[0][0] < 1e-4 * (1 + order[0][0])) continue;
        checked++;
        expect(labels[i]).toBe(order[0][1]);
        expect(runner[i]).toBe(k > 1 ? order[1][1] : -1);
        expect(margin[i]).toBeCloseTo(k > 1 ? Math.sqrt(order[1][0]) - Math.sqrt(order[0][0]) : 0, 3);
      }
      expect(checked).toBeGreaterThan(n * 0.99);
      expect((r.inertia as number) / inertia).toBeCloseTo(1, 5);
    });
  }

  for (const threads of [1, 2]) {
    it(`accelerated Lloyd reproduces plain Lloyd from the same start (threads = ${threads})`, async () => {
      const n = 60_000, d = 7, k = 5;
      const X = randomMatrix(n, d, 99, 6);
      const init = new Float64Array(k * d);
      for (let j = 0; j < k; j++) for (let t = 0; t < d; t++) init[j * d + t] = X[(j * 977) * d + t];
      const ref = plainLloyd(X, n, d, k, init);
      const fit = await kmeans(X, n, d, k, { init, threads, tol: 0 });
      expect(fit.threads).toBe(threads);
      expect(fit.converged).toBe(true);
      expect(fit.iterations).toBeGreaterThan(2);
      let differ = 0;
      for (let i = 0; i < n; i++) if (fit.labels[i] !== ref.labels[i]) differ++;
      expect(differ).toBe(0);
      expect(fit.inertia / ref.inertia).toBeCloseTo(1, 9);
    });
  }

  it('an empty centre is re-seeded at the farthest row and every persona ends non-empty', async () => {
    const n = 2_000, d = 4, k = 3;
    const X = randomMatrix(n, d, 5, 3);
    const init = new Float64Array(k * d);
    for (let t = 0; t < d; t++) { init[t] = X[t]; init[d + t] = X[d + t]; init[2 * d + t] = 1e6; }
    const fit = await kmeans(X, n, d, k, { init, threads: 1 });
    expect(fit.sizes.every((s) => s > 0)).toBe(true);
    expect(fit.sizes.reduce((a, b) => a + b, 0)).toBe(n);
    expect(Array.from(fit.centroids).every(Number.isFinite)).toBe(true);
    expect(Array.from(fit.centroids.subarray(2 * d)).every((v) => Math.abs(v) < 1e3)).toBe(true);
  });

  it('a failing kernel rejects the whole op with the thread error, and the pool stays usable', async () => {
    const ex = createExecutor(2, 100_000);
    try {
      const X = new Float32Array(new SharedArrayBuffer(4 * 100_000 * 2));
      await expect(ex.map('noSuchOp', { X, d: 2 }, 100_000)).rejects.toThrow();
      const parts = await ex.map('clusterSums', { X, d: 2, C: new Float64Array(2), k: 1, labels: new Int32Array(new SharedArrayBuffer(4 * 100_000)) }, 100_000);
      expect(parts).toHaveLength(2);
      expect(parts.reduce((s, p) => s + (p.cnt as Float64Array)[0], 0)).toBe(100_000);
    } finally {
      await ex.close();
    }
  });
});
