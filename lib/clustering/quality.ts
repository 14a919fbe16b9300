/** Adjusted Rand index between two labelings of the same items (1 = identical partitions). */
export function adjustedRandIndex(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (n !== b.length) throw new Error('adjustedRandIndex: labelings differ in length');
  if (n < 2) return 1;
  const ia = new Map<number, number>(), ib = new Map<number, number>();
  const ca = new Int32Array(n), cb = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let x = ia.get(a[i]);
    if (x === undefined) { x = ia.size; ia.set(a[i], x); }
    let y = ib.get(b[i]);
    if (y === undefined) { y = ib.size; ib.set(b[i], y); }
    ca[i] = x; cb[i] = y;
  }
  const ra = ia.size, rb = ib.size;
  const table = new Float64Array(ra * rb), rowS = new Float64Array(ra), colS = new Float64Array(rb);
  for (let i = 0; i < n; i++) { table[ca[i] * rb + cb[i]]++; rowS[ca[i]]++; colS[cb[i]]++; }
  const c2 = (x: number) => (x * (x - 1)) / 2;
  let sumIJ = 0, sumA = 0, sumB = 0;
  for (let q = 0; q < table.length; q++) sumIJ += c2(table[q]);
  for (let q = 0; q < ra; q++) sumA += c2(rowS[q]);
  for (let q = 0; q < rb; q++) sumB += c2(colS[q]);
  const expected = (sumA * sumB) / c2(n);
  const maxIdx = (sumA + sumB) / 2;
  if (maxIdx === expected) return 1; // both trivial partitions
  return (sumIJ - expected) / (maxIdx - expected);
}

/** Condensed pairwise Euclidean distances between the given rows (s*(s-1)/2 floats). */
export function pairwiseDistances(X: Float32Array, d: number, rows: ArrayLike<number>): Float32Array {
  const s = rows.length;
  const out = new Float32Array((s * (s - 1)) / 2);
  let q = 0;
  for (let a = 0; a < s; a++) {
    const ao = rows[a] * d;
    for (let b = a + 1; b < s; b++) {
      const bo = rows[b] * d;
      let s0 = 0, s1 = 0, t = 0;
      for (; t < d - 1; t += 2) {
        const u = X[ao + t] - X[bo + t], v = X[ao + t + 1] - X[bo + t + 1];
        s0 += u * u; s1 += v * v;
      }
      for (; t < d; t++) { const u = X[ao + t] - X[bo + t]; s0 += u * u; }
      out[q++] = Math.sqrt(s0 + s1);
    }
  }
  return out;
}

/**
 * Mean silhouette of a sample given its condensed distance matrix and labels.
 * O(s^2) for a sample of s rows, never N x N over the cohort.
 */
export function silhouetteFromDistances(dist: Float32Array, labels: ArrayLike<number>, k: number): number {
  const s = labels.length;
  if (s < 2 || k < 2) return 0;
  const sums = new Float64Array(s * k);
  const counts = new Float64Array(k);
  for (let a = 0; a < s; a++) counts[labels[a]]++;
  let q = 0;
  for (let a = 0; a < s; a++) {
    const la = labels[a];
    for (let b = a + 1; b < s; b++) {
      const v = dist[q++];
      sums[a * k + labels[b]] += v;
      sums[b * k + la] += v;
    }
  }
  let total = 0;
  for (let a = 0; a < s; a++) {
    const la = labels[a];
    if (counts[la] <= 1) continue; // silhouette of a singleton is 0
    const ai = sums[a * k + la] / (counts[la] - 1);
    let bi = Infinity;
    for (let j = 0; j < k; j++) {
      if (j === la || counts[j] === 0) continue;
      const m = sums[a * k + j] / counts[j];
      if (m < bi) bi = m;
    }
    if (!Number.isFinite(bi)) continue;
    const den = Math.max(ai, bi);
    total += den > 0 ? (bi - ai) / den : 0;
  }
  return total / s;
}

/** Mean silhouette over a uniform sample of rows (labels for all rows of X). */
export function sampledSilhouette(
  X: Float32Array, d: number, labels: ArrayLike<number>, k: number, sampleRows: ArrayLike<number>,
): number {
  const dist = pairwiseDistances(X, d, sampleRows);
  const lab = new Int32Array(sampleRows.length);
  for (let i = 0; i < lab.length; i++) lab[i] = labels[sampleRows[i]];
  return silhouetteFromDistances(dist, lab, k);
}

/** Nearest centre of each given row (small helper for stability checks). */
export function nearestLabels(
  X: Float32Array, d: number, rows: ArrayLike<number>, C: Float64Array, k: number,
): Int32Array {
  const out = new Int32Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const io = rows[r] * d;
    let best = Infinity, b = 0;
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) { const v = X[io + t] - C[j * d + t]; s += v * v; }
      if (s < best) { best = s; b = j; }
    }
    out[r] = b;
  }
  return out;
}
