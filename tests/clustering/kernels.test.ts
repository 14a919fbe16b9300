import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kmeans, Rng } from '@/lib/clustering';
import { allocMatrix, arenaOf, createExecutor } from '@/lib/clustering/exec';
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

  for (const [threads, d, k] of [[1, 7, 5], [2, 7, 5], [2, 20, 6], [1, 3, 2]] as const) {
    it(`Lloyd reproduces plain float64 Lloyd from the same start (threads = ${threads}, d = ${d}, k = ${k})`, async () => {
      const n = 60_000;
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

  for (const [d, k, n] of [[20, 6, 5_003], [7, 5, 4_001], [13, 1, 997], [3, 8, 3_000], [1, 2, 2_500], [5, 3, 16]] as const) {
    it(`one fused Lloyd pass gives float64 labels and sums, and its step the change of them (d = ${d}, k = ${k}, n = ${n})`, () => {
      const X = randomMatrix(n, d, d * 7 + k, 5);
      const rng = new Rng(d + k);
      const pick = () => { const C = new Float64Array(k * d); for (let j = 0; j < k; j++) for (let t = 0; t < d; t++) C[j * d + t] = X[rng.int(n) * d + t] + 0.01 * j; return C; };
      const scan = (C: Float64Array) => {
        const labels = new Uint8Array(n), sums = new Float64Array(k * d), counts = new Float64Array(k);
        for (let i = 0; i < n; i++) {
          let best = Infinity, b = 0;
          for (let j = 0; j < k; j++) { const s = sq(X, i, C, j, d); if (s < best) { best = s; b = j; } }
          labels[i] = b; counts[b]++;
          for (let t = 0; t < d; t++) sums[b * d + t] += X[i * d + t];
        }
        return { labels, sums, counts };
      };
      const ops = getLocalOps();
      const r2max = ops.maxNorm({ X, d, i0: 0, i1: n }).r2 as number;
      const C1 = pick(), C2 = pick();
      const labels = new Uint8Array(n);
      const first = ops.lloyd({ X, d, C: C1, k, labels, init: true, r2max, i0: 0, i1: n });
      const ref1 = scan(C1);
      expect(Array.from(labels)).toEqual(Array.from(ref1.labels));
      expect(Array.from(first.dcounts as Float64Array)).toEqual(Array.from(ref1.counts));
      (first.dsums as Float64Array).forEach((v, q) => expect(v).toBeCloseTo(ref1.sums[q], 9));
      const step = ops.lloyd({ X, d, C: C2, k, labels, init: false, r2max, i0: 0, i1: n });
      const ref2 = scan(C2);
      expect(Array.from(labels)).toEqual(Array.from(ref2.labels));
      let moved = 0;
      for (let i = 0; i < n; i++) if (ref1.labels[i] !== ref2.labels[i]) moved++;
      expect(step.changed).toBe(moved);
      const dc = step.dcounts as Float64Array, ds = step.dsums as Float64Array;
      for (let j = 0; j < k; j++) expect(ref1.counts[j] + dc[j]).toBe(ref2.counts[j]);
      ds.forEach((v, q) => expect(ref1.sums[q] + v).toBeCloseTo(ref2.sums[q], 9));
    });
  }

  it('a fused pass settles close calls in float64: of two equal centres the lower index, as a scan', () => {
    const n = 3_000, d = 6, k = 4;
    const X = randomMatrix(n, d, 21, 3);
    const C = new Float64Array(k * d);
    for (let t = 0; t < d; t++) { C[t] = X[t]; C[d + t] = X[5 * d + t]; C[2 * d + t] = X[5 * d + t]; C[3 * d + t] = X[9 * d + t]; }
    const labels = new Uint8Array(n);
    const ops = getLocalOps();
    const r = ops.lloyd({ X, d, C, k, labels, init: true, r2max: ops.maxNorm({ X, d, i0: 0, i1: n }).r2, i0: 0, i1: n });
    expect(labels.includes(2)).toBe(false);
    expect(labels.includes(1)).toBe(true);
    // every row nearest to the twin centres was a tie: settled in float64
    expect(r.settled as number).toBeGreaterThanOrEqual(labels.filter((l) => l === 1).length);
  });

  it('the floor pass reads the whole matrix in place', async () => {
    const n = 60_000, d = 5;
    const X = allocMatrix(n, d);
    for (let q = 0; q < n * d; q++) X[q] = (q % 7) - 3;
    let ref = 0;
    for (let q = 0; q < n * d; q++) ref += X[q];
    const ex = createExecutor(2, n);
    try {
      const parts = await ex.map('sumPass', { X, d, mem: arenaOf(X) }, n);
      expect(parts.every((p) => p.inPlace)).toBe(true);
      expect(parts.reduce((s, p) => s + (p.sum as number), 0)).toBeCloseTo(ref, 0);
    } finally {
      await ex.close();
    }
  });

  it('a fit gives the very same centres on one thread and two (sums added up per block of rows, in block order)', async () => {
    const n = 70_000, d = 9, k = 7;
    const X = randomMatrix(n, d, 404, 7);
    const one = await kmeans(X, n, d, k, { seed: 4, restarts: 1, threads: 1, init: 'random' });
    const two = await kmeans(X, n, d, k, { seed: 4, restarts: 1, threads: 2, init: 'random' });
    expect(two.threads).toBe(2);
    expect(Array.from(two.centroids)).toEqual(Array.from(one.centroids));
    expect(Array.from(two.labels)).toEqual(Array.from(one.labels));
    // the inertia is summed per thread (float64 rounding of the order only)
    expect(two.inertia / one.inertia).toBeCloseTo(1, 12);
  });

  for (const [d, n] of [[20, 5_000], [7, 3_001], [2, 999], [1, 64]] as const) {
    it(`k-means++ steps and the exact inertia in SIMD float64 give the very bits of a plain float64 scan (d = ${d})`, () => {
      const X = randomMatrix(n, d, 77 + d, 3);
      const sqd = (i: number, c: Float64Array, co: number) => {
        // four sums over features t mod 4, the rest into the first, as Facet's k-means++ always added them
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0, t = 0;
        for (; t < d - 3; t += 4) {
          const a = X[i * d + t] - c[co + t], b = X[i * d + t + 1] - c[co + t + 1], e = X[i * d + t + 2] - c[co + t + 2], f = X[i * d + t + 3] - c[co + t + 3];
          s0 += a * a; s1 += b * b; s2 += e * e; s3 += f * f;
        }
        for (; t < d; t++) { const v = X[i * d + t] - c[co + t]; s0 += v * v; }
        return (s0 + s1) + (s2 + s3);
      };
      const ops = getLocalOps();
      const c0 = Float64Array.from({ length: d }, (_, t) => X[3 * d + t] + 0.1), c1 = Float64Array.from({ length: d }, (_, t) => X[7 * d + t] - 0.2);
      const mind = new Float32Array(n), ref = new Float32Array(n);
      const s1 = ops.seedUpdate({ X, d, c: c0, mind, first: true, i0: 0, i1: n }).sum;
      let r1 = 0;
      for (let i = 0; i < n; i++) { ref[i] = sqd(i, c0, 0); r1 += ref[i]; }
      expect(Array.from(mind)).toEqual(Array.from(ref));
      expect(s1).toBe(r1);
      const cands = new Float64Array(3 * d);
      for (let q = 0; q < 3 * d; q++) cands[q] = X[(11 + q) % (n * d)] * 0.9;
      const sums = ops.seedTrial({ X, d, cands, m: 3, mind, i0: 0, i1: n }).sums as Float64Array;
      const rs = [0, 0, 0];
      for (let i = 0; i < n; i++) for (let j = 0; j < 3; j++) { const dd = sqd(i, cands, j * d); rs[j] += dd < ref[i] ? dd : ref[i]; }
      expect(Array.from(sums)).toEqual(rs);
      const s2 = ops.seedUpdate({ X, d, c: c1, mind, first: false, i0: 0, i1: n }).sum;
      let r2 = 0;
      for (let i = 0; i < n; i++) { const dd = sqd(i, c1, 0); if (dd < ref[i]) ref[i] = dd; r2 += ref[i]; }
      expect(Array.from(mind)).toEqual(Array.from(ref));
      expect(s2).toBe(r2);
      // the exact inertia per centre, summed in row order
      const k = 3, labels = Uint8Array.from({ length: n }, (_, i) => (i * 7) % k);
      const cs = ops.clusterSums({ X, d, C: cands, k, labels, i0: 0, i1: n });
      const sq = [0, 0, 0], lin = [0, 0, 0], cnt = [0, 0, 0];
      for (let i = 0; i < n; i++) { const dd = sqd(i, cands, labels[i] * d); sq[labels[i]] += dd; lin[labels[i]] += Math.sqrt(dd); cnt[labels[i]]++; }
      expect(Array.from(cs.sq as Float64Array)).toEqual(sq);
      expect(Array.from(cs.lin as Float64Array)).toEqual(lin);
      expect(Array.from(cs.cnt as Float64Array)).toEqual(cnt);
    });
  }

  it('keeps labels above 255 intact when k > 256 (a fit keeps one byte per label only up to 256)', async () => {
    const n = 4_000, d = 3, k = 300;
    const X = randomMatrix(n, d, 8, 40);
    const fit = await kmeans(X, n, d, k, { seed: 2, restarts: 1, threads: 1 });
    expect(fit.labels).toBeInstanceOf(Int32Array);
    expect(Math.max(...fit.labels)).toBeGreaterThan(255);
    for (let i = 0; i < n; i += 7) {
      let best = Infinity, b = -1;
      for (let j = 0; j < k; j++) { const s = sq(X, i, fit.centroids, j, d); if (s < best) { best = s; b = j; } }
      expect(sq(X, i, fit.centroids, fit.labels[i], d)).toBeCloseTo(best, 4);
      if (b !== fit.labels[i]) expect(sq(X, i, fit.centroids, b, d)).toBeCloseTo(sq(X, i, fit.centroids, fit.labels[i], d), 4);
    }
    expect(fit.sizes.reduce((a, b) => a + b, 0)).toBe(n);
  });

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

describe('matrices the kernels read in place (allocMatrix)', () => {
  const n = 60_000, d = 13, k = 6;
  const plain = randomMatrix(n, d, 17, 6);
  const inArena = () => { const X = allocMatrix(n, d); X.set(plain); return X; };
  const shared = <T extends Int32Array | Float32Array>(C: new (b: SharedArrayBuffer) => T, len: number) => new C(new SharedArrayBuffer(4 * len));
  const centres = () => { const C = new Float64Array(k * d); for (let j = 0; j < k; j++) for (let t = 0; t < d; t++) C[j * d + t] = plain[(j * 4001) * d + t]; return C; };
  const busyMask = (X: Float32Array) => Atomics.load(new Int32Array(X.buffer, 0, 8), 1);

  it('lives in a WebAssembly memory above 50k rows, and in a plain SharedArrayBuffer below', () => {
    const X = allocMatrix(n, d);
    expect(arenaOf(X)).toBeInstanceOf(WebAssembly.Memory);
    expect(X.buffer).toBe(arenaOf(X)!.buffer);
    expect(X.length).toBe(n * d);
    const small = allocMatrix(1_000, d);
    expect(arenaOf(small)).toBeNull();
    expect(small.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('gives the same labels and sums in place as copied, on each thread, and frees its scratch slots', async () => {
    const ex = createExecutor(2, n);
    try {
      const X = inArena(), C = centres();
      const r2max = (await ex.map('maxNorm', { X, d, mem: arenaOf(X) }, n)).reduce((m, p) => Math.max(m, p.r2 as number), 0);
      const run = async (M: Float32Array, mem: WebAssembly.Memory | null) => {
        const labels = new Uint8Array(new SharedArrayBuffer(n));
        const parts = await ex.map('lloyd', { X: M, d, C, k, labels, init: true, r2max, mem }, n);
        return { labels, parts };
      };
      const a = await run(X, arenaOf(X));
      const b = await run(plain.slice(), null);
      const c = await run(X, null);
      expect(a.parts.map((p) => p.inPlace)).toEqual([true, true]);
      expect(b.parts.map((p) => p.inPlace)).toEqual([false, false]);
      expect(c.parts.map((p) => p.inPlace)).toEqual([false, false]);
      for (const other of [b, c]) {
        expect(Array.from(a.labels)).toEqual(Array.from(other.labels));
        expect(Array.from(a.parts[1].dsums as Float64Array)).toEqual(Array.from(other.parts[1].dsums as Float64Array));
        expect(Array.from(a.parts[1].dcounts as Float64Array)).toEqual(Array.from(other.parts[1].dcounts as Float64Array));
      }
      expect(busyMask(X)).toBe(0);
    } finally {
      await ex.close();
    }
  });

  it('falls back to copying when every scratch slot is busy or k is too large for a slot', async () => {
    const X = inArena(), mem = arenaOf(X)!, C = centres();
    const h = new Int32Array(X.buffer, 0, 8);
    const ops = getLocalOps();
    const assign = (M: Float32Array, kk: number, CC: Float64Array, m: WebAssembly.Memory | null) => {
      const labels = new Int32Array(n), dist = new Float32Array(n), runner = new Int32Array(n), margin = new Float32Array(n);
      const r = ops.assign({ X: M, d, C: CC, k: kk, labels, dist, runner, margin, mem: m, i0: 0, i1: n });
      return { r, labels, dist };
    };
    const ref = assign(plain, k, C, null);
    Atomics.store(h, 1, (1 << h[6]) - 1);
    const full = assign(X, k, C, mem);
    expect(full.r.inPlace).toBe(false);
    expect(Array.from(full.labels)).toEqual(Array.from(ref.labels));
    Atomics.store(h, 1, 0);
    const big = 70, Cbig = new Float64Array(big * d);
    for (let j = 0; j < big; j++) for (let t = 0; t < d; t++) Cbig[j * d + t] = plain[(j * 811) * d + t];
    const many = assign(X, big, Cbig, mem);
    expect(many.r.inPlace).toBe(false);
    expect(Array.from(many.labels)).toEqual(Array.from(assign(plain, big, Cbig, null).labels));
    const ok = assign(X, k, C, mem);
    expect(ok.r.inPlace).toBe(true);
    expect(Array.from(ok.dist)).toEqual(Array.from(ref.dist));
    expect(busyMask(X)).toBe(0);
  });

  it('two pools working on one matrix at once take separate slots and agree with one pool alone', async () => {
    const X = inArena(), C = centres();
    const pools = [createExecutor(2, n), createExecutor(2, n)];
    try {
      const once = async (ex: (typeof pools)[number]) => {
        const labels = shared(Int32Array, n), dist = shared(Float32Array, n), runner = shared(Int32Array, n), margin = shared(Float32Array, n);
        const parts = await ex.map('assign', { X, d, C, k, labels, dist, runner, margin, mem: arenaOf(X) }, n);
        return { labels, dist, parts };
      };
      const alone = await once(pools[0]);
      const both = await Promise.all([once(pools[0]), once(pools[1]), once(pools[0]), once(pools[1])]);
      for (const r of both) {
        expect(r.parts.every((p) => p.inPlace)).toBe(true);
        expect(Array.from(r.labels)).toEqual(Array.from(alone.labels));
        expect(Array.from(r.dist)).toEqual(Array.from(alone.dist));
      }
      expect(busyMask(X)).toBe(0);
    } finally {
      await Promise.all(pools.map((p) => p.close()));
    }
  });

  it('a fit on a matrix read in place equals the fit on a copied matrix', async () => {
    const a = await kmeans(inArena(), n, d, k, { seed: 3, threads: 2 });
    const b = await kmeans(plain, n, d, k, { seed: 3, threads: 2 });
    expect(a.inertia).toBe(b.inertia);
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(Array.from(a.centroids)).toEqual(Array.from(b.centroids));
  });

  it('a kernel that throws part-way still frees its slot', () => {
    const X = inArena();
    const labels = new Uint8Array(10);
    expect(() => getLocalOps().lloyd({ X, d, C: centres(), k, labels, init: true, r2max: 1e3, mem: arenaOf(X), i0: 0, i1: n })).toThrow();
    expect(busyMask(X)).toBe(0);
  });
});
