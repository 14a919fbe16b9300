import type { SelectionReportRow, SelectionResult, TraitSpec, TraitTable } from './types';
import { Rng, sampleIndices } from './rng';
import { signedLog1p } from './encoder';
import { traitContributions } from './contribution';

export interface SelectOptions {
  /** the reference population (identity graph): traits where the cohort differs are favoured */
  reference?: TraitTable;
  /** default 32 */
  maxTraits?: number;
  /** below this coverage a trait is not chosen (default 0.5) */
  minCoverage?: number;
  seed?: number;
}

const SAMPLE = 20_000;
const BINS = 8;
/** two traits this related are redundant: only the better one is kept */
const REDUNDANT = 0.9;
/**
 * binned association that makes two traits redundant: near-determinism only, since traits that follow the same
 * well-separated personas are associated strongly too, and each then describes them
 */
const REDUNDANT_V = 0.97;
/** association must be both significant (chi-square z) and not tiny (Cramer's V) */
const MIN_Z = 5;
const MIN_V = 0.05;
/** structured traits whose contribution (contribution.ts) is measured */
const CANDIDATES = 40;
/** traits chosen at most (SelectOptions.maxTraits) */
const MAX_TRAITS = 32;
/**
 * a trait is chosen when the others' personas explain at least this share of its variance, and this share of the best
 * trait's; the relative floor is for a few traits that share the structure, and falls in proportion beyond
 * RELATIVE_UP_TO structured traits
 */
const MIN_CONTRIBUTION = 0.02;
const RELATIVE_CONTRIBUTION = 0.12;
const RELATIVE_UP_TO = 12;

interface TraitInfo {
  key: string;
  spec: TraitSpec;
  coverage: number;
  bins: Int16Array | null; // per sampled row, -1 = missing
  nb: number;
  ranks: Float64Array | null; // numeric/ordinal: ranks of sampled values (NaN = missing)
  excluded: string | null;
  multimodal: number; // valley depth 0..1
  refDiff: number | null;
}

function transform(spec: TraitSpec, v: number) {
  return spec.type === 'numeric' && spec.skewed ? signedLog1p(v) : v;
}

/** Depth (0..1) of the deepest valley between two substantial modes of a smoothed histogram. */
export function valleyDepth(values: Float64Array): number {
  if (values.length < 200) return 0;
  const sorted = values.slice().sort();
  const lo = sorted[Math.floor(sorted.length * 0.01)], hi = sorted[Math.floor(sorted.length * 0.99)];
  if (!(hi > lo)) return 0;
  let distinct = 1;
  for (let i = 1; i < sorted.length && distinct < 10; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  const nb = distinct < 10 ? distinct : 40;
  const h = new Float64Array(nb);
  for (const v of sorted) {
    if (v < lo || v > hi) continue;
    h[Math.min(nb - 1, Math.floor(((v - lo) / (hi - lo)) * nb))]++;
  }
  const sm = new Float64Array(nb);
  const w = nb >= 20 ? [1, 2, 3, 2, 1] : [1];
  const r = (w.length - 1) / 2;
  for (let i = 0; i < nb; i++) {
    let s = 0, ws = 0;
    for (let q = -r; q <= r; q++) if (i + q >= 0 && i + q < nb) { s += h[i + q] * w[q + r]; ws += w[q + r]; }
    sm[i] = s / ws;
  }
  const left = new Float64Array(nb), right = new Float64Array(nb);
  let m = 0;
  for (let i = 0; i < nb; i++) { m = Math.max(m, sm[i]); left[i] = m; }
  m = 0;
  for (let i = nb - 1; i >= 0; i--) { m = Math.max(m, sm[i]); right[i] = m; }
  const top = left[nb - 1];
  let depth = 0;
  for (let i = 1; i < nb - 1; i++) {
    const shoulder = Math.min(left[i], right[i]);
    if (shoulder < 0.15 * top || shoulder < 30) continue;
    depth = Math.max(depth, (shoulder - sm[i]) / shoulder);
  }
  return depth;
}

function binColumn(spec: TraitSpec, col: ArrayLike<number>, rows: Int32Array): { bins: Int16Array; nb: number; known: Float64Array } {
  const bins = new Int16Array(rows.length).fill(-1);
  const known: number[] = [];
  for (const i of rows) if (Number.isFinite(col[i])) known.push(transform(spec, col[i]));
  const kv = Float64Array.from(known);
  if (spec.type === 'boolean') {
    rows.forEach((i, r) => { if (Number.isFinite(col[i])) bins[r] = col[i] ? 1 : 0; });
    return { bins, nb: 2, known: kv };
  }
  if (spec.type === 'categorical') {
    const counts = new Map<number, number>();
    for (const v of kv) counts.set(v, (counts.get(v) ?? 0) + 1);
    const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, BINS - 1).map((e) => e[0]);
    const idx = new Map(top.map((c, q) => [c, q] as const));
    const other = counts.size > top.length ? top.length : -1;
    rows.forEach((i, r) => {
      if (Number.isFinite(col[i])) bins[r] = idx.get(col[i]) ?? other;
    });
    return { bins, nb: top.length + (other >= 0 ? 1 : 0), known: kv };
  }
  const sorted = kv.slice().sort();
  const edges: number[] = [];
  for (let q = 1; q < BINS; q++) {
    const e = sorted[Math.floor((q * sorted.length) / BINS)];
    if (edges.length === 0 || e > edges[edges.length - 1]) edges.push(e);
  }
  rows.forEach((i, r) => {
    if (!Number.isFinite(col[i])) return;
    const v = transform(spec, col[i]);
    let b = 0;
    while (b < edges.length && v >= edges[b]) b++;
    bins[r] = b;
  });
  return { bins, nb: edges.length + 1, known: kv };
}

function ranksOf(spec: TraitSpec, col: ArrayLike<number>, rows: Int32Array): Float64Array {
  const vals = Array.from(rows, (i) => (Number.isFinite(col[i]) ? transform(spec, col[i]) : NaN));
  const order = vals.map((_, r) => r).filter((r) => !Number.isNaN(vals[r])).sort((a, b) => vals[a] - vals[b]);
  const ranks = new Float64Array(rows.length).fill(NaN);
  for (let q = 0; q < order.length; ) {
    let e = q;
    while (e + 1 < order.length && vals[order[e + 1]] === vals[order[q]]) e++;
    for (let z = q; z <= e; z++) ranks[order[z]] = (q + e) / 2;
    q = e + 1;
  }
  return ranks;
}

function spearman(a: Float64Array, b: Float64Array): number {
  let n = 0, sa = 0, sb = 0;
  for (let r = 0; r < a.length; r++) if (!Number.isNaN(a[r]) && !Number.isNaN(b[r])) { n++; sa += a[r]; sb += b[r]; }
  if (n < 3) return 0;
  const ma = sa / n, mb = sb / n;
  let cov = 0, va = 0, vb = 0;
  for (let r = 0; r < a.length; r++) {
    if (Number.isNaN(a[r]) || Number.isNaN(b[r])) continue;
    const x = a[r] - ma, y = b[r] - mb;
    cov += x * y; va += x * x; vb += y * y;
  }
  return va > 0 && vb > 0 ? cov / Math.sqrt(va * vb) : 0;
}

/** Cramer's V and the chi-square z-score of two binned columns (rows where both are known). */
export function association(a: TraitInfo, b: TraitInfo): { v: number; z: number } {
  const ra = a.nb, rb = b.nb;
  const t = new Float64Array(ra * rb), rs = new Float64Array(ra), cs = new Float64Array(rb);
  let n = 0;
  const A = a.bins!, B = b.bins!;
  for (let r = 0; r < A.length; r++) {
    const x = A[r], y = B[r];
    if (x < 0 || y < 0) continue;
    t[x * rb + y]++; rs[x]++; cs[y]++; n++;
  }
  const nzr = rs.filter((v) => v > 0).length, nzc = cs.filter((v) => v > 0).length;
  if (n < 10 || nzr < 2 || nzc < 2) return { v: 0, z: 0 };
  let chi = 0;
  for (let x = 0; x < ra; x++) for (let y = 0; y < rb; y++) {
    const e = (rs[x] * cs[y]) / n;
    if (e > 0) chi += ((t[x * rb + y] - e) ** 2) / e;
  }
  const df = (nzr - 1) * (nzc - 1);
  return { v: Math.sqrt(chi / (n * Math.min(nzr - 1, nzc - 1))), z: (chi - df) / Math.sqrt(2 * df) };
}

function referenceDifference(spec: TraitSpec, cohortKnown: Float64Array, reference: TraitTable | undefined): number | null {
  if (!reference) return null;
  const j = reference.traits.findIndex((t) => t.key === spec.key);
  if (j < 0) return null;
  const col = reference.columns[j];
  const ref: number[] = [];
  const rows = sampleIndices(reference.n, Math.min(reference.n, SAMPLE), new Rng(7));
  for (const i of rows) if (Number.isFinite(col[i])) ref.push(transform(spec, col[i]));
  if (ref.length < 2 || cohortKnown.length < 2) return null;
  if (spec.type === 'categorical' || spec.type === 'boolean') {
    const share = (vals: ArrayLike<number>) => {
      const m = new Map<number, number>();
      for (let i = 0; i < vals.length; i++) m.set(vals[i], (m.get(vals[i]) ?? 0) + 1 / vals.length);
      return m;
    };
    const a = share(cohortKnown), b = share(ref);
    if (spec.type === 'boolean') {
      const pa = a.get(1) ?? 0, pb = b.get(1) ?? 0;
      return Math.abs(pa - pb) / Math.max(0.05, Math.sqrt(pb * (1 - pb)));
    }
    let tvd = 0;
    for (const c of new Set([...a.keys(), ...b.keys()])) tvd += Math.abs((a.get(c) ?? 0) - (b.get(c) ?? 0));
    return tvd; // 0..2, comparable to a standardized difference
  }
  const mean = (v: ArrayLike<number>) => { let s = 0; for (let i = 0; i < v.length; i++) s += v[i]; return s / v.length; };
  const mr = mean(ref);
  let s2 = 0;
  for (const v of ref) s2 += (v - mr) ** 2;
  const sd = Math.sqrt(s2 / ref.length);
  return sd > 0 ? Math.abs(mean(cohortKnown) - mr) / sd : 0;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

/**
 * Default clustering traits: high coverage, informative, not redundant, carrying structure
 * (associated with other traits or multimodal), favouring traits where the cohort differs from
 * the reference. Every trait gets a reason.
 */
export function selectTraits(table: TraitTable, opts: SelectOptions = {}): SelectionResult {
  const maxTraits = opts.maxTraits ?? MAX_TRAITS;
  const minCoverage = opts.minCoverage ?? 0.5;
  const n = table.n;
  const rows = sampleIndices(n, Math.min(n, SAMPLE), new Rng(opts.seed ?? 11));
  const infos: TraitInfo[] = table.traits.map((spec, j) => {
    const col = table.columns[j];
    let known = 0;
    for (let i = 0; i < n; i++) if (Number.isFinite(col[i])) known++;
    const coverage = n > 0 ? known / n : 0;
    const info: TraitInfo = { key: spec.key, spec, coverage, bins: null, nb: 0, ranks: null, excluded: null, multimodal: 0, refDiff: null };
    if (known === 0) { info.excluded = 'missing everywhere'; return info; }
    if (coverage < minCoverage) { info.excluded = `coverage ${pct(coverage)} is below ${pct(minCoverage)}`; return info; }
    const { bins, nb, known: kv } = binColumn(spec, col, rows);
    let lo = Infinity, hi = -Infinity;
    for (const v of kv) { if (v < lo) lo = v; if (v > hi) hi = v; }
    if (!(hi > lo)) { info.excluded = 'constant: every known value is the same'; return info; }
    const counts = new Map<number, number>();
    for (const v of kv) counts.set(v, (counts.get(v) ?? 0) + 1);
    const dominant = Math.max(...counts.values()) / kv.length;
    if (dominant > 0.98) { info.excluded = `nearly constant: ${pct(dominant)} share one value`; return info; }
    info.bins = bins;
    info.nb = nb;
    if (spec.type === 'numeric' || spec.type === 'ordinal') {
      info.ranks = ranksOf(spec, col, rows);
      info.multimodal = valleyDepth(kv);
    }
    info.refDiff = referenceDifference(spec, kv, opts.reference);
    return info;
  });

  const live = infos.filter((t) => !t.excluded);
  const assoc = new Map<string, { v: number; z: number; rho: number }>();
  const pairKey = (a: string, b: string) => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);
  for (let a = 0; a < live.length; a++) {
    for (let b = a + 1; b < live.length; b++) {
      const r = association(live[a], live[b]);
      const rho = live[a].ranks && live[b].ranks ? Math.abs(spearman(live[a].ranks!, live[b].ranks!)) : 0;
      assoc.set(pairKey(live[a].key, live[b].key), { ...r, rho });
    }
  }
  const scored = live.map((t) => {
    const partners = live
      .filter((o) => o !== t)
      .map((o) => ({ key: o.key, ...assoc.get(pairKey(t.key, o.key))! }))
      .filter((p) => p.z >= MIN_Z && p.v >= MIN_V)
      .sort((x, y) => y.v - x.v);
    const top = partners.slice(0, 3);
    const related = top.length ? top.reduce((s, p) => s + p.v, 0) / top.length : 0;
    const multimodal = t.multimodal >= 0.4 ? t.multimodal : 0;
    const structure = Math.max(related, multimodal * 0.6);
    const refBoost = t.refDiff === null ? 0 : Math.min(1, t.refDiff);
    const score = t.coverage * (0.3 + structure) * (1 + refBoost);
    return { t, partners, structure, multimodal, score };
  });

  const report = new Map<string, SelectionReportRow>();
  for (const t of infos) if (t.excluded) report.set(t.key, { key: t.key, chosen: false, reason: t.excluded, score: 0, coverage: t.coverage });

  scored.sort((a, b) => b.score - a.score || a.t.key.localeCompare(b.t.key));
  const structured: typeof scored = [];
  for (const s of scored) {
    const base = { key: s.t.key, score: Number(s.score.toFixed(4)), coverage: s.t.coverage };
    if (s.structure === 0) report.set(s.t.key, { ...base, chosen: false, reason: 'no structure: unimodal and unrelated to every other trait (noise)' });
    else if (structured.length >= CANDIDATES) report.set(s.t.key, { ...base, chosen: false, reason: `outside the top ${CANDIDATES} by association and multimodality` });
    else structured.push(s);
  }
  // what each candidate adds to the structure the others share (leave-one-out, close partners left out with it)
  const contribution = traitContributions(table, rows, structured.map((s) => s.t.key), opts.seed ?? 11);
  const top = Math.max(0, ...contribution);
  // among a few traits, one the personas explain little of adds as much noise to the distance as structure; when many
  // traits each carry a small part of it (dozens of lifestyle interests), together they carry it, and each is kept
  const floor = Math.max(MIN_CONTRIBUTION, RELATIVE_CONTRIBUTION * top * Math.min(1, RELATIVE_UP_TO / structured.length));
  const ranked = structured.map((s, q) => ({ ...s, c: contribution[q], rank: s.t.coverage * contribution[q] * (1 + (s.t.refDiff === null ? 0 : Math.min(1, s.t.refDiff))) }))
    .sort((a, b) => b.rank - a.rank || a.t.key.localeCompare(b.t.key));
  const selected: string[] = [];
  const chosenC = new Map<string, number>();
  for (const s of ranked) {
    const { t } = s;
    const base = { key: t.key, score: Number(s.rank.toFixed(4)), coverage: t.coverage };
    const explainedBy = `the personas of the other traits explain ${pct(s.c)} of its variance`;
    if (structured.length > 1 && s.c < floor) {
      report.set(t.key, { ...base, chosen: false, reason: `adds little to the personas: ${explainedBy} (at least ${pct(floor)} needed); it follows a structure of its own${s.partners.length ? ` (with ${s.partners[0].key})` : ''}` });
      continue;
    }
    const twin = selected.find((k) => {
      const p = assoc.get(pairKey(t.key, k))!;
      return p.rho >= REDUNDANT || (p.v >= REDUNDANT_V && p.z >= MIN_Z);
    });
    if (twin) {
      const p = assoc.get(pairKey(t.key, twin))!;
      report.set(t.key, { ...base, chosen: false, reason: `redundant with ${twin} (${p.rho >= REDUNDANT ? `rank correlation ${p.rho.toFixed(2)}` : `Cramer's V ${p.v.toFixed(2)}`}), which separates the personas better (${pct(chosenC.get(twin)!)} explained against ${pct(s.c)})` });
      continue;
    }
    if (selected.length >= maxTraits) {
      report.set(t.key, { ...base, chosen: false, reason: `outside the top ${maxTraits} by contribution` });
      continue;
    }
    selected.push(t.key);
    chosenC.set(t.key, s.c);
    const why: string[] = [`coverage ${pct(t.coverage)}`, explainedBy];
    if (s.partners.length) why.push(`related to ${s.partners.slice(0, 2).map((p) => `${p.key} (V ${p.v.toFixed(2)})`).join(', ')}`);
    if (s.multimodal) why.push(`multimodal (valley depth ${s.multimodal.toFixed(2)})`);
    if (t.refDiff !== null) why.push(`differs from the reference by ${t.refDiff.toFixed(2)} sd`);
    report.set(t.key, { ...base, chosen: true, reason: why.join('; ') });
  }
  return { selected, report: table.traits.map((t) => report.get(t.key)!) };
}
