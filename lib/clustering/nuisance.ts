import type { TraitTable } from './types';
import { encodeTable, fitEncoder, getColumn } from './encoder';
import { partnersOf, quickKMeans, traitColumns } from './contribution';
import { Rng, sampleIndices } from './rng';

/** rows the close partners of a trait are found on */
const PARTNER_SAMPLE = 5_000;

/** a trait with at most this many levels may split every persona in two or three */
const MAX_LEVELS = 3;
/** its levels are "equally frequent in every persona" below this Cramer's V with the other traits' personas */
const INDEPENDENT_V = 0.15;
/** and it "multiplies the personas" when k with it is at least this share of levels x k without it */
const MULTIPLIES = 0.75;

/** a trait this associated (Cramer's V) with the other traits' coarse personas clearly describes them */
const CLEARLY_FOLLOWS_V = 0.3;

/**
 * a split makes each persona built with it nearly one of its levels: Cramer's V against those personas at least this
 * (0.99 on the suite's sex-like splits; a trait the personas merely lean on measures 0.2-0.5)
 */
const SPLIT_PURITY_V = 0.6;

/** a value held by fewer of the known cells than this is not a level (a stray "." among MALE and FEMALE) */
const MIN_LEVEL_SHARE = 0.01;

/** Levels of a discrete trait with two or three of them (boolean, or categorical; stray values aside), else null. */
export function fewLevels(table: TraitTable, key: string): number[] | null {
  const found = getColumn(table, key);
  if (!found || (found.spec.type !== 'boolean' && found.spec.type !== 'categorical')) return null;
  const counts = new Map<number, number>();
  let known = 0;
  for (let i = 0; i < table.n; i++) {
    const v = found.col[i];
    if (!Number.isFinite(v)) continue;
    known++;
    counts.set(v, (counts.get(v) ?? 0) + 1);
    if (counts.size > 64) return null;
  }
  const levels = [...counts.entries()].filter(([, c]) => c >= MIN_LEVEL_SHARE * known).map(([v]) => v);
  return levels.length >= 2 && levels.length <= MAX_LEVELS ? levels.sort((a, b) => a - b) : null;
}

/**
 * The traits that follow `key` closely (an encoded column correlated at least 0.5 with one of its own, as in
 * contribution.ts): the height a sex-like category drives. Measured on a sample of rows.
 */
export function closePartners(table: TraitTable, key: string, keys: string[]): string[] {
  const rows = sampleIndices(table.n, Math.min(table.n, PARTNER_SAMPLE), new Rng(13));
  const idx = keys.map((k) => table.traits.findIndex((t) => t.key === k));
  const small: TraitTable = { n: rows.length, traits: idx.map((j) => table.traits[j]), columns: idx.map((j) => Float64Array.from(rows, (i) => table.columns[j][i])) };
  const enc = fitEncoder(small, keys);
  const { matrix, d } = encodeTable(enc, small);
  const close = partnersOf(matrix, small.n, d, traitColumns(enc));
  return close[keys.indexOf(key)].map((q) => keys[q]);
}

/**
 * Cheap first look before the persona set is built without a trait: the other traits' rows are split into k
 * coarse personas by a small k-means, and a trait clearly associated with them (V at least CLEARLY_FOLLOWS_V)
 * describes their structure, so it cannot be a split across it.
 */
export function clearlyFollows(table: TraitTable, key: string, levels: number[], rest: string[], k: number, seed: number): boolean {
  const enc = fitEncoder(table, rest);
  const { matrix, d } = encodeTable(enc, table);
  const labels = quickKMeans(matrix, table.n, d, k, seed + 3, 2, 30);
  return cramersV(getColumn(table, key)!.col, levels, labels, k) >= CLEARLY_FOLLOWS_V;
}

/**
 * Cheapest look of all, before any probe: could the trait split every persona? Only if each persona built with it
 * (`labels`, k of them) is nearly one of its levels.
 */
export function mayBeSplit(table: TraitTable, key: string, levels: number[], labels: ArrayLike<number>, k: number): boolean {
  return cramersV(getColumn(table, key)!.col, levels, labels, k) >= SPLIT_PURITY_V;
}

/** Correlation ratio (eta, 0..1) of a numeric column on a partition: how much of its spread the personas explain. */
export function correlationRatio(col: ArrayLike<number>, labels: ArrayLike<number>, k: number): number {
  const s = new Float64Array(k), c = new Float64Array(k);
  let all = 0, all2 = 0, n = 0;
  for (let i = 0; i < labels.length; i++) {
    const v = col[i];
    if (!Number.isFinite(v)) continue;
    s[labels[i]] += v; c[labels[i]]++; all += v; all2 += v * v; n++;
  }
  if (n < 2) return 0;
  const mean = all / n, total = all2 - n * mean * mean;
  let between = -n * mean * mean;
  for (let j = 0; j < k; j++) if (c[j]) between += (s[j] * s[j]) / c[j];
  return total > 1e-12 ? Math.sqrt(Math.max(0, Math.min(1, between / total))) : 0;
}

/** Cramer's V between a discrete column and a partition (rows where the column is known). */
export function cramersV(col: ArrayLike<number>, levels: number[], labels: ArrayLike<number>, k: number): number {
  const L = levels.length;
  const idx = new Map(levels.map((v, q) => [v, q] as const));
  const t = new Float64Array(L * k), rs = new Float64Array(L), cs = new Float64Array(k);
  let n = 0;
  for (let i = 0; i < labels.length; i++) {
    const q = idx.get(col[i]);
    if (q === undefined) continue;
    t[q * k + labels[i]]++; rs[q]++; cs[labels[i]]++; n++;
  }
  const nzr = rs.filter((v) => v > 0).length, nzc = cs.filter((v) => v > 0).length;
  if (n < 2 || nzr < 2 || nzc < 2) return 0;
  let chi = 0;
  for (let q = 0; q < L; q++) for (let j = 0; j < k; j++) {
    const e = (rs[q] * cs[j]) / n;
    if (e > 0) chi += ((t[q * k + j] - e) ** 2) / e;
  }
  return Math.sqrt(chi / (n * Math.min(nzr - 1, nzc - 1)));
}

/**
 * A discrete trait that splits every persona the same way: the personas the other traits form hold its levels in
 * the same proportions (Cramer's V below INDEPENDENT_V), yet with it the number of personas is multiplied by about
 * its number of levels. Such a trait (a sex-like category and what it drives) adds a split of its own across the
 * structure the others share, rather than describing that structure: a persona set without it is the answer, and
 * the trait report says why. Returns the reason when the trait is such a split, else null.
 */
/**
 * The most personas the other traits may have for a trait of `levels` levels to multiply `kWith` personas
 * (splitsEveryPersona's first test): a probe need not weigh more candidates than one beyond it.
 */
export function mostPersonasSplit(kWith: number, levels: number): number {
  let k = Math.floor(kWith / (MULTIPLIES * levels));
  while (k > 0 && kWith < MULTIPLIES * levels * k) k--;
  return k;
}

export function splitsEveryPersona(
  table: TraitTable, key: string, levels: number[], kWith: number, kWithout: number, labelsWithout: ArrayLike<number>,
): string | null {
  if (kWith < MULTIPLIES * levels.length * kWithout || kWith <= kWithout) return null;
  const v = cramersV(getColumn(table, key)!.col, levels, labelsWithout, kWithout);
  if (v >= INDEPENDENT_V) return null;
  return `splits every persona the same way: its ${levels.length} levels are about equally frequent in each of the ` +
    `${kWithout} personas of the other traits (Cramer's V ${v.toFixed(2)}), yet with it the personas become ${kWith}; ` +
    'a split of its own across the shared structure, left out';
}

/**
 * A close partner of such a split that the other traits' personas do not explain either (correlation ratio below
 * INDEPENDENT_V): what the split drives (a height that follows sex), left out with it. Returns the reason, else null.
 */
export function drivenBySplit(table: TraitTable, key: string, split: string, kWithout: number, labelsWithout: ArrayLike<number>): string | null {
  const found = getColumn(table, key)!;
  const levels = fewLevels(table, key);
  const r = levels ? cramersV(found.col, levels, labelsWithout, kWithout) : correlationRatio(found.col, labelsWithout, kWithout);
  if (found.spec.type === 'categorical' && !levels) return null;
  if (r >= INDEPENDENT_V) return null;
  return `follows ${split}, which splits every persona the same way, and is unrelated to the ${kWithout} personas of the ` +
    `other traits (${levels ? "Cramer's V" : 'correlation ratio'} ${r.toFixed(2)}): left out with it`;
}
