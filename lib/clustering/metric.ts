import { explained } from './contribution';
import { adjustedRandIndex } from './quality';
import { centresOf } from './choose-k';

/**
 * The distance personas are assigned by (nearest centre, so that one contact is scored in microseconds) is tuned to
 * reproduce the mixture model's partition: each trait's columns are scaled by (c / (1 - c))^e, c being the share of
 * the trait's variance the model's personas explain, and discrete traits (boolean, ordinal, categorical) by a
 * further factor g, a k-prototypes weight learned instead of fixed. The (e, g) whose nearest-centre partition, after
 * a few Lloyd steps from the model's centres, agrees best with the model's (ARI) wins; (0, 1), the plain encoding,
 * keeps its place unless another agrees clearly better.
 */
const EXPONENTS = [0, 0.25, 0.5, 0.75];
const DISCRETE = [1, 0.6, 0.8, 1.25, 1.6];
/** a weighting must agree this much better than the plain encoding to replace it */
const MIN_GAIN = 0.005;
const LLOYD_STEPS = 8;

export interface Metric {
  /** multiplier per trait (block), relative to the encoding */
  scale: number[];
  exponent: number;
  discrete: number;
  /** ARI of the tuned nearest-centre partition against the model's, and of the plain encoding's */
  agreement: number;
  plainAgreement: number;
}

function lloydFrom(Y: Float32Array, m: number, d: number, C: Float64Array, k: number, steps: number): Int32Array {
  const lab = new Int32Array(m);
  for (let it = 0; it < steps; it++) {
    let moved = 0;
    for (let i = 0; i < m; i++) {
      let bj = 0, bd = Infinity;
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let t = 0; t < d; t++) { const v = Y[i * d + t] - C[j * d + t]; s += v * v; }
        if (s < bd) { bd = s; bj = j; }
      }
      if (lab[i] !== bj || it === 0) { moved++; lab[i] = bj; }
    }
    if (!moved && it > 0) break;
    const cnt = new Float64Array(k), sum = new Float64Array(k * d);
    for (let i = 0; i < m; i++) { cnt[lab[i]]++; for (let t = 0; t < d; t++) sum[lab[i] * d + t] += Y[i * d + t]; }
    for (let j = 0; j < k; j++) if (cnt[j]) for (let t = 0; t < d; t++) C[j * d + t] = sum[j * d + t] / cnt[j];
  }
  return lab;
}

/** Learns the per-trait scale from the model's labels of `rows` of S (row-major, d columns). */
export function learnMetric(
  S: Float32Array, d: number, rows: ArrayLike<number>, labels: Int32Array, k: number, blocks: number[][], discrete: boolean[],
): Metric {
  const m = rows.length;
  const X = new Float32Array(m * d);
  for (let r = 0; r < m; r++) X.set(S.subarray(rows[r] * d, rows[r] * d + d), r * d);
  const c = blocks.map((cols) => explained(X, m, d, cols, labels, k));
  const ident = Int32Array.from({ length: m }, (_, i) => i);
  const Y = new Float32Array(m * d);
  let best: Metric | null = null;
  let plain = 0;
  for (const e of EXPONENTS) for (const g of DISCRETE) {
    if (e === 0 && g !== 1 && !discrete.some(Boolean)) continue;
    const raw = c.map((x, b) => Math.pow(Math.max(1e-3, Math.min(0.95, x)) / (1 - Math.min(0.95, x)), e) * (discrete[b] ? g : 1));
    const mid = [...raw].sort((a, b) => a - b)[Math.floor(raw.length / 2)] || 1;
    const scale = raw.map((v) => v / mid);
    Y.set(X);
    blocks.forEach((cols, b) => { for (const col of cols) for (let i = 0; i < m; i++) Y[i * d + col] *= scale[b]; });
    const lab = lloydFrom(Y, m, d, centresOf(Y, d, ident, labels, k), k, LLOYD_STEPS);
    const agreement = adjustedRandIndex(labels, lab);
    if (e === 0 && g === 1) plain = agreement;
    if (!best || agreement > best.agreement + (best.exponent === 0 && best.discrete === 1 ? MIN_GAIN : 0)) {
      best = { scale, exponent: e, discrete: g, agreement, plainAgreement: plain };
    }
  }
  return { ...best!, plainAgreement: plain };
}
