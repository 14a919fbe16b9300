// Pure data helpers of the Flow chart: stacking per day, nearest day under the pointer, tooltip rows.
import type { FlowAnalysis } from '@/lib/services/persona-sets';

export type FlowMode = 'count' | 'share';

export interface FlowLayer {
  personaId: string;
  /** lower and upper edge of the layer per day */
  y0: number[];
  y1: number[];
}

/** Stacks persona membership per day in persona order; in share mode each day sums to 1 (or 0 when empty). */
export function stackFlow(flow: FlowAnalysis, mode: FlowMode): { layers: FlowLayer[]; max: number } {
  const n = flow.days.length;
  const totals = new Array<number>(n).fill(0);
  for (const p of flow.personas) for (let i = 0; i < n; i++) totals[i] += p.counts[i] ?? 0;
  const base = new Array<number>(n).fill(0);
  const layers = flow.personas.map((p) => {
    const y0 = base.slice();
    for (let i = 0; i < n; i++) {
      const v = p.counts[i] ?? 0;
      base[i] += mode === 'share' ? (totals[i] ? v / totals[i] : 0) : v;
    }
    return { personaId: p.personaId, y0, y1: base.slice() };
  });
  const max = mode === 'share' ? 1 : Math.max(0, ...totals);
  return { layers, max };
}

/** Index of the day nearest to time t (ms), for sorted day times. */
export function nearestDayIndex(times: number[], t: number): number {
  if (!times.length) return -1;
  let lo = 0;
  let hi = times.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(times[lo - 1] - t) <= Math.abs(times[lo] - t)) return lo - 1;
  return lo;
}

/** Every persona's membership on day i: count and share of that day's members. */
export function flowAt(flow: FlowAnalysis, i: number): { personaId: string; count: number; share: number }[] {
  const total = flow.personas.reduce((s, p) => s + (p.counts[i] ?? 0), 0);
  return flow.personas.map((p) => ({
    personaId: p.personaId,
    count: p.counts[i] ?? 0,
    share: total ? (p.counts[i] ?? 0) / total : 0,
  }));
}

/** ISO day (YYYY-MM-DD) to UTC milliseconds. */
export function dayTime(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}
