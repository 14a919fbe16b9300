// The one dimension analysis: how one trait's values spread over a set's personas against the whole cohort.
// Builds (every stored trait) and the set's page ("Add trait", on demand) both come here, so they bin, label
// and mark salient personas alike. Pure: values in, analysis out.
import { ticks } from 'd3';
import type { DimensionAnalysis } from '@/db/json';
import type { TraitSpec } from '@/lib/clustering';

export interface Bin {
  label: string;
  lo?: number;
  hi?: number;
}

type TraitHead = Pick<TraitSpec, 'key' | 'label' | 'type' | 'unit'>;
type Moments = { n: number; s: number; ss: number };

function compactNumber(v: number, unit?: string): string {
  const abs = Math.abs(v);
  const s =
    abs >= 1e6 ? `${+(v / 1e6).toFixed(1)}M` : abs >= 1e4 ? `${Math.round(v / 1e3)}k` : abs >= 1e3 ? `${+(v / 1e3).toFixed(1)}k` : `${+v.toFixed(abs < 10 ? 1 : 0)}`;
  return unit === 'USD' ? `$${s}` : s;
}

/** Labels for the buckets cut at `edges`: 0 = below edges[0], i = [edges[i-1], edges[i]), last = at or above. */
export function numericBinLabels(edges: number[], unit?: string): Bin[] {
  if (!edges.length) return [{ label: 'All' }];
  const ints = edges.every((e) => Number.isInteger(e));
  const out: Bin[] = [{ label: `Under ${compactNumber(edges[0], unit)}`, hi: edges[0] }];
  for (let i = 1; i < edges.length; i++) {
    const lo = edges[i - 1];
    const hi = edges[i];
    const label = ints && hi === lo + 1 ? compactNumber(lo, unit) : `${compactNumber(lo, unit)}–${compactNumber(hi, unit)}`;
    out.push({ label, lo, hi });
  }
  out.push({ label: `${compactNumber(edges[edges.length - 1], unit)}+`, lo: edges[edges.length - 1] });
  return out;
}

/** Round cut points inside the bulk of the values (1st to 99th percentile of a sample), so bins read as ranges. */
export function numericEdges(values: ArrayLike<number>): number[] {
  const known: number[] = [];
  const step = Math.max(1, Math.floor(values.length / 20_000));
  for (let i = 0; i < values.length; i += step) if (!Number.isNaN(values[i])) known.push(values[i]);
  if (!known.length) return [];
  known.sort((x, y) => x - y);
  const lo = known[Math.floor(known.length * 0.01)];
  const hi = known[Math.floor(known.length * 0.99)];
  return hi > lo ? ticks(lo, hi, 7).filter((e) => e > lo && e < hi) : [];
}

/** The bins of a trait and the bin of each engine value (-1: outside every bin). */
export function binsOf(spec: Pick<TraitSpec, 'type' | 'unit' | 'categories'>, values: ArrayLike<number>): { bins: Bin[]; binOf: (v: number) => number } {
  if (spec.type === 'boolean') return { bins: [{ label: 'No' }, { label: 'Yes' }], binOf: (v) => (v >= 0.5 ? 1 : 0) };
  if (spec.type === 'categorical' || spec.type === 'ordinal') {
    const cats = spec.categories ?? [];
    return { bins: cats.map((label) => ({ label })), binOf: (v) => (Number.isInteger(v) && v >= 0 && v < cats.length ? v : -1) };
  }
  const edges = numericEdges(values);
  return {
    bins: numericBinLabels(edges, spec.unit),
    binOf: (v) => {
      let b = 0;
      while (b < edges.length && v >= edges[b]) b++;
      return b;
    },
  };
}

/** Turns per persona × bin counts into a DimensionAnalysis (bins nobody is in are dropped). */
export function dimensionFromCounts(
  t: TraitHead,
  bins: Bin[],
  personaIds: string[],
  counts: Map<string, number[]>,
  missing: Map<string, number>,
  moments: Map<string, Moments>,
): DimensionAnalysis {
  const cohortCounts = bins.map((_, b) => personaIds.reduce((acc, pid) => acc + (counts.get(pid)?.[b] ?? 0), 0));
  const keep = bins.map((_, b) => cohortCounts[b] > 0 || bins.length <= 2);
  const kept = bins.filter((_, b) => keep[b]);
  const pick = (arr: number[]) => arr.filter((_, b) => keep[b]);
  const cohortKnown = cohortCounts.reduce((a, b) => a + b, 0);
  const cohortMissing = personaIds.reduce((acc, pid) => acc + (missing.get(pid) ?? 0), 0);
  const cohortShares = pick(cohortCounts).map((c) => (cohortKnown ? c / cohortKnown : 0));
  const all = { n: 0, s: 0, ss: 0 };
  for (const m of moments.values()) {
    all.n += m.n;
    all.s += m.s;
    all.ss += m.ss;
  }
  const hasMean = t.type !== 'categorical' && all.n > 0;
  const cohortMean = hasMean ? all.s / all.n : undefined;
  const sd = hasMean ? Math.sqrt(Math.max(0, all.ss / all.n - (all.s / all.n) ** 2)) : 0;
  return {
    key: t.key,
    label: t.label,
    type: t.type,
    unit: t.unit,
    clustering: false,
    coverage: cohortKnown + cohortMissing ? cohortKnown / (cohortKnown + cohortMissing) : 0,
    bins: kept,
    cohort: cohortShares,
    cohortMean,
    personas: personaIds.map((pid) => {
      const c = pick(counts.get(pid) ?? bins.map(() => 0));
      const known = c.reduce((a, b) => a + b, 0);
      const shares = c.map((x) => (known ? x / known : 0));
      const index = shares.map((s, b) => (cohortShares[b] > 0 ? Math.round((s / cohortShares[b]) * 100) : 0));
      const m = moments.get(pid);
      const mean = hasMean && m && m.n ? m.s / m.n : undefined;
      const z = mean !== undefined && cohortMean !== undefined && sd > 0 ? (mean - cohortMean) / sd : undefined;
      // salient: half a standard deviation off the cohort, or a common bin at 1.5× (or half) its cohort share
      const salient =
        z !== undefined ? Math.abs(z) >= 0.5 : shares.some((s, b) => s >= 0.1 && cohortShares[b] > 0 && (s / cohortShares[b] >= 1.5 || s / cohortShares[b] <= 0.5));
      return { personaId: pid, shares, index, mean, z, salient };
    }),
  };
}

/**
 * The analysis of one trait column: `values` are the engine's numbers (NaN = missing), `labels` each row's
 * persona index into `personaIds` (-1 = none).
 */
export function dimensionOf(
  spec: TraitSpec,
  values: ArrayLike<number>,
  labels: Int32Array,
  personaIds: string[],
  clustering: boolean,
): DimensionAnalysis {
  const { bins, binOf } = binsOf(spec, values);
  const counts = personaIds.map(() => new Array<number>(bins.length).fill(0));
  const missing = personaIds.map(() => 0);
  const moments = personaIds.map(() => ({ n: 0, s: 0, ss: 0 }));
  for (let i = 0; i < values.length; i++) {
    const p = labels[i];
    if (p < 0 || p >= personaIds.length) continue;
    const v = values[i];
    if (Number.isNaN(v)) {
      missing[p]++;
      continue;
    }
    const b = binOf(v);
    if (b < 0 || b >= bins.length) continue;
    counts[p][b]++;
    moments[p].n++;
    moments[p].s += v;
    moments[p].ss += v * v;
  }
  const byId = <T>(arr: T[]) => new Map(personaIds.map((id, p) => [id, arr[p]]));
  const d = dimensionFromCounts(spec, bins, personaIds, byId(counts), byId(missing), byId(moments));
  return { ...d, clustering };
}
