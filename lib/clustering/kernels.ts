import { KERNELS_WASM_BASE64 } from './kernels-wasm';

/** Rows of one block of a Lloyd pass: threads claim blocks from a shared counter; sums are kept per block. */
export const LLOYD_BLOCK_ROWS = 8192;

/**
 * Numeric kernels as one plain-JS source string: evaluated in worker threads
 * (new Worker(code, { eval: true })) and, for the single-thread path, in the main
 * thread via new Function, so both paths run identical code and no worker file
 * has to be resolved by a bundler.
 * Every op works on a row range [i0, i1) of a row-major Float32 matrix X (n x d).
 */
export const KERNEL_SOURCE = String.raw`
var WASM_BASE64 = '${KERNELS_WASM_BASE64}';
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

// SIMD kernels (kernels.wat). The module imports one shared memory. A matrix from makeArena lives in such a
// memory (an arena): a header, the rows, then scratch slots, one per running op, claimed and released with
// atomics; the kernels read the rows in place. Any other matrix, or an arena whose slots are all busy or too
// small for k, is copied in by chunks of rows into a memory this thread owns.
var ARENA_MAGIC = 0x46414345, ARENA_HEADER = 64, ARENA_SLOTS = 16, ARENA_KMAX = 64;
var wasmModule = null;
function kernelModule() {
  if (!wasmModule) wasmModule = new WebAssembly.Module(Buffer.from(WASM_BASE64, 'base64'));
  return wasmModule;
}
// rows a Lloyd pass reads in place per call of the kernel (copied rows go by chunks of ch), and per block that a
// thread claims from a shared pass
var LLOYD_ROWS = ${LLOYD_BLOCK_ROWS};
// scratch of one op from byte offset base: a chunk of rows (copied or gathered), centres (f32 for nearest;
// splatted pairs and norms for lloyd), per-row outputs, lloyd's transposed rows and list of rows it leaves
// to float64, the k x d f64 sums, k counts and two result words
function layout(base, d, k) {
  var ch = Math.max(64, Math.min(2048, Math.floor(16384 / Math.max(1, d))));
  var lw = Math.max(ch, LLOYD_ROWS), d4 = (d + 3) & ~3, k2 = (k + 1) >> 1;
  var xp = base, cp = xp + ch * d * 4, lp = (cp + k * d * 4 + 15) & ~15, rp = lp + lw * 4, d1 = rp + ch * 4, d2 = d1 + ch * 4;
  var sc = (d2 + ch * 4 + 15) & ~15, np = sc + k2 * d4 * 32, tp = np + k2 * 32, fl = tp + d4 * 64 + 128;
  var sp = (fl + lw * 4 + 7) & ~7, cn = sp + k * d * 8, cs = cn + k * 8, out = cs + 3 * k * 8;
  return { ch: ch, xp: xp, cp: cp, lp: lp, rp: rp, d1: d1, d2: d2, sc: sc, np: np, tp: tp, fl: fl, sp: sp, cn: cn, cs: cs, out: out, end: out + 16 };
}

// A shared WebAssembly memory holding len floats of rows (d per row) and the scratch slots, or null
// when it cannot be had (over 4 GB, or no shared WebAssembly memory here).
function makeArena(len, d) {
  var slotBytes = (layout(0, d, ARENA_KMAX).end + 63) & ~63;
  var slots = ARENA_HEADER + ((len * 4 + 63) & ~63);
  var bytes = slots + ARENA_SLOTS * slotBytes, pages = Math.ceil(bytes / 65536);
  if (pages > 65535) return null;
  var mem;
  try { mem = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }); } catch (e) { return null; }
  var h = new Int32Array(mem.buffer, 0, 8);
  // an id that tells arenas apart when a worker reuses its instance for the last one it saw
  h[0] = ARENA_MAGIC; h[1] = 0; h[2] = (Math.random() * 0x7fffffff) | 0; h[3] = (Math.random() * 0x7fffffff) | 0;
  h[4] = slots; h[5] = slotBytes; h[6] = ARENA_SLOTS;
  return { mem: mem, X: new Float32Array(mem.buffer, ARENA_HEADER, len) };
}

// this thread's instance for the last arena it worked on (held weakly: it must not keep a matrix alive)
var arenaInst = null;
// this thread's own memory and instance, for matrices outside an arena
var own = null;

// scratch for one op on rows of X: { ex, F, I, D, inPlace, ...layout }; release() it when done
function workspace(X, d, k, mem) {
  if (mem) {
    var h = new Int32Array(X.buffer, 0, 8);
    if (h[0] === ARENA_MAGIC && layout(0, d, k).end <= h[5]) {
      var slot = -1;
      for (var tries = 0; tries < 64 && slot < 0; tries++) {
        var busy = Atomics.load(h, 1);
        for (var q = 0; q < h[6]; q++) {
          if (busy & (1 << q)) continue;
          if (Atomics.compareExchange(h, 1, busy, busy | (1 << q)) === busy) slot = q;
          break;
        }
        if (busy === (1 << h[6]) - 1) break;
      }
      if (slot >= 0) {
        var inst = arenaInst && arenaInst.id0 === h[2] && arenaInst.id1 === h[3] ? arenaInst.ref.deref() : null;
        if (!inst) {
          inst = new WebAssembly.Instance(kernelModule(), { env: { mem: mem } });
          arenaInst = { id0: h[2], id1: h[3], ref: new WeakRef(inst) };
        }
        var w = layout(h[4] + slot * h[5], d, k);
        w.ex = inst.exports; w.F = new Float32Array(X.buffer); w.I = new Int32Array(X.buffer); w.D = new Float64Array(X.buffer); w.U8 = new Uint8Array(X.buffer);
        w.inPlace = true; w.h = h; w.slot = slot;
        return w;
      }
    }
  }
  var L = layout(0, d, k);
  if (!own) {
    var m = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
    own = { mem: m, ex: new WebAssembly.Instance(kernelModule(), { env: { mem: m } }).exports, bytes: 0 };
  }
  if (L.end > own.mem.buffer.byteLength) own.mem.grow(Math.ceil((L.end - own.mem.buffer.byteLength) / 65536));
  if (own.bytes !== own.mem.buffer.byteLength) {
    var buf = own.mem.buffer;
    own.F = new Float32Array(buf); own.I = new Int32Array(buf); own.D = new Float64Array(buf); own.U8 = new Uint8Array(buf); own.bytes = buf.byteLength;
  }
  L.ex = own.ex; L.F = own.F; L.I = own.I; L.D = own.D; L.U8 = own.U8; L.inPlace = false;
  return L;
}
function release(w) {
  if (w.inPlace) Atomics.and(w.h, 1, ~(1 << w.slot));
}
function putCentres(w, C, n) { for (var q = 0; q < n; q++) w.F[(w.cp >> 2) + q] = C[q]; }
// byte address of rows [i0, i0 + rows) for the kernel: in place, or copied into the scratch chunk
function rowsAt(w, X, d, i0, rows) {
  if (w.inPlace) return X.byteOffset + i0 * d * 4;
  w.F.set(X.subarray(i0 * d, (i0 + rows) * d), w.xp >> 2);
  return w.xp;
}

// The row loops take positional arguments: an op's argument object differs in shape between callers
// (spread, structured clone), and loops that read it would be deoptimized by every new shape.

// nearest centre, runner-up and margin for every row
function assignRange(X, d, C, k, labels, dist, runner, margin, from, to, mem) {
  var w = workspace(X, d, k, mem);
  try {
    var F = w.F, I = w.I, total = 0;
    putCentres(w, C, k * d);
    var lp = w.lp >> 2, rp = w.rp >> 2, d1 = w.d1 >> 2, d2 = w.d2 >> 2;
    for (var i0 = from; i0 < to; i0 += w.ch) {
      var rows = Math.min(w.ch, to - i0);
      w.ex.nearest(rowsAt(w, X, d, i0, rows), rows, d, w.cp, k, w.lp, w.rp, w.d1, w.d2, 1, 1, 0);
      labels.set(I.subarray(lp, lp + rows), i0);
      if (dist) dist.set(F.subarray(d1, d1 + rows), i0);
      if (runner) runner.set(I.subarray(rp, rp + rows), i0);
      for (var q = 0; q < rows; q++) {
        var db = F[d1 + q];
        total += db * db;
        if (margin) margin[i0 + q] = I[rp + q] < 0 ? 0 : F[d2 + q] - db;
      }
    }
    return { inertia: total, inPlace: w.inPlace };
  } finally {
    release(w);
  }
}

// Lloyd's kernel orders centres by float32 scores; a row whose two best scores are closer than this could be
// ordered wrongly by rounding, and is settled in float64 instead. Each score (see putPairs) is off by at most
// (d + 3) 2^-24 (|c|max^2 + 4 R |c|max) <= 2 (d + 3) 2^-24 (R + |c|max)^2, R the largest row norm (maxNorm);
// the tolerance is four times what two such errors need.
function scoreTolerance(C, k, d, r2max) {
  var cmax = 0;
  for (var j = 0; j < k; j++) {
    var s = 0;
    for (var t = 0; t < d; t++) s += C[j * d + t] * C[j * d + t];
    if (s > cmax) cmax = s;
  }
  var r = Math.sqrt(r2max) * (1 + 1e-5) + Math.sqrt(cmax);
  return 16 * (d + 5) * Math.pow(2, -24) * r * r;
}

// centres for lloyd, relative to centre 0: score_j = (|c_j|^2 - |c_0|^2) - 2 x.(c_j - c_0). Pairs of splatted
// -2 (c_j - c_0) (d rounded up to 4, zero beyond d), then the odd last one; the norm differences likewise.
function putPairs(w, C, k, d) {
  var F = w.F, d4 = (d + 3) & ~3, nc = k - 1, k2 = nc >> 1, sc = w.sc >> 2, np = w.np >> 2, n0 = 0, t;
  for (t = 0; t < d; t++) n0 += C[t] * C[t];
  for (var j = 1; j < k; j++) {
    var p = (j - 1) >> 1, h = (j - 1) & 1, single = p === k2, nj = 0;
    for (t = 0; t < d4; t++) {
      var v = t < d ? -2 * (C[j * d + t] - C[t]) : 0;
      if (t < d) nj += C[j * d + t] * C[j * d + t];
      var o = single ? sc + k2 * d4 * 8 + t * 4 : sc + ((p * d4 + t) * 2 + h) * 4;
      F[o] = F[o + 1] = F[o + 2] = F[o + 3] = v;
    }
    var no = single ? np + k2 * 8 : np + (p * 2 + h) * 4;
    F[no] = F[no + 1] = F[no + 2] = F[no + 3] = nj - n0;
  }
}

// the rows lloyd left to float64: nearest centre by exact distances (lowest index on a tie, as a scan), and the
// change of the sums (f64 at w.sp, counts at w.cn) that it causes; returns how many changed centre
function settleRows(w, X, d, C, k, labels, init, c0, nfl) {
  var D = w.D, I = w.I, sp = w.sp >> 3, cn = w.cn >> 3, fl = w.fl >> 2, changed = 0;
  for (var q = 0; q < nfl; q++) {
    var i = c0 + I[fl + q], io = i * d, best = Infinity, b = 0;
    for (var j = 0; j < k; j++) {
      var s = 0;
      for (var t = 0; t < d; t++) { var v = X[io + t] - C[j * d + t]; s += v * v; }
      if (s < best) { best = s; b = j; }
    }
    var old = labels[i];
    if (!init && b === old) continue;
    labels[i] = b;
    D[cn + b] += 1;
    for (t = 0; t < d; t++) D[sp + b * d + t] += X[io + t];
    if (init) continue;
    changed++;
    D[cn + old] -= 1;
    for (t = 0; t < d; t++) D[sp + old * d + t] -= X[io + t];
  }
  return changed;
}

// rows [from, to) of one Lloyd pass, their sums and counts added to w's (f64 at w.sp, w.cn); rows read in place go
// by LLOYD_ROWS per call of the kernel, copied rows by ch
function lloydRows(w, X, d, C, k, labels, init, tau, from, to, stats) {
  var I = w.I, wide = labels.BYTES_PER_ELEMENT === 4 ? 1 : 0;
  var L = wide ? I : w.U8, lo = wide ? w.lp >> 2 : w.lp, ch = w.inPlace ? LLOYD_ROWS : w.ch;
  for (var c0 = from; c0 < to; c0 += ch) {
    var rows = Math.min(ch, to - c0), xp = rowsAt(w, X, d, c0, rows);
    if (!init) L.set(labels.subarray(c0, c0 + rows), lo);
    var nfl = w.ex.lloyd(xp, rows, d, w.sc, w.np, k - 1, w.lp, wide, w.tp, w.sp, w.cn, w.fl, tau, init ? 1 : 0, w.out);
    stats.changed += I[w.out >> 2];
    labels.set(L.subarray(lo, lo + rows), c0);
    if (nfl > 0) { stats.changed += settleRows(w, X, d, C, k, labels, init, c0, nfl); stats.settled += nfl; }
  }
}

// One Lloyd pass: every row to its nearest centre, fused with the per-centre sums in the same read of the row.
// With init, labels are written afresh and sums/counts are totals; otherwise they are the change that the rows
// moving centre cause (the caller keeps running sums). Over rows [from, to), or, given a queue, over the blocks of
// LLOYD_ROWS rows of [0, n) that this thread claims from it (an atomic counter shared by the threads of the pass,
// so a thread the system holds back leaves its blocks to the others): each block's sums, counts and changes go to
// its own row of out, which the caller adds up in block order, so results do not depend on who took which block.
function lloydPass(X, d, C, k, labels, init, r2max, from, to, mem, queue, out, n) {
  var w = workspace(X, d, k, mem);
  try {
    var D = w.D, sp = w.sp >> 3, cn = w.cn >> 3, kd = k * d, stats = { changed: 0, settled: 0 };
    var tau = scoreTolerance(C, k, d, r2max);
    putPairs(w, C, k, d);
    if (!queue) {
      D.fill(0, sp, cn + k);
      lloydRows(w, X, d, C, k, labels, init, tau, from, to, stats);
      return { dsums: D.slice(sp, sp + kd), dcounts: D.slice(cn, cn + k), changed: stats.changed, settled: stats.settled, inPlace: w.inPlace };
    }
    var blocks = Math.ceil(n / LLOYD_ROWS), stride = kd + k + 1, b;
    while ((b = Atomics.add(queue, 0, 1)) < blocks) {
      D.fill(0, sp, cn + k);
      var before = stats.changed;
      lloydRows(w, X, d, C, k, labels, init, tau, b * LLOYD_ROWS, Math.min(n, (b + 1) * LLOYD_ROWS), stats);
      out.set(D.subarray(sp, sp + kd), b * stride);
      out.set(D.subarray(cn, cn + k), b * stride + kd);
      out[b * stride + kd + k] = stats.changed - before;
    }
    return { settled: stats.settled, inPlace: w.inPlace };
  } finally {
    release(w);
  }
}

// largest squared row norm (NaN when a row holds NaN)
function maxNormRange(X, d, from, to, mem) {
  var w = workspace(X, d, 1, mem);
  try {
    var r2 = 0;
    for (var c0 = from; c0 < to; c0 += w.ch) {
      var rows = Math.min(w.ch, to - c0), m = w.ex.maxNorm2(rowsAt(w, X, d, c0, rows), rows, d);
      r2 = m > r2 || m !== m ? m : r2;
    }
    return { r2: r2 };
  } finally {
    release(w);
  }
}

var ops = {
  assign: function (a) {
    return assignRange(a.X, a.d, a.C, a.k, a.labels, a.dist, a.runner, a.margin, a.i0, a.i1, a.mem || null);
  },
  lloyd: function (a) {
    return lloydPass(a.X, a.d, a.C, a.k, a.labels, a.init, a.r2max, a.i0, a.i1, a.mem || null, a.queue || null, a.out || null, a.n | 0);
  },
  maxNorm: function (a) {
    return maxNormRange(a.X, a.d, a.i0, a.i1, a.mem || null);
  },
  // reads rows [i0, i1) once and sums them (the memory floor of a pass), or, given a queue, the blocks of LLOYD_ROWS
  // rows of [0, n) this thread claims, as lloyd shares a pass; in place only when the matrix is in an arena
  sumPass: function (a) {
    var w = workspace(a.X, a.d, 1, a.mem || null);
    try {
      var s = 0, b, rowBytes = a.d * 4, blocks = Math.ceil(a.n / LLOYD_ROWS);
      if (w.inPlace && !a.queue) s = w.ex.sum(a.X.byteOffset + a.i0 * rowBytes, (a.i1 - a.i0) * rowBytes);
      if (w.inPlace && a.queue) {
        while ((b = Atomics.add(a.queue, 0, 1)) < blocks) {
          s += w.ex.sum(a.X.byteOffset + b * LLOYD_ROWS * rowBytes, (Math.min(a.n, (b + 1) * LLOYD_ROWS) - b * LLOYD_ROWS) * rowBytes);
        }
      }
      return { sum: s, inPlace: w.inPlace };
    } finally {
      release(w);
    }
  },

  // writes a zero into every memory page of fresh (all-zero) arrays from a.from[q] on: a worker takes the cost of
  // the first touch of their pages (page faults) while the calling thread does other work
  touch: function (a) {
    for (var q = 0; q < a.arrays.length; q++) {
      var arr = a.arrays[q], step = 4096 / arr.BYTES_PER_ELEMENT;
      for (var i = Math.max(a.i0, a.from[q]); i < a.i1; i += step) arr[i] = 0;
    }
    return {};
  },

  // the row farthest from its centre among centres with more than one row (to re-seed an empty centre)
  farthest: function (a) {
    var X = a.X, d = a.d, C = a.C, labels = a.labels, counts = a.counts, taken = a.taken, far = -1, farD = -1;
    for (var i = a.i0; i < a.i1; i++) {
      var lab = labels[i];
      if (counts[lab] <= 1) continue;
      var dd = sqd(X, i * d, C, lab * d, d);
      // taken: rows already chosen for another empty centre in this step
      if (dd > farD && taken.indexOf(i) < 0) { farD = dd; far = i; }
    }
    return { far: far, dist: farD };
  },

  // compiles this thread's kernels before real work: instantiates the SIMD module and runs the Lloyd ops on a
  // small made-up block until the JavaScript and WebAssembly tiers have optimized them
  warm: function () {
    // shared buffers, like the real work's, so that the optimized code fits what follows
    function f32(len) { return new Float32Array(new SharedArrayBuffer(4 * len)); }
    var n = 2048, d = 12, k = 5, X = f32(n * d), C = new Float64Array(k * d), C2 = new Float64Array(k * d);
    for (var q = 0; q < n * d; q++) X[q] = ((q * 7919) % 1009) / 97;
    for (q = 0; q < k * d; q++) { C[q] = X[(q * 131) % (n * d)]; C2[q] = X[(q * 337 + 5) % (n * d)]; }
    // a fit keeps one byte per label (k <= 256); assignment writes Int32 labels
    var labels8 = new Uint8Array(new SharedArrayBuffer(n)), labels = new Int32Array(new SharedArrayBuffer(4 * n)), dist = f32(n), runner = new Int32Array(new SharedArrayBuffer(4 * n)), margin = f32(n);
    // two equal centres: every row near them is a tie, settled in float64
    var C3 = C2.slice(), queue = new Int32Array(new SharedArrayBuffer(4));
    var qout = new Float64Array(new SharedArrayBuffer(8 * Math.ceil(n / LLOYD_ROWS) * (k * d + k + 1)));
    for (q = 0; q < d; q++) C3[(k - 1) * d + q] = C3[(k - 2) * d + q];
    // the same rows in an arena too: rows read in place and rows copied in, both paths optimized
    var arena = makeArena(n * d, d), Xs = arena ? [X, arena.X] : [X], mems = arena ? [null, arena.mem] : [null];
    if (arena) arena.X.set(X);
    for (var r = 0; r < 150; r++) {
      var Xr = Xs[r % Xs.length], mem = mems[r % Xs.length];
      var r2 = ops.maxNorm({ X: Xr, d: d, mem: mem, i0: 0, i1: n }).r2;
      ops.lloyd({ X: Xr, d: d, C: C, k: k, labels: labels8, init: true, r2max: r2, mem: mem, i0: 0, i1: n });
      // other centres than the first pass's, so that rows change centre and every branch of the step runs
      ops.lloyd({ X: Xr, d: d, C: r % 10 === 1 ? C3 : C2, k: k, labels: labels8, init: false, r2max: r2, mem: mem, i0: 0, i1: n });
      ops.sumPass({ X: Xr, d: d, mem: mem, i0: 0, i1: n });
      ops.seedUpdate({ X: Xr, d: d, c: C.subarray(0, d), mind: dist, first: r % 2 === 0, mem: mem, i0: 0, i1: n });
      ops.seedTrial({ X: Xr, d: d, cands: C2, m: k, mind: dist, mem: mem, i0: 0, i1: n });
      // the way a fit runs its passes: blocks claimed from a shared counter
      queue[0] = 0;
      ops.lloyd({ X: Xr, d: d, C: r % 10 === 2 ? C3 : C2, k: k, labels: labels8, init: false, r2max: r2, mem: mem, i0: 0, i1: n, queue: queue, out: qout, n: n });
      queue[0] = 0;
      ops.sumPass({ X: Xr, d: d, mem: mem, i0: 0, i1: n, queue: queue, n: n });
      ops.assign({ X: Xr, d: d, C: C, k: k, labels: labels, dist: dist, runner: runner, margin: margin, mem: mem, i0: 0, i1: n });
      ops.clusterSums({ X: Xr, d: d, C: C, k: k, labels: labels8, mem: mem, i0: 0, i1: n });
    }
    return {};
  },

  // exact squared distance to the assigned centre, summed per centre
  // (SIMD float64: the same bits as a plain scan in row order)
  clusterSums: function (a) {
    var X = a.X, d = a.d, k = a.k, labels = a.labels, w = workspace(X, d, k, a.mem || null);
    try {
      var D = w.D, sp = w.sp >> 3, cs = w.cs >> 3, wide = labels.BYTES_PER_ELEMENT === 4 ? 1 : 0;
      var L = wide ? w.I : w.U8, lo = wide ? w.lp >> 2 : w.lp;
      for (var q = 0; q < k * d; q++) D[sp + q] = a.C[q];
      D.fill(0, cs, cs + 3 * k);
      for (var c0 = a.i0; c0 < a.i1; c0 += w.ch) {
        var rows = Math.min(w.ch, a.i1 - c0), xp = rowsAt(w, X, d, c0, rows);
        L.set(labels.subarray(c0, c0 + rows), lo);
        w.ex.clusterSums(xp, rows, d, w.sp, k, w.lp, wide, w.cs);
      }
      return { sq: D.slice(cs, cs + k), lin: D.slice(cs + k, cs + 2 * k), cnt: D.slice(cs + 2 * k, cs + 3 * k) };
    } finally {
      release(w);
    }
  },

  // k-means++: fold a new centre c into the min squared distances (SIMD float64, the same bits as a plain scan)
  seedUpdate: function (a) {
    var X = a.X, d = a.d, mind = a.mind, w = workspace(X, d, 1, a.mem || null);
    try {
      var D = w.D, F = w.F, lo = w.lp >> 2, sum = 0;
      for (var t = 0; t < d; t++) D[(w.sp >> 3) + t] = a.c[t];
      for (var c0 = a.i0; c0 < a.i1; c0 += w.ch) {
        var rows = Math.min(w.ch, a.i1 - c0), xp = rowsAt(w, X, d, c0, rows);
        if (!a.first) F.set(mind.subarray(c0, c0 + rows), lo);
        sum = w.ex.seedUpdate(xp, rows, d, w.sp, w.lp, a.first ? 1 : 0, sum);
        mind.set(F.subarray(lo, lo + rows), c0);
      }
      return { sum: sum };
    } finally {
      release(w);
    }
  },

  // k-means++ greedy trials: potential if each candidate were added
  seedTrial: function (a) {
    var X = a.X, d = a.d, m = a.m, mind = a.mind, w = workspace(X, d, m, a.mem || null);
    try {
      var D = w.D, F = w.F, sp = w.sp >> 3, cn = w.cn >> 3;
      for (var q = 0; q < m * d; q++) D[sp + q] = a.cands[q];
      D.fill(0, cn, cn + m);
      for (var c0 = a.i0; c0 < a.i1; c0 += w.ch) {
        var rows = Math.min(w.ch, a.i1 - c0), xp = rowsAt(w, X, d, c0, rows);
        F.set(mind.subarray(c0, c0 + rows), w.lp >> 2);
        w.ex.seedTrial(xp, rows, d, w.sp, m, w.lp, w.cn);
      }
      return { sums: D.slice(cn, cn + m) };
    } finally {
      release(w);
    }
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

interface LocalKernels {
  ops: KernelOps;
  makeArena: (len: number, d: number) => { mem: WebAssembly.Memory; X: Float32Array } | null;
}

let local: LocalKernels | null = null;

function localKernels(): LocalKernels {
  if (!local) local = new Function(KERNEL_SOURCE + '\nreturn { ops: ops, makeArena: makeArena };')() as LocalKernels;
  return local;
}

/** The same kernels compiled in this thread (single-thread path). */
export function getLocalOps(): KernelOps {
  return localKernels().ops;
}

/** A shared WebAssembly memory holding `len` floats of rows (d per row) that the kernels read in place, or null. */
export function makeArena(len: number, d: number) {
  return localKernels().makeArena(len, d);
}
