/* Facet k-means vs ml-kmeans vs simple-statistics: npm run bench:cluster [-- --sizes 100000,1000000] [--libs facet,ml-kmeans] */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kmeans } from '../lib/clustering/kmeans';
import { Rng } from '../lib/clustering/rng';
import { createExecutor } from '../lib/clustering/exec';
import { inertiaOf, peakRssMB, syntheticMatrix, toRows } from './lib/synthetic';

const D = 20, K = 6, SEED = 7;

interface Row {
  lib: string; n: number; init: string; iterations: number; perIter: number; seeding: number | null;
  fit: number; inertia: number; rssMB: number; baseRss: number; note?: string; extra?: Record<string, unknown>;
}

const now = () => performance.now() / 1000;

async function child(lib: string, n: number): Promise<Row> {
  const baseRss = process.memoryUsage().rss / 1048576;
  let X: Float32Array | null = syntheticMatrix(n, D, K);
  const base = { lib, n, baseRss };
  if (lib === 'facet' || lib === 'facet-random') {
    // a build job keeps its worker pool: started (and timed) apart from the fit
    const tp = now();
    const ex = createExecutor(2, n);
    await ex.map('seedUpdate', { X: new Float32Array(new SharedArrayBuffer(8 * D)), d: D, c: new Float64Array(D), mind: new Float32Array(new SharedArrayBuffer(16)), first: true }, 2);
    const pool = now() - tp;
    const opts = lib === 'facet' ? { seed: SEED, restarts: 3, executor: ex } : { seed: SEED, init: 'random' as const, restarts: 1, executor: ex };
    // the same fit three times (deterministic: same result); times are the median, peak RSS is the first fit's
    const r = await kmeans(X, n, D, K, opts);
    const rssMB = peakRssMB();
    const perIter = [r.iterationSeconds / r.totalIterations], fit = [r.totalSeconds];
    for (let rep = 0; rep < 2; rep++) {
      const again = await kmeans(X, n, D, K, opts);
      if (again.inertia !== r.inertia) throw new Error('facet fit is not deterministic');
      perIter.push(again.iterationSeconds / again.totalIterations);
      fit.push(again.totalSeconds);
    }
    await ex.close();
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1];
    const runs = perIter.map((x) => x.toFixed(4)).join(', ');
    return {
      ...base, init: lib === 'facet' ? (n >= 160_000 ? 'k-means++ x3 on 40k sample' : 'k-means++ x3') : 'random, all rows',
      iterations: r.totalIterations, perIter: median(perIter), seeding: r.seedingSeconds, fit: median(fit), inertia: r.inertia, rssMB,
      note: `2 threads (the caller and one worker); median of 3 identical fits (s/iter ${runs}); pool start ${pool.toFixed(2)} s not in fit` +
        (lib === 'facet-random' ? '; every Lloyd iteration on all rows' : ''),
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
  const libs = li >= 0 ? argv[li + 1].split(',') : ['facet', 'facet-random', 'facet-auto', 'ml-kmeans', 'simple-statistics'];
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
  const header = ['n', 'library', 'init', 'iter', 's/iter', 'seeding s', 'fit s', 'inertia', 'peak RSS MB', 'RSS/matrix', '(RSS-start)/matrix', 's/iter vs facet', 'inertia vs facet'];
  const lines = [header];
  for (const r of all) {
    const f = all.find((x) => x.n === r.n && x.lib === 'facet')!;
    const matrixMB = (r.n * D * 4) / 1048576;
    lines.push([
      String(r.n), r.lib, r.init, r.iterations ? String(r.iterations) : '-', fmt(r.perIter, 4), fmt(r.seeding, 2), fmt(r.fit, 2),
      r.inertia.toExponential(5), r.rssMB.toFixed(0), (r.rssMB / matrixMB).toFixed(2), ((r.rssMB - r.baseRss) / matrixMB).toFixed(2),
      r.lib.startsWith('facet') ? '-' : `${(r.perIter / f.perIter).toFixed(1)}x`,
      (r.inertia / f.inertia).toFixed(4),
    ]);
  }
  const w = header.map((_, c) => Math.max(...lines.map((l) => l[c].length)));
  for (const l of lines) console.log(l.map((c, i) => c.padEnd(w[i])).join(' | '));
  console.log('\nnotes:');
  for (const r of all) if (r.note || r.extra) console.log(`  ${r.n} ${r.lib}: ${r.note ?? ''} ${r.extra ? JSON.stringify(r.extra) : ''}`);
  console.log('\ntargets:');
  for (const n of sizes) {
    const f = all.find((x) => x.n === n && x.lib === 'facet')!, a = all.find((x) => x.n === n && x.lib === 'facet-auto');
    const ml = all.find((x) => x.n === n && x.lib === 'ml-kmeans');
    const rnd = all.find((x) => x.n === n && x.lib === 'facet-random');
    const matrixMB = (n * D * 4) / 1048576;
    const parts = [
      ml ? `per-iteration ${(ml.perIter / f.perIter).toFixed(1)}x faster than ml-kmeans (target >= 10x), inertia ratio ml/facet ${(ml.inertia / f.inertia).toFixed(4)} (target >= 1)` : null,
      ml && rnd ? `from random centres, every iteration on all rows: ${(ml.perIter / rnd.perIter).toFixed(1)}x faster per iteration than ml-kmeans, inertia ratio ml/facet ${(ml.inertia / rnd.inertia).toFixed(4)}` : null,
      `fit with seeding ${f.fit.toFixed(2)} s (target <= 1.5 s at 1M)`,
      a ? `auto k ${a.fit.toFixed(2)} s (target <= 10 s)` : null,
      `peak RSS ${f.rssMB.toFixed(0)} MB = ${(f.rssMB / matrixMB).toFixed(2)}x the ${matrixMB.toFixed(0)} MB matrix (target <= 2x)`,
    ];
    console.log(`  n=${n}: ${parts.filter(Boolean).join('; ')}`);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
