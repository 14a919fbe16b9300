/* Facet k-means against the memory floor, ml-kmeans and simple-statistics: npm run bench:cluster [-- --sizes 100000,1000000] [--libs facet,ml-kmeans] */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kmeans } from '../lib/clustering/kmeans';
import { Rng } from '../lib/clustering/rng';
import { arenaOf, createExecutor } from '../lib/clustering/exec';
import { LLOYD_BLOCK_ROWS, getLocalOps } from '../lib/clustering/kernels';
import { inertiaOf, peakRssMB, syntheticMatrix, toRows } from './lib/synthetic';

const D = 20, K = 6, SEED = 7;
/** rounds of (floor passes, full-pass fit) in the Facet child */
const FLOOR_ROUNDS = 7;

interface Row {
  lib: string; n: number; init: string; iterations: number; perIter: number; seeding: number | null;
  fit: number; inertia: number; rssMB: number; baseRss: number; note?: string; extra?: Record<string, unknown>;
  floor?: {
    one: { best: number; median: number }; two: { best: number; median: number }; pass: { best: number; median: number };
    pass1: { best: number; median: number }; cpu1: { best: number; median: number }; cpuFloor1: { best: number; median: number };
    load: number[];
    full: { best: number; median: number; runs: number[]; iterations: number; inertia: number };
  };
}

const now = () => performance.now() / 1000;

async function child(lib: string, n: number): Promise<Row> {
  const baseRss = process.memoryUsage().rss / 1048576;
  let X: Float32Array | null = syntheticMatrix(n, D, K);
  const base = { lib, n, baseRss };
  if (lib === 'facet') {
    // a build job keeps its worker pool: started (and timed) apart from the fit
    const tp = now();
    const ex = createExecutor(2, n);
    await ex.map('seedUpdate', { X: new Float32Array(new SharedArrayBuffer(8 * D)), d: D, c: new Float64Array(D), mind: new Float32Array(new SharedArrayBuffer(16)), first: true }, 2);
    const pool = now() - tp;
    const mem = arenaOf(X);
    if (!mem) throw new Error('the benchmark matrix is not in a WebAssembly memory: the floor pass would measure a copy');
    const ops = getLocalOps();
    const opts = { seed: SEED, restarts: 3, executor: ex };
    // the product's fit three times (deterministic: same result); times are the median, peak RSS is the first fit's
    const r = await kmeans(X, n, D, K, opts);
    const rssMB = peakRssMB();
    const perIter = [r.iterationSeconds / r.totalIterations], fit = [r.totalSeconds];
    for (let rep = 0; rep < 2; rep++) {
      const again = await kmeans(X, n, D, K, opts);
      if (again.inertia !== r.inertia) throw new Error('facet fit is not deterministic');
      perIter.push(again.iterationSeconds / again.totalIterations);
      fit.push(again.totalSeconds);
    }
    // Per Lloyd iteration against the memory floor, interleaved so that both see the same load, best of 3 each per
    // round: a summing pass over the same matrix (this thread alone, then both threads); one full Lloyd iteration at
    // the fit's centres (every row assigned against all k centres, the centre sums updated, the new centres); and a fit
    // from random rows, whose iterations are all full passes too (nothing is pruned), timed per iteration.
    const C = r.centroids, labels = new Uint8Array(new SharedArrayBuffer(n));
    labels.set(r.labels);
    const r2max = (await ex.map('maxNorm', { X, d: D, mem }, n)).reduce((m, p) => Math.max(m, p.r2 as number), 0);
    // the pass as a fit runs it: both threads claim blocks of rows from a shared counter, sums kept per block
    const blocks = Math.ceil(n / LLOYD_BLOCK_ROWS), stride = K * D + K + 1;
    const queue = new Int32Array(new SharedArrayBuffer(4)), out = new Float64Array(new SharedArrayBuffer(8 * blocks * stride));
    const lloydIteration = async () => {
      Atomics.store(queue, 0, 0);
      await ex.map('lloyd', { X, d: D, C, k: K, labels, init: false, r2max, mem, queue, out, n }, n);
      const sums = new Float64Array(K * D), counts = new Float64Array(K);
      let changed = 0;
      for (let b = 0; b < blocks; b++) {
        for (let q = 0; q < K * D; q++) sums[q] += out[b * stride + q];
        for (let j = 0; j < K; j++) counts[j] += out[b * stride + K * D + j];
        changed += out[b * stride + K * D + K];
      }
      return { changed, sums, counts };
    };
    // the fit stops once its centres barely move: one pass at its final centres settles the last few rows
    await lloydIteration();
    const floor1: number[] = [], floor2: number[] = [], pass: number[] = [], pass1: number[] = [], full: number[] = [];
    const cpu1: number[] = [], cpuFloor1: number[] = [];
    let fullIters = 0, fullInertia = 0;
    const load0 = os.loadavg()[0];
    const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
    for (let round = 0; round < FLOOR_ROUNDS; round++) {
      let f1 = Infinity, f2 = Infinity, fp = Infinity, fp1 = Infinity, c1 = Infinity, cf1 = Infinity;
      for (let q = 0; q < 5; q++) {
        let t = now(), c = cpuMs();
        ops.sumPass({ X, d: D, mem, i0: 0, i1: n });
        f1 = Math.min(f1, now() - t);
        cf1 = Math.min(cf1, cpuMs() - c);
        t = now();
        Atomics.store(queue, 0, 0);
        await ex.map('sumPass', { X, d: D, mem, queue, n }, n);
        f2 = Math.min(f2, now() - t);
        t = now();
        const it = await lloydIteration();
        const next = new Float64Array(K * D);
        for (let j = 0; j < K; j++) for (let u = 0; u < D; u++) next[j * D + u] = it.sums[j * D + u] / (it.counts[j] || 1);
        fp = Math.min(fp, now() - t);
        if (it.changed !== 0) throw new Error('rows moved between passes at the same centres');
        // the same pass on this thread alone (the worker idles), against the one-thread floor
        t = now(); c = cpuMs();
        Atomics.store(queue, 0, 0);
        ops.lloyd({ X, d: D, C, k: K, labels, init: false, r2max, mem, queue, out, n, i0: 0, i1: n });
        fp1 = Math.min(fp1, now() - t);
        c1 = Math.min(c1, cpuMs() - c);
      }
      pass1.push(fp1); cpu1.push(c1 / 1000); cpuFloor1.push(cf1 / 1000);
      floor1.push(f1); floor2.push(f2); pass.push(fp);
      const fr = await kmeans(X, n, D, K, { seed: SEED + round, init: 'random', restarts: 1, tol: 0, maxIter: 20, executor: ex });
      full.push(fr.iterationSeconds / fr.totalIterations);
      fullIters += fr.totalIterations;
      fullInertia = fr.inertia;
    }
    await ex.close();
    const med = (xs: number[]) => { const o = [...xs].sort((a, b) => a - b); return o[Math.floor(o.length / 2)]; };
    const runs = perIter.map((x) => x.toFixed(4)).join(', ');
    return {
      ...base, init: n >= 160_000 ? 'k-means++ x3 on 40k sample' : 'k-means++ x3',
      iterations: r.totalIterations, perIter: med(perIter), seeding: r.seedingSeconds, fit: med(fit), inertia: r.inertia, rssMB,
      note: `2 threads (the caller and one worker); median of 3 identical fits (s/iter ${runs}); pool start ${pool.toFixed(2)} s not in fit`,
      floor: {
        one: { best: Math.min(...floor1), median: med(floor1) }, two: { best: Math.min(...floor2), median: med(floor2) },
        pass: { best: Math.min(...pass), median: med(pass) },
        pass1: { best: Math.min(...pass1), median: med(pass1) },
        cpu1: { best: Math.min(...cpu1), median: med(cpu1) }, cpuFloor1: { best: Math.min(...cpuFloor1), median: med(cpuFloor1) },
        load: [load0, os.loadavg()[0]],
        full: { best: Math.min(...full), median: med(full), runs: full, iterations: fullIters, inertia: fullInertia },
      },
    };
  }
  if (lib === 'facet-auto') {
    const { clusterMatrix } = await import('../lib/clustering/build');
    const t0 = now();
    const r = await clusterMatrix(X, n, D, { seed: SEED, kRange: [3, 8], threads: 2 });
    return {
      ...base, init: `auto k 3..8 -> ${r.k}`, iterations: 0, perIter: NaN, seeding: null, fit: now() - t0, inertia: r.inertia, rssMB: peakRssMB(),
      extra: { k: r.k, silhouette: r.quality.silhouette, stability: r.quality.stability, timings: r.timings },
      note: 'sample 200k: choose k on 12k of it (BIC of a mixture model fitted by EM from k-means, min share), one Lloyd step from the model\'s personas, assign all rows, quality (silhouette, bootstrap stability)',
    };
  }
  const tc = now();
  const rows = toRows(X, n, D);
  const convert = now() - tc;
  const Xref = X;
  X = null;
  if (lib === 'ml-kmeans') {
    const { kmeansGenerator } = await import('ml-kmeans');
    const plusPlus = n <= 1_000_000;
    const maxIterations = plusPlus ? 100 : 5;
    const t0 = now();
    let first = 0, last = t0, its = 0, res: { clusters: number[] } | null = null;
    for (const step of kmeansGenerator(rows, K, { initialization: plusPlus ? 'kmeans++' : 'random', seed: SEED, maxIterations })) {
      const t = now();
      if (its === 0) first = t;
      last = t; its++;
      res = step;
    }
    const perIter = its > 1 ? (last - first) / (its - 1) : last - t0;
    return {
      ...base, init: plusPlus ? 'its k-means++' : `random, capped at ${maxIterations} it.`, iterations: its, perIter,
      seeding: first - t0 - perIter, fit: last - t0, inertia: inertiaOf(Xref, n, D, res!.clusters, K), rssMB: peakRssMB(),
      note: `number[][] conversion ${convert.toFixed(2)} s not in fit`,
    };
  }
  const { kMeansCluster } = await import('simple-statistics');
  // simple-statistics: random initial points, no iteration cap of its own: count and cap via points.map
  const cap = n <= 100_000 ? 300 : n <= 1_000_000 ? 25 : 4;
  const rng = new Rng(SEED);
  let its = 0, lastLabels: number[] = [];
  class Stop extends Error {}
  const origMap = rows.map;
  (rows as unknown as { map: unknown }).map = function (this: number[][], ...args: Parameters<typeof origMap>) {
    if (its >= cap) throw new Stop();
    its++;
    lastLabels = origMap.apply(this, args) as unknown as number[];
    return lastLabels;
  };
  const t0 = now();
  let capped = false;
  try { kMeansCluster(rows, K, () => rng.next()); } catch (e) { if (e instanceof Stop) capped = true; else throw e; }
  const fit = now() - t0;
  return {
    ...base, init: capped ? `random, capped at ${cap} it.` : 'random', iterations: its, perIter: fit / its, seeding: null, fit,
    inertia: inertiaOf(Xref, n, D, lastLabels, K), rssMB: peakRssMB(), note: `number[][] conversion ${convert.toFixed(2)} s not in fit`,
  };
}

/**
 * Each library runs in its own child process on plain node (this file bundled once with esbuild), so that
 * its peak RSS holds the runtime, the matrix and the library's own memory, and not the TypeScript loader.
 * Libraries are imported lazily: a child loads only the one it measures.
 */
async function bundleChild(): Promise<string> {
  const { buildSync } = await import('esbuild');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facet-bench-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const out = path.join(dir, 'cluster-child.cjs');
  buildSync({ entryPoints: [__filename], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: out, logLevel: 'error', external: ['esbuild'] });
  return out;
}

function runChild(script: string, lib: string, n: number): Promise<Row> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [script, '--child', lib, String(n)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (b) => (out += b));
    p.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`${lib} at ${n} exited with ${code}`));
      resolve(JSON.parse(line) as Row);
    });
  });
}

const fmt = (x: number | null, dp = 3) => (x === null || !Number.isFinite(x) ? '-' : x.toFixed(dp));

async function main() {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') {
    const r = await child(argv[1], Number(argv[2]));
    process.stdout.write(JSON.stringify(r) + '\n');
    process.exit(0);
  }
  const si = argv.indexOf('--sizes');
  const sizes = si >= 0 ? argv[si + 1].split(',').map(Number) : [100_000, 1_000_000, 5_000_000];
  const li = argv.indexOf('--libs');
  const libs = li >= 0 ? argv[li + 1].split(',') : ['facet', 'facet-auto', 'ml-kmeans', 'simple-statistics'];
  if (!libs.includes('facet')) libs.unshift('facet');
  console.log(`k-means benchmark: synthetic ${K} gaussian groups x ${D} features, k = ${K}, node ${process.version}, each library in its own child process`);
  const all: Row[] = [];
  const script = await bundleChild();
  for (const n of sizes) {
    for (const lib of libs) {
      const r = await runChild(script, lib, n);
      all.push(r);
      process.stderr.write(`  done ${lib} n=${n} in ${r.fit.toFixed(2)} s\n`);
    }
  }
  const header = ['n', 'library', 'init', 'iter', 's/iter', 'seeding s', 'fit s', 'inertia', 'peak RSS MB', 'RSS/matrix', '(RSS-start)/matrix', 's/iter vs facet full pass', 'inertia vs facet'];
  const lines = [header];
  for (const r of all) {
    const f = all.find((x) => x.n === r.n && x.lib === 'facet')!;
    const matrixMB = (r.n * D * 4) / 1048576;
    lines.push([
      String(r.n), r.lib, r.init, r.iterations ? String(r.iterations) : '-', fmt(r.perIter, 4), fmt(r.seeding, 2), fmt(r.fit, 2),
      r.inertia.toExponential(5), r.rssMB.toFixed(0), (r.rssMB / matrixMB).toFixed(2), ((r.rssMB - r.baseRss) / matrixMB).toFixed(2),
      r.lib.startsWith('facet') ? '-' : `${(r.perIter / f.floor!.full.median).toFixed(1)}x`,
      (r.inertia / f.inertia).toFixed(4),
    ]);
  }
  const w = header.map((_, c) => Math.max(...lines.map((l) => l[c].length)));
  for (const l of lines) console.log(l.map((c, i) => c.padEnd(w[i])).join(' | '));
  const ms = (x: number) => (1000 * x).toFixed(2);
  for (const n of sizes) {
    const f = all.find((x) => x.n === n && x.lib === 'facet')!, fl = f.floor!;
    console.log(`\nper Lloyd iteration at n=${n} x ${D} (${((n * D * 4) / 1e6).toFixed(0)} MB of float32), ms, best | median of ${fl.full.runs.length} rounds (each the best of 5), interleaved;`);
    console.log(`machine load average ${fl.load.map((x) => x.toFixed(1)).join(' -> ')} on ${os.availableParallelism()} cores while they ran:`);
    const rows: [string, { best: number; median: number }][] = [
      ['memory floor: one summing pass, this thread', fl.one],
      ['memory floor: one summing pass, both threads (blocks claimed as a Lloyd pass does)', fl.two],
      ['Facet, one full Lloyd iteration at the fit\'s centres, 2 threads', fl.pass],
      ['Facet, the same pass on this thread alone', fl.pass1],
      ['  processor time of the one-thread floor pass', fl.cpuFloor1],
      ['  processor time of the one-thread Facet pass', fl.cpu1],
      ['Facet, fits from random rows, mean per iteration, 2 threads', fl.full],
    ];
    for (const lib of libs.filter((l) => !l.startsWith('facet'))) {
      const o = all.find((x) => x.n === n && x.lib === lib);
      if (o) rows.push([`${lib} (${o.init}, mean of its ${o.iterations} iterations)`, { best: o.perIter, median: o.perIter }]);
    }
    const lw = Math.max(...rows.map((r) => r[0].length));
    for (const [label, v] of rows) console.log(`  ${label.padEnd(lw)}  ${ms(v.best).padStart(9)} | ${ms(v.median).padStart(9)}`);
    console.log(`  (a full iteration: every row against all ${K} centres in one fused pass that also moves the rows changing centre between the`);
    console.log(`  centre sums, then the new centres; nothing is pruned, Facet keeps no bounds. Fits from random rows: ${fl.full.iterations} iterations`);
    console.log(`  in all, their first pass (all rows summed) and early ones (many rows moving) included; ms/iter ${fl.full.runs.map((x) => ms(x)).join(', ')})`);
  }
  console.log('\nnotes:');
  for (const r of all) if (r.note || r.extra) console.log(`  ${r.n} ${r.lib}: ${r.note ?? ''} ${r.extra ? JSON.stringify(r.extra) : ''}`);
  console.log('\ntargets:');
  for (const n of sizes) {
    const f = all.find((x) => x.n === n && x.lib === 'facet')!, a = all.find((x) => x.n === n && x.lib === 'facet-auto');
    const fl = f.floor!;
    const matrixMB = (n * D * 4) / 1048576;
    const ok = (b: boolean) => (b ? 'met' : 'NOT met');
    // the floor is the faster of the two summing passes (one thread may already take all the bandwidth there is)
    const floorBest = Math.min(fl.one.best, fl.two.best), floorMed = Math.min(fl.one.median, fl.two.median);
    const vsFloor = fl.pass.best / floorBest, vsFloorMed = fl.pass.median / floorMed, fitVsFloor = fl.full.median / floorMed;
    const parts = [
      `a full Lloyd iteration ${vsFloor.toFixed(2)}x the memory floor (the faster summing pass), best vs best (median vs median ${vsFloorMed.toFixed(2)}x; target <= 2x: ${ok(vsFloor <= 2)}); fits from random rows ${fitVsFloor.toFixed(2)}x per iteration (median)`,
      `on one thread: the pass ${(fl.pass1.best / fl.one.best).toFixed(2)}x the one-thread floor, best vs best (processor time ${(fl.cpu1.best / fl.cpuFloor1.best).toFixed(2)}x)`,
      ...libs.filter((l) => !l.startsWith('facet')).map((lib) => {
        const o = all.find((x) => x.n === n && x.lib === lib);
        if (!o) return null;
        const x = o.perIter / fl.full.median;
        return lib === 'ml-kmeans'
          ? `per iteration ${x.toFixed(1)}x faster than ml-kmeans, against Facet's fits from random rows (median; ${(o.perIter / fl.pass.median).toFixed(1)}x against a full iteration at convergence) (target >= 15x: ${ok(x >= 15)}), inertia ratio ml/facet ${(o.inertia / f.inertia).toFixed(4)} (target >= 1)`
          : `per iteration ${x.toFixed(1)}x faster than ${lib} (target > 1x: ${ok(x > 1)})`;
      }),
      `fit with seeding ${f.fit.toFixed(2)} s (target <= 0.3 s at 1M: ${n === 1_000_000 ? ok(f.fit <= 0.3) : 'n/a'})`,
      a ? `auto k ${a.fit.toFixed(2)} s (target <= 10 s: ${ok(a.fit <= 10)})` : null,
      `peak RSS ${f.rssMB.toFixed(0)} MB = ${(f.rssMB / matrixMB).toFixed(2)}x the ${matrixMB.toFixed(0)} MB matrix (target <= 2x)`,
    ];
    console.log(`  n=${n}:\n    ${parts.filter(Boolean).join('\n    ')}`);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
