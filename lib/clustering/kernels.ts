/**
 * Numeric kernels as one plain-JS source string: evaluated in worker threads
 * (new Worker(code, { eval: true })) and, for the single-thread path, in the main
 * thread via new Function, so both paths run identical code and no worker file
 * has to be resolved by a bundler.
 * Every op works on a row range [i0, i1) of a row-major Float32 matrix X (n x d).
 */
export const KERNEL_SOURCE = String.raw`
function sqd(X, io, C, co, d) {
  // four accumulators break the add dependency chain (about 2x faster in V8)
  var s0 = 0, s1 = 0, s2 = 0, s3 = 0, t = 0, d4 = d - 3;
  for (; t < d4; t += 4) {
    var a = X[io + t] - C[co + t], b = X[io + t + 1] - C[co + t + 1];
    var c = X[io + t + 2] - C[co + t + 2], e = X[io + t + 3] - C[co + t + 3];
    s0 += a * a; s1 += b * b; s2 += c * c; s3 += e * e;
  }
  for (; t < d; t++) { var v = X[io + t] - C[co + t]; s0 += v * v; }
  return (s0 + s1) + (s2 + s3);
}

var ops = {
  // nearest centre, runner-up and margin for every row
  assign: function (a) {
    var X = a.X, d = a.d, C = a.C, k = a.k, labels = a.labels, dist = a.dist, runner = a.runner, margin = a.margin;
    var total = 0;
    for (var i = a.i0; i < a.i1; i++) {
      var io = i * d, best = Infinity, b = 0, second = Infinity, s = -1;
      for (var j = 0; j < k; j++) {
        var dd = sqd(X, io, C, j * d, d);
        if (dd < best) { second = best; s = b; best = dd; b = j; }
        else if (dd < second) { second = dd; s = j; }
      }
      if (k === 1) s = -1;
      labels[i] = b;
      total += best;
      var db = Math.sqrt(best);
      if (dist) dist[i] = db;
      if (runner) runner[i] = s;
      if (margin) margin[i] = s < 0 ? 0 : Math.sqrt(second) - db;
    }
    return { inertia: total };
  },

  // first Hamerly pass: labels, bounds and per-centre sums
  hamInit: function (a) {
    var X = a.X, d = a.d, C = a.C, k = a.k, labels = a.labels, upper = a.upper, lower = a.lower;
    var sums = new Float64Array(k * d), counts = new Float64Array(k);
    for (var i = a.i0; i < a.i1; i++) {
      var io = i * d, best = Infinity, b = 0, second = Infinity;
      for (var j = 0; j < k; j++) {
        var dd = sqd(X, io, C, j * d, d);
        if (dd < best) { second = best; best = dd; b = j; }
        else if (dd < second) { second = dd; }
      }
      labels[i] = b;
      upper[i] = Math.sqrt(best) * 1.000001 + 1e-12;
      lower[i] = k > 1 ? Math.sqrt(second) * 0.999999 : Infinity;
      var bo = b * d;
      for (var t = 0; t < d; t++) sums[bo + t] += X[io + t];
      counts[b] += 1;
    }
    return { sums: sums, counts: counts };
  },

  // one accelerated Lloyd step (Hamerly bounds); returns changes of the per-centre sums
  hamStep: function (a) {
    var X = a.X, d = a.d, C = a.C, k = a.k, labels = a.labels, upper = a.upper, lower = a.lower;
    var s = a.s, move = a.move, maxMove = a.maxMove, maxIdx = a.maxIdx, secondMove = a.secondMove;
    var dsums = new Float64Array(k * d), dcounts = new Float64Array(k), changed = 0;
    for (var i = a.i0; i < a.i1; i++) {
      var lab = labels[i];
      var u = upper[i] + move[lab];
      var l = lower[i] - (lab === maxIdx ? secondMove : maxMove);
      var m = s[lab] > l ? s[lab] : l;
      if (u > m) {
        var io = i * d;
        u = Math.sqrt(sqd(X, io, C, lab * d, d));
        if (u > m) {
          var best = Infinity, b = 0, second = Infinity;
          for (var j = 0; j < k; j++) {
            var dd = sqd(X, io, C, j * d, d);
            if (dd < best) { second = best; best = dd; b = j; }
            else if (dd < second) { second = dd; }
          }
          if (b !== lab) {
            changed++;
            var ao = lab * d, bo = b * d;
            for (var t = 0; t < d; t++) { var x = X[io + t]; dsums[ao + t] -= x; dsums[bo + t] += x; }
            dcounts[lab] -= 1; dcounts[b] += 1;
            labels[i] = b;
          }
          u = Math.sqrt(best);
          l = Math.sqrt(second);
        }
        upper[i] = u * 1.000001 + 1e-12;
        lower[i] = l * 0.999999;
      } else {
        upper[i] = u;
        lower[i] = l;
      }
    }
    return { dsums: dsums, dcounts: dcounts, changed: changed };
  },

  // exact squared distance to the assigned centre, summed per centre
  clusterSums: function (a) {
    var X = a.X, d = a.d, C = a.C, k = a.k, labels = a.labels;
    var sq = new Float64Array(k), lin = new Float64Array(k), cnt = new Float64Array(k);
    for (var i = a.i0; i < a.i1; i++) {
      var lab = labels[i];
      var dd = sqd(X, i * d, C, lab * d, d);
      sq[lab] += dd; lin[lab] += Math.sqrt(dd); cnt[lab] += 1;
    }
    return { sq: sq, lin: lin, cnt: cnt };
  },

  // k-means++: fold a new centre c into the min squared distances
  seedUpdate: function (a) {
    var X = a.X, d = a.d, c = a.c, mind = a.mind, first = a.first, sum = 0;
    for (var i = a.i0; i < a.i1; i++) {
      var dd = sqd(X, i * d, c, 0, d);
      if (first || dd < mind[i]) mind[i] = dd;
      sum += mind[i];
    }
    return { sum: sum };
  },

  // k-means++ greedy trials: potential if each candidate were added
  seedTrial: function (a) {
    var X = a.X, d = a.d, cands = a.cands, m = a.m, mind = a.mind;
    var sums = new Float64Array(m);
    for (var i = a.i0; i < a.i1; i++) {
      var io = i * d, cur = mind[i];
      for (var j = 0; j < m; j++) {
        var dd = sqd(X, io, cands, j * d, d);
        sums[j] += dd < cur ? dd : cur;
      }
    }
    return { sums: sums };
  }
};
`;

export const WORKER_SOURCE =
  KERNEL_SOURCE +
  String.raw`
var wt = require('worker_threads');
wt.parentPort.on('message', function (msg) {
  try {
    var r = ops[msg.op](msg.args);
    wt.parentPort.postMessage({ id: msg.id, r: r });
  } catch (e) {
    wt.parentPort.postMessage({ id: msg.id, error: String(e && e.stack || e) });
  }
});
`;

export type KernelOps = Record<string, (args: Record<string, unknown>) => Record<string, unknown>>;

let localOps: KernelOps | null = null;

/** The same kernels compiled in this thread (single-thread path). */
export function getLocalOps(): KernelOps {
  if (!localOps) localOps = new Function(KERNEL_SOURCE + '\nreturn ops;')() as KernelOps;
  return localOps;
}
