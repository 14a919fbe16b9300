import type { Encoder } from './types';
import { Rng, sampleIndices } from './rng';

/**
 * A mixed-type mixture model over encoded rows, used to judge a partition: within a persona the continuous traits
 * are jointly gaussian (a mean per persona), each discrete one (boolean,
 * categorical, or any column with few distinct values: ordinal levels, counts) a categorical distribution per
 * persona; the continuous traits have one covariance shared by the personas (so two traits that move together
 * within every persona are not taken for more personas), a diagonal one per persona, or a full one per persona.
 * Fitted by EM from a k-means partition; its BIC says how many personas the rows support.
 */
export type Block =
  | { kind: 'gauss'; col: number }
  /** one-hot columns of a categorical trait */
  | { kind: 'onehot'; cols: number[] }
  /** a boolean trait: encoded above 0 = true, below = false, 0 = missing (imputed at the centre) */
  | { kind: 'bool'; col: number };

/** a continuous column with at most this many distinct values is modelled as discrete */
const DISCRETE_LEVELS = 12;
/** a persona's variance on a continuous column never falls below this share of the column's variance */
const VAR_FLOOR = 0.02;

/** Blocks of an encoder's columns (one per trait); without an encoder every column is continuous. */
export function blocksOf(d: number, encoder?: Encoder): Block[] {
  if (!encoder) return Array.from({ length: d }, (_, col) => ({ kind: 'gauss' as const, col }));
  return encoder.traits.map((t): Block => {
    if (t.type === 'categorical') return { kind: 'onehot', cols: t.categories.map((_, q) => t.offset + q) };
    if (t.type === 'boolean') return { kind: 'bool', col: t.offset };
    return { kind: 'gauss', col: t.offset };
  });
}

export interface Prepared {
  m: number;
  /** the rows of the matrix the model is fitted on */
  rows: Int32Array;
  gauss: Float64Array[];
  gaussVar: number[];
  /** per discrete variable: level code per row (-1 = missing) and number of levels */
  disc: { code: Int16Array; levels: number }[];
}

/**
 * Columns of sampled rows as the model sees them: continuous values, or discrete level codes. A missing continuous
 * cell was encoded at the centre (exactly 0), a spike the model would take for a persona, and imputing it from
 * another row would break the row's correlations: the model is fitted on rows whose continuous cells are all
 * known (at most `cap` of them), or, when fewer than a third of the rows are, each missing cell takes the value of
 * a random known row (hot deck). Missing discrete cells are left out of the likelihood.
 */
export function prepare(X: Float32Array, d: number, candidates: ArrayLike<number>, blocks: Block[], seed = 1, cap = Infinity): Prepared {
  const rng = new Rng(seed);
  // continuous columns with few distinct values are modelled as discrete
  const levels = blocks.map((b) => {
    if (b.kind !== 'gauss') return null;
    const distinct = new Map<number, number>();
    for (let r = 0; r < candidates.length && distinct.size <= DISCRETE_LEVELS; r++) {
      const v = X[candidates[r] * d + b.col];
      // 0 is a missing cell (the encoder never encodes a known value as exactly 0)
      if (v !== 0 && !distinct.has(v)) distinct.set(v, distinct.size);
    }
    return distinct.size <= DISCRETE_LEVELS ? distinct : null;
  });
  const contCols = blocks.flatMap((b, q) => (b.kind === 'gauss' && !levels[q] ? [b.col] : []));
  const complete: number[] = [];
  for (let r = 0; r < candidates.length; r++) if (contCols.every((c) => X[candidates[r] * d + c] !== 0)) complete.push(candidates[r]);
  const pool = complete.length >= Math.max(Math.min(200, candidates.length), candidates.length / 3) ? complete : Array.from(candidates);
  const rows = pool.length > cap ? Array.from(sampleIndices(pool.length, cap, rng), (q) => pool[q]) : pool;
  const m = rows.length;
  const gauss: Float64Array[] = [], gaussVar: number[] = [];
  const disc: Prepared['disc'] = [];
  blocks.forEach((b, q) => {
    if (b.kind === 'onehot') {
      const code = new Int16Array(m);
      for (let r = 0; r < m; r++) {
        const o = rows[r] * d;
        let best = -1, bv = 0, sum = 0;
        b.cols.forEach((c, l) => { const v = X[o + c]; sum += v; if (v > bv) { bv = v; best = l; } });
        // a known category is one-hot; a missing cell holds the shares (several nonzero columns)
        code[r] = best >= 0 && Math.abs(sum - bv) <= 1e-6 * Math.max(1, bv) ? best : -1;
      }
      disc.push({ code, levels: b.cols.length });
    } else if (b.kind === 'bool') {
      const code = new Int16Array(m);
      for (let r = 0; r < m; r++) { const v = X[rows[r] * d + b.col]; code[r] = v > 0 ? 1 : v < 0 ? 0 : -1; }
      disc.push({ code, levels: 2 });
    } else if (levels[q]) {
      const lv = levels[q]!;
      if (lv.size > 1) disc.push({ code: Int16Array.from(rows, (i) => lv.get(X[i * d + b.col]) ?? -1), levels: lv.size });
    } else {
      const x = Float64Array.from(rows, (i) => X[i * d + b.col]);
      const known: number[] = [];
      for (let r = 0; r < m; r++) if (x[r] !== 0) known.push(r);
      if (known.length < m && known.length > 0) for (let r = 0; r < m; r++) if (x[r] === 0) x[r] = x[known[rng.int(known.length)]];
      let s = 0, s2 = 0;
      for (const v of x) { s += v; s2 += v * v; }
      const va = s2 / m - (s / m) ** 2;
      if (!(va > 1e-12)) return;
      gauss.push(x);
      gaussVar.push(va);
    }
  });
  return { m, rows: Int32Array.from(rows), gauss, gaussVar, disc };
}

export type Covariance = 'shared' | 'diagonal' | 'full';

export interface MixtureFit {
  logLik: number;
  bic: number;
  /** classification entropy of the posterior, -sum p ln p over rows and personas (0 when every row is certain) */
  entropy: number;
  params: number;
  /** most probable persona of each prepared row */
  labels: Int32Array;
  /** membership probabilities (m × k), to continue the fit */
  posterior: Float64Array;
  cov: Covariance;
  /** EM steps taken */
  steps: number;
}

/** EM steps at most; EM stops earlier when a step gains less than TOL × |log-likelihood| */
export const EM_STEPS = 60;
const TOL = 1e-5;

/**
 * EM for the mixed model from a hard partition of the prepared rows (labels in 0..k-1), or from the posterior of an
 * earlier fit (`from`, m × k) to continue it; at most `iters` EM steps, fewer once it has converged.
 */
export function fitMixture(P: Prepared, labels: ArrayLike<number> | null, k: number, cov: Covariance = 'shared', iters = EM_STEPS, from?: Float64Array): MixtureFit {
  const { m, gauss, disc } = P;
  let R = from ? from.slice() : new Float64Array(m * k);
  if (!from) for (let r = 0; r < m; r++) R[r * k + labels![r]] = 1;
  let next = new Float64Array(m * k);
  const w = new Float64Array(k);
  const G = gauss.length;
  const { Xg, Sxx } = rowMajor(P);
  const mu = new Float64Array(k * G), nu = new Float64Array(k * G), Y = new Float64Array(m * G), L = new Float64Array(G * G);
  let gaussConst = 0;
  const shared = cov === 'shared', full = cov === 'full';
  // diagonal: a variance per persona and column (a persona may be wider than another), no correlation
  const iv = new Float64Array(k * G), lnorm = new Float64Array(k);
  // full: a covariance per persona (its Cholesky factor), a persona may be wider and its traits correlated differently
  const Lk = full ? new Float64Array(k * G * G) : new Float64Array(0), ybuf = new Float64Array(G);
  const lp = disc.map((v) => new Float64Array(k * v.levels));
  const lpi = new Float64Array(k);
  const row = new Float64Array(k);
  let logLik = -Infinity, steps = 0;
  for (let it = 0; it <= iters; it++) {
    steps = it;
    // M step
    w.fill(0);
    for (let r = 0; r < m; r++) for (let j = 0; j < k; j++) w[j] += R[r * k + j];
    for (let j = 0; j < k; j++) lpi[j] = Math.log(Math.max(1e-300, w[j] / m));
    if (G) {
      mu.fill(0);
      for (let r = 0; r < m; r++) for (let j = 0; j < k; j++) { const q = R[r * k + j]; if (q < 1e-12) continue; for (let g = 0; g < G; g++) mu[j * G + g] += q * Xg[r * G + g]; }
      for (let j = 0; j < k; j++) for (let g = 0; g < G; g++) mu[j * G + g] = w[j] > 1e-9 ? mu[j * G + g] / w[j] : 0;
      if (full) {
        const Sc = new Float64Array(k * G * G);
        for (let r = 0; r < m; r++) for (let j = 0; j < k; j++) {
          const q = R[r * k + j]; if (q < 1e-12) continue;
          for (let a = 0; a < G; a++) { const ea = q * (Xg[r * G + a] - mu[j * G + a]); for (let b = 0; b <= a; b++) Sc[(j * G + a) * G + b] += ea * (Xg[r * G + b] - mu[j * G + b]); }
        }
        lnorm.fill(-0.5 * G * Math.log(2 * Math.PI));
        for (let j = 0; j < k; j++) {
          const o = j * G * G;
          for (let a = 0; a < G; a++) for (let b = 0; b <= a; b++) {
            Lk[o + a * G + b] = (w[j] > 1e-9 ? Sc[o + a * G + b] / w[j] : (a === b ? P.gaussVar[a] : 0)) + (a === b ? VAR_FLOOR * P.gaussVar[a] : 0);
          }
          lnorm[j] -= cholesky(Lk, o, G);
        }
      } else if (!shared) {
        const s2 = new Float64Array(k * G);
        for (let r = 0; r < m; r++) for (let j = 0; j < k; j++) { const q = R[r * k + j]; if (q < 1e-12) continue; for (let g = 0; g < G; g++) { const e = Xg[r * G + g] - mu[j * G + g]; s2[j * G + g] += q * e * e; } }
        lnorm.fill(-0.5 * G * Math.log(2 * Math.PI));
        for (let j = 0; j < k; j++) for (let g = 0; g < G; g++) {
          const v = Math.max(VAR_FLOOR * P.gaussVar[g], w[j] > 1e-9 ? s2[j * G + g] / w[j] : P.gaussVar[g]);
          iv[j * G + g] = 1 / v; lnorm[j] -= 0.5 * Math.log(v);
        }
      }
    }
    if (G && shared) {
      // one covariance shared by the personas (within-persona correlation, e.g. two traits driven by one factor), floored
      for (let a = 0; a < G; a++) for (let b = 0; b <= a; b++) {
        let v = Sxx[a * G + b];
        for (let j = 0; j < k; j++) v -= w[j] * mu[j * G + a] * mu[j * G + b];
        L[a * G + b] = v / m + (a === b ? VAR_FLOOR * P.gaussVar[a] : 0);
      }
      gaussConst = -0.5 * G * Math.log(2 * Math.PI);
      for (let a = 0; a < G; a++) {
        for (let b = 0; b <= a; b++) {
          let v = L[a * G + b];
          for (let c = 0; c < b; c++) v -= L[a * G + c] * L[b * G + c];
          L[a * G + b] = a === b ? Math.sqrt(Math.max(v, 1e-12)) : v / L[b * G + b];
        }
        gaussConst -= Math.log(L[a * G + a]);
      }
      // whiten rows and centres once: the quadratic form is then a squared distance
      whiten(L, G, Xg, Y, m);
      whiten(L, G, mu, nu, k);
    }
    disc.forEach((v, q) => {
      const L = v.levels, cnt = new Float64Array(k * L), tot = new Float64Array(k);
      // level-major (c * k + j): a row's k cells are adjacent, in the M step and the E step alike
      for (let r = 0; r < m; r++) { const c = v.code[r]; if (c < 0) continue; const o = c * k, ro = r * k; for (let j = 0; j < k; j++) { const q = R[ro + j]; cnt[o + j] += q; tot[j] += q; } }
      // a light prior keeps every level possible in every persona
      for (let j = 0; j < k; j++) for (let c = 0; c < L; c++) lp[q][c * k + j] = Math.log((cnt[c * k + j] + 0.5) / (tot[j] + 0.5 * L));
    });
    // E step
    let ll = 0;
    for (let r = 0; r < m; r++) {
      if (shared) for (let j = 0; j < k; j++) {
        let q = 0;
        for (let g = 0; g < G; g++) { const e = Y[r * G + g] - nu[j * G + g]; q += e * e; }
        row[j] = lpi[j] + gaussConst - 0.5 * q;
      }
      else if (full) for (let j = 0; j < k; j++) {
        const o = j * G * G;
        let q = 0;
        for (let a = 0; a < G; a++) {
          let v = Xg[r * G + a] - mu[j * G + a];
          for (let c = 0; c < a; c++) v -= Lk[o + a * G + c] * ybuf[c];
          v /= Lk[o + a * G + a];
          ybuf[a] = v; q += v * v;
        }
        row[j] = lpi[j] + lnorm[j] - 0.5 * q;
      }
      else for (let j = 0; j < k; j++) {
        let q = 0;
        for (let g = 0; g < G; g++) { const e = Xg[r * G + g] - mu[j * G + g]; q += e * e * iv[j * G + g]; }
        row[j] = lpi[j] + lnorm[j] - 0.5 * q;
      }
      for (let q = 0; q < disc.length; q++) {
        const c = disc[q].code[r];
        if (c < 0) continue;
        const t = lp[q], o = c * k;
        for (let j = 0; j < k; j++) row[j] += t[o + j];
      }
      let mx = -Infinity;
      for (let j = 0; j < k; j++) if (row[j] > mx) mx = row[j];
      let s = 0;
      for (let j = 0; j < k; j++) { const e = Math.exp(row[j] - mx); next[r * k + j] = e; s += e; }
      for (let j = 0; j < k; j++) next[r * k + j] /= s;
      ll += mx + Math.log(s);
    }
    const prev = R;
    R = next;
    next = prev;
    const done = it > 2 && ll - logLik < TOL * Math.abs(ll);
    logLik = ll;
    if (done) break;
  }
  const out = new Int32Array(m);
  let entropy = 0;
  for (let r = 0; r < m; r++) {
    let b = 0;
    for (let j = 0; j < k; j++) { const q = R[r * k + j]; if (q > 1e-300) entropy -= q * Math.log(q); if (q > R[r * k + b]) b = j; }
    out[r] = b;
  }
  const covParams = shared ? (G * (G + 1)) / 2 : full ? (k * G * (G + 1)) / 2 : k * G;
  const params = k - 1 + k * (G + disc.reduce((s, v) => s + v.levels - 1, 0)) + covParams;
  return { logLik, bic: -2 * logLik + params * Math.log(m), entropy, params, labels: out, posterior: R, cov, steps };
}

/** Rows of the matrix src (count × G) solved against the lower-triangular L into dst. */
function whiten(L: Float64Array, G: number, src: Float64Array, dst: Float64Array, count: number) {
  for (let r = 0; r < count; r++) {
    const o = r * G;
    for (let a = 0; a < G; a++) {
      let v = src[o + a];
      for (let c = 0; c < a; c++) v -= L[a * G + c] * dst[o + c];
      dst[o + a] = v / L[a * G + a];
    }
  }
}

const rowMajorCache = new WeakMap<Prepared, { Xg: Float64Array; Sxx: Float64Array }>();
/** The continuous columns row-major, and their cross products (the same for every fit on these rows). */
function rowMajor(P: Prepared): { Xg: Float64Array; Sxx: Float64Array } {
  let c = rowMajorCache.get(P);
  if (!c) {
    const { m, gauss } = P, G = gauss.length;
    const Xg = new Float64Array(m * G), Sxx = new Float64Array(G * G);
    for (let g = 0; g < G; g++) for (let r = 0; r < m; r++) Xg[r * G + g] = gauss[g][r];
    for (let r = 0; r < m; r++) for (let a = 0; a < G; a++) { const xa = Xg[r * G + a]; for (let b = 0; b <= a; b++) Sxx[a * G + b] += xa * Xg[r * G + b]; }
    c = { Xg, Sxx };
    rowMajorCache.set(P, c);
  }
  return c;
}

/** In-place Cholesky factor of the symmetric matrix in A[o..o+G*G) (lower triangle used); returns ln det / 2. */
function cholesky(A: Float64Array, o: number, G: number): number {
  let half = 0;
  for (let a = 0; a < G; a++) {
    for (let b = 0; b <= a; b++) {
      let v = A[o + a * G + b];
      for (let c = 0; c < b; c++) v -= A[o + a * G + c] * A[o + b * G + c];
      A[o + a * G + b] = a === b ? Math.sqrt(Math.max(v, 1e-12)) : v / A[o + b * G + b];
    }
    half += Math.log(A[o + a * G + a]);
  }
  return half;
}
