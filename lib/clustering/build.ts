import type { Encoder, KCandidate, PersonaModel, PersonaSetResult, Quality, SelectionResult, TraitTable } from './types';
import { Rng, sampleIndices } from './rng';
import { allocMatrix, createExecutor, type Executor } from './exec';
import { kmeans } from './kmeans';
import { assignWith } from './assign';
import { adjustedRandIndex, nearestLabels, pairwiseDistances, silhouetteFromDistances } from './quality';
import { encodeTable, fitEncoder, getColumn, reweightEncoder } from './encoder';
import { selectTraits } from './select';
import { chooseK } from './choose-k';
import { blocksOf } from './mixture';
import { traitColumns } from './contribution';
import { learnMetric } from './metric';
import { describePersonas } from './describe';
import { clearlyFollows, closePartners, drivenBySplit, fewLevels, mayBeSplit, mostPersonasSplit, splitsEveryPersona } from './nuisance';

export interface ClusterOptions {
  k?: number;
  kRange?: [number, number];
  seed?: number;
  /** rows the final fit uses (uniform sample); every row is assigned afterwards (default 200k) */
  sampleSize?: number;
  restarts?: number;
  threads?: number;
  /** smallest persona share a candidate k must keep (default 0.03) */
  minShare?: number;
  /** how the matrix was encoded: lets the choice of k model each trait by its type (else every column is continuous) */
  encoder?: Encoder;
  /**
   * With an encoder: re-encodes the cohort with each trait's weight multiplied by scale[t] and returns the new
   * matrix, so that the nearest-centre distance is tuned to the mixture model's personas (metric.ts); it may encode
   * over the matrix it was given, which is not read after the call
   */
  rescale?: (scale: number[]) => Float32Array;
  onProgress?: (fraction: number, stage: string) => void;
  executor?: Executor;
}

export interface BuildOptions extends ClusterOptions {
  traits?: string[];
  reference?: TraitTable;
  maxTraits?: number;
  /** tune trait weights to the mixture model's personas (default true); false: every trait counts as one standardized trait */
  learnWeights?: boolean;
  /**
   * leave out a two- or three-level trait that splits every persona of the other traits the same way (nuisance.ts);
   * default: when Facet chooses the traits (no `traits` given). Only with an automatic k.
   */
  leaveOutSplits?: boolean;
}

/** rows used to choose k, silhouette sample, bootstrap fits per candidate, bootstrap size */
const SELECT_SAMPLE = 12_000;
const SIL_SAMPLE = 2_000;
const BOOTSTRAPS = 3;
const BOOT_SIZE = 10_000;
/** rows a trait that may split every persona is judged on (nuisance.ts) */
const PROBE_ROWS = 3_000;
/** Lloyd steps of the final fit when it starts from the mixture model's personas */
const MODEL_STEPS = 1;

export interface ClusterMatrixResult {
  k: number;
  /** per encoder trait: the weight multiplier the distance was tuned with (rescale was called), else undefined */
  traitScale?: number[];
  /** the matrix the personas were fitted and assigned on (the rescaled one when rescale was called) */
  matrix: Float32Array;
  centroids: Float64Array;
  kCandidates: KCandidate[];
  kReason: string;
  inertia: number;
  quality: Quality;
  labels: Int32Array;
  distances: Float32Array;
  runnerUp: Int32Array;
  margins: Float32Array;
  warnings: string[];
  timings: Record<string, number>;
}

function copyRows(X: Float32Array, d: number, rows: ArrayLike<number>): Float32Array {
  const out = allocMatrix(rows.length, d);
  for (let r = 0; r < rows.length; r++) out.set(X.subarray(rows[r] * d, rows[r] * d + d), r * d);
  return out;
}

/** Number of distinct rows, counted up to `cap` (exact hashing of the float bits). */
function distinctRows(X: Float32Array, n: number, d: number, cap: number): number {
  const seen = new Set<string>();
  const bytes = new Uint8Array(X.buffer, X.byteOffset, n * d * 4);
  for (let i = 0; i < n && seen.size < cap; i++) seen.add(Buffer.from(bytes.subarray(i * d * 4, (i + 1) * d * 4)).toString('latin1'));
  return seen.size;
}

export function defaultKRange(n: number): [number, number] {
  void n;
  return [2, 10];
}

/**
 * Clusters an encoded matrix: chooses k on a sample by the BIC of a mixed-type mixture model (choose-k.ts), tunes
 * the distance to the model's personas (metric.ts), takes one Lloyd step from them on a uniform sample (k-means with
 * restarts when k is given without an encoder), then assigns every row.
 */
export async function clusterMatrix(input: Float32Array, n: number, d: number, opts: ClusterOptions = {}): Promise<ClusterMatrixResult> {
  if (n < 1) throw new Error('the cohort has no rows');
  let matrix = input;
  const progress = opts.onProgress ?? (() => {});
  const timings: Record<string, number> = {};
  const warnings: string[] = [];
  const rng = new Rng(opts.seed ?? 42);
  const minShare = opts.minShare ?? 0.03;
  const ownEx = !opts.executor;
  const ex = opts.executor ?? createExecutor(opts.threads, Math.min(n, opts.sampleSize ?? 200_000));
  let t = performance.now();
  const lap = (name: string) => { const now = performance.now(); timings[name] = (now - t) / 1000; t = now; };
  try {
    const sampleSize = Math.max(1, Math.floor(opts.sampleSize ?? 200_000));
    const fitRows = n > sampleSize ? sampleIndices(n, sampleSize, new Rng(rng.fork())) : null;
    let F = fitRows ? copyRows(matrix, d, fitRows) : matrix;
    const nf = fitRows ? fitRows.length : n;
    let [kLo, kHi] = opts.kRange ?? defaultKRange(n);
    const distinct = distinctRows(F, nf, d, Math.max(kHi, opts.k ?? 0) + 1);
    const kCandidates: KCandidate[] = [];
    let k: number;
    let kReason: string;
    // centres of the partition the mixture model judged best (the final fit starts there), and its labels
    let startCentres: Float64Array | null = null;
    let judged: { S: Float32Array; rows: Int32Array; labels: Int32Array } | null = null;
    const selectionSample = () => {
      const selRows = nf > SELECT_SAMPLE ? sampleIndices(nf, SELECT_SAMPLE, new Rng(rng.fork())) : null;
      return { S: selRows ? copyRows(F, d, selRows) : F, ns: selRows ? selRows.length : nf };
    };
    if (opts.k !== undefined) {
      if (!Number.isInteger(opts.k) || opts.k < 1) throw new Error(`k must be a positive integer, got ${opts.k}`);
      k = Math.min(opts.k, distinct);
      kReason = 'caller-chosen';
      if (k < opts.k) {
        kReason = `caller asked for ${opts.k} but the cohort has only ${distinct} distinct row(s)`;
        warnings.push(`k reduced from ${opts.k} to ${k}: only ${distinct} distinct row(s)`);
      }
    } else if (distinct <= kLo) {
      k = distinct;
      kReason = `only ${distinct} distinct row(s), fewer than the smallest candidate ${kLo}`;
      warnings.push(`fewer personas than ${kLo}: only ${distinct} distinct row(s)`);
    } else {
      kHi = Math.min(kHi, distinct, Math.max(kLo, Math.floor(1 / minShare)));
      // choose k on a selection sample
      const { S, ns } = selectionSample();
      const chosen = await chooseK(S, ns, d, {
        kLo, kHi, minShare, blocks: blocksOf(d, opts.encoder), executor: ex, rng,
        onProgress: (f, stage) => progress(0.05 + 0.55 * f, stage),
      });
      k = chosen.k;
      startCentres = chosen.centres;
      judged = { S, rows: chosen.modelRows, labels: chosen.labels };
      kReason = chosen.reason;
      kCandidates.push(...chosen.candidates);
      lap('chooseK');
    }
    if (!judged && opts.encoder && opts.rescale && k >= 2 && nf >= 20 * k) {
      // a caller-chosen k: the mixture model's partition at that k, to start from and tune the distance to
      const { S, ns } = selectionSample();
      const one = await chooseK(S, ns, d, { kLo: k, kHi: k, minShare, blocks: blocksOf(d, opts.encoder), executor: ex, rng });
      startCentres = one.centres;
      judged = { S, rows: one.modelRows, labels: one.labels };
    }
    let traitScale: number[] | undefined;
    if (judged && opts.encoder && opts.rescale) {
      const enc = opts.encoder;
      const metric = learnMetric(judged.S, d, judged.rows, judged.labels, k, traitColumns(enc), enc.traits.map((t) => t.type !== 'numeric'));
      if (metric.scale.some((v) => Math.abs(v - 1) > 1e-9)) {
        traitScale = metric.scale;
        matrix = opts.rescale(metric.scale);
        F = fitRows ? copyRows(matrix, d, fitRows) : matrix;
        const cols = traitColumns(enc);
        if (startCentres) for (let j = 0; j < k; j++) cols.forEach((cs, b) => { for (const c of cs) startCentres![j * d + c] *= metric.scale[b]; });
      }
      lap('metric');
    }
    progress(0.65, 'final fit');
    // from the model's personas, one Lloyd step (their means on the fit sample): run to convergence, Lloyd drifts
    // towards equally wide round personas and can dissolve a small or a wide one the model found
    const fit = await kmeans(F, nf, d, k, { seed: rng.fork(), restarts: opts.restarts ?? 4, executor: ex, ...(startCentres ? { init: startCentres, maxIter: MODEL_STEPS } : {}) });
    // drop centres left empty (duplicated rows); keeps every centre finite
    let C = fit.centroids;
    const keep = fit.sizes.map((s, j) => (s > 0 ? j : -1)).filter((j) => j >= 0);
    if (keep.length < k) {
      warnings.push(`${k - keep.length} persona(s) ended empty and were dropped`);
      C = Float64Array.from(keep.flatMap((j) => Array.from(fit.centroids.subarray(j * d, j * d + d))));
      k = keep.length;
    }
    lap('fit');
    progress(0.8, 'assigning every row');
    const ex2 = ex.threads > 1 || n < 50_000 ? ex : createExecutor(opts.threads, n);
    const asg = await assignWith(ex2, C, k, d, matrix, n);
    if (ex2 !== ex) await ex2.close();
    // order personas by size, largest first
    const sizes = new Array<number>(k).fill(0);
    for (let i = 0; i < n; i++) sizes[asg.labels[i]]++;
    const order = sizes.map((_, j) => j).sort((a, b) => sizes[b] - sizes[a] || a - b);
    const rank = new Int32Array(k);
    order.forEach((j, r) => (rank[j] = r));
    const Cs = new Float64Array(k * d);
    order.forEach((j, r) => Cs.set(C.subarray(j * d, j * d + d), r * d));
    let inertia = 0;
    const cohSum = new Float64Array(k), cohN = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      const l = rank[asg.labels[i]];
      asg.labels[i] = l;
      if (asg.runnerUp[i] >= 0) asg.runnerUp[i] = rank[asg.runnerUp[i]];
      const dd = asg.distances[i];
      inertia += dd * dd;
      cohSum[l] += dd; cohN[l]++;
    }
    lap('assign');
    progress(0.9, 'quality');
    const qRows = sampleIndices(n, Math.min(n, SIL_SAMPLE), new Rng(rng.fork()));
    const qLab = new Int32Array(qRows.length);
    qRows.forEach((r, q) => (qLab[q] = asg.labels[r]));
    const silhouette = k > 1 ? silhouetteFromDistances(pairwiseDistances(matrix, d, qRows), qLab, k) : 0;
    let stability = NaN;
    {
      if (k <= 1) stability = 1;
      else {
        const evalRows = sampleIndices(nf, Math.min(nf, 5_000), new Rng(rng.fork()));
        const ref = nearestLabels(F, d, evalRows, Cs, k);
        let s = 0;
        const br = new Rng(rng.fork());
        for (let b = 0; b < BOOTSTRAPS; b++) {
          const m = Math.min(nf, BOOT_SIZE);
          const rows = new Int32Array(m);
          for (let q = 0; q < m; q++) rows[q] = br.int(nf);
          const B = copyRows(F, d, rows);
          const kb = Math.min(k, distinctRows(B, m, d, k + 1));
          const bf = await kmeans(B, m, d, kb, { seed: br.fork(), restarts: 1, executor: ex });
          s += adjustedRandIndex(ref, nearestLabels(F, d, evalRows, bf.centroids, kb));
        }
        stability = s / BOOTSTRAPS;
      }
    }
    const cohesion = Array.from(cohSum, (s, j) => (cohN[j] ? s / cohN[j] : 0));
    lap('quality');
    return {
      k, centroids: Cs, kCandidates, kReason, inertia, traitScale, matrix,
      quality: { silhouette, stability, cohesion },
      labels: asg.labels, distances: asg.distances, runnerUp: asg.runnerUp, margins: asg.margins, warnings, timings,
    };
  } finally {
    if (ownEx) await ex.close();
  }
}

/** The given rows of a table. */
function rowsOf(table: TraitTable, rows: Int32Array): TraitTable {
  return { n: rows.length, traits: table.traits, columns: table.columns.map((c) => Float64Array.from(rows, (i) => c[i])) };
}

/** Validates the table, drops unusable caller-chosen traits and replaces non-finite values. */
function sanitize(table: TraitTable, keys: string[], warnings: string[]): string[] {
  const usable: string[] = [];
  for (const key of keys) {
    const found = getColumn(table, key);
    if (!found) throw new Error(`unknown trait "${key}"`);
    const col = found.col;
    let known = 0, inf = 0, lo = Infinity, hi = -Infinity;
    for (let i = 0; i < table.n; i++) {
      const v = col[i];
      if (Number.isFinite(v)) { known++; if (v < lo) lo = v; if (v > hi) hi = v; }
      else if (v === Infinity || v === -Infinity) inf++;
    }
    if (inf) warnings.push(`${key}: ${inf} infinite value(s) treated as missing`);
    if (known === 0) { warnings.push(`${key} dropped: missing everywhere`); continue; }
    if (!(hi > lo) && table.n > 1) { warnings.push(`${key} dropped: constant`); continue; }
    usable.push(key);
  }
  return usable;
}

/** Selects traits (unless given), encodes, clusters, and describes the personas. */
export async function buildPersonaSet(table: TraitTable, opts: BuildOptions = {}): Promise<PersonaSetResult> {
  const t0 = performance.now();
  if (!table || !Number.isInteger(table.n) || table.n < 0) throw new Error('invalid trait table');
  if (table.columns.length !== table.traits.length) throw new Error('trait table: one column per trait is required');
  if (table.columns.some((c) => c.length < table.n)) throw new Error('trait table: a column is shorter than n');
  if (table.n === 0) throw new Error('the cohort has no rows');
  const progress = opts.onProgress ?? (() => {});
  const warnings: string[] = [];
  progress(0, 'selecting traits');
  let selection: SelectionResult | 'caller-chosen';
  let keys: string[];
  if (opts.traits && opts.traits.length) {
    selection = 'caller-chosen';
    keys = sanitize(table, [...new Set(opts.traits)], warnings);
  } else {
    selection = selectTraits(table, { reference: opts.reference, maxTraits: opts.maxTraits, seed: opts.seed });
    keys = selection.selected;
    if (!keys.length) {
      // nothing carries structure: fall back to every usable trait rather than failing
      keys = sanitize(table, table.traits.map((t) => t.key), []).filter((k) => (selection as SelectionResult).report.find((r) => r.key === k)?.reason.startsWith('no structure'));
      if (keys.length) warnings.push('no trait shows structure; clustering on the usable traits anyway');
    }
  }
  if (!keys.length) throw new Error('no usable traits: every trait is missing, constant or unknown');
  const fit = async (ks: string[], from: number, to: number, on: TraitTable = table, kRange?: [number, number]) => {
    const fitted = fitEncoder(on, ks);
    let enc: Encoder = fitted;
    const { matrix, d } = encodeTable(enc, on);
    const cm = await clusterMatrix(matrix, on.n, d, {
      ...opts,
      ...(kRange ? { kRange } : {}),
      encoder: enc,
      ...(opts.learnWeights === false ? {} : {
        rescale: (scale: number[]) => {
          // each trait's weight tuned so that nearest-centre assignment reproduces the mixture model's personas
          // (the same encoder with other weights, encoded over the matrix it replaces: nothing else reads that one)
          enc = reweightEncoder(fitted, Object.fromEntries(ks.map((key, t) => [key, scale[t]])));
          return encodeTable(enc, on, matrix).matrix;
        },
      }),
      onProgress: (f, s) => progress(from + f * (to - from), s),
    });
    return { cm, encoder: enc, d };
  };
  const tEnc = (performance.now() - t0) / 1000;
  let { cm, encoder, d } = await fit(keys, 0.05, 0.9);
  const fitTimings = cm.timings;
  const tProbe = performance.now();
  const leftOut: { key: string; reason: string }[] = [];
  let probe: TraitTable | null = null;
  if ((opts.leaveOutSplits ?? selection !== 'caller-chosen') && opts.k === undefined && keys.length > 2) {
    // a discrete trait that only splits every persona of the other traits in two or three is left out (nuisance.ts)
    for (const key of keys) {
      const levels = fewLevels(table, key);
      if (!levels || cm.k < 2 * levels.length - 1) continue;
      if (!mayBeSplit(table, key, levels, cm.labels, cm.k)) continue;
      // the personas of the other traits, without the trait and what it drives
      const partners = closePartners(table, key, keys);
      const rest = keys.filter((k) => k !== key && !partners.includes(k));
      if (rest.length < 2) continue;
      // judged on a sample of rows (the whole cohort when small); the set without it is then fitted on every row
      if (!probe) probe = table.n > PROBE_ROWS ? rowsOf(table, sampleIndices(table.n, PROBE_ROWS, new Rng((opts.seed ?? 0) + 5))) : table;
      // cheap first look: a trait clearly related to the other traits' coarse personas describes them, no probe
      if (clearlyFollows(probe, key, levels, rest, Math.max(2, Math.round(cm.k / levels.length)), opts.seed ?? 0)) continue;
      // more personas without it than `most` cannot make it a split: candidates beyond the first such are not weighed
      const [kLo, kHi] = opts.kRange ?? defaultKRange(probe.n);
      const most = mostPersonasSplit(cm.k, levels.length);
      if (most < kLo) continue;
      const test = await fit(rest, 0.9, 0.91, probe, [kLo, Math.min(kHi, most + 1)]);
      const why = splitsEveryPersona(probe, key, levels, cm.k, test.cm.k, test.cm.labels);
      if (!why) continue;
      leftOut.push({ key, reason: why });
      const kept: string[] = [];
      for (const partner of partners) {
        const driven = drivenBySplit(probe, partner, key, test.cm.k, test.cm.labels);
        if (driven) leftOut.push({ key: partner, reason: driven });
        else kept.push(partner);
      }
      keys = keys.filter((k) => !leftOut.some((l) => l.key === k));
      // a partner the other traits' personas explain carries their structure too: it stays, and the set is refitted
      const without = probe === table && !kept.length ? test : await fit(keys, 0.91, 0.92);
      if (selection !== 'caller-chosen') {
        for (const l of leftOut) {
          const row = selection.report.find((r) => r.key === l.key)!;
          row.chosen = false;
          row.reason = l.reason;
        }
        selection.selected = keys;
      }
      const also = leftOut.slice(1).map((l) => l.key);
      without.cm.kReason += `; ${key}${also.length ? ` (with ${also.join(', ')}, which follow it)` : ''} left out: it ${why.split(':')[0]} (${cm.k} personas with it)`;
      ({ cm, encoder, d } = without);
      break;
    }
  }
  const probeS = (performance.now() - tProbe) / 1000;
  const tDescribe = performance.now();
  progress(0.92, 'describing personas');
  const personas = describePersonas(table, encoder, cm.labels, cm.k, { seed: opts.seed });
  personas.forEach((p, j) => (p.cohesion = cm.quality.cohesion[j]));
  const typical = personas.map(() => [] as number[]);
  const step = Math.max(1, Math.floor(table.n / 100_000));
  for (let i = 0; i < table.n; i += step) typical[cm.labels[i]].push(cm.distances[i]);
  const md = encoder.d;
  const sums = Array.from({ length: cm.k }, () => new Float64Array(md));
  const sizes = new Array<number>(cm.k).fill(0);
  for (let i = 0; i < table.n; i++) {
    const s = sums[cm.labels[i]];
    sizes[cm.labels[i]]++;
    for (let c = 0, o = i * md; c < md; c++) s[c] += cm.matrix[o + c];
  }
  const model: PersonaModel = {
    version: 1, encoder, k: cm.k,
    centroids: Array.from({ length: cm.k }, (_, j) => Array.from(cm.centroids.subarray(j * md, j * md + md))),
    means: sums.map((s, j) => Array.from(s, (v) => (sizes[j] ? v / sizes[j] : 0))),
    names: personas.map((p) => p.name),
    shortNames: personas.map((p) => p.shortName),
    typicalDistance: typical.map((v) => (v.length ? v.sort((a, b) => a - b)[Math.floor(v.length / 2)] : 0)),
  };
  const describeS = (performance.now() - tDescribe) / 1000;
  progress(1, 'done');
  return {
    model, k: cm.k, traits: keys, selection, kCandidates: cm.kCandidates, kReason: cm.kReason, inertia: cm.inertia,
    quality: cm.quality, labels: cm.labels, distances: cm.distances, runnerUp: cm.runnerUp, margins: cm.margins,
    personas, leftOut, warnings: [...warnings, ...cm.warnings], timings: {
      // the first fit's stages; a refit without a split trait is inside "split probe"
      encode: tEnc, ...fitTimings, 'split probe': probeS, describe: describeS, total: (performance.now() - t0) / 1000,
    },
  };
}
