// Pure helpers of the Explore map: per-state values of one persona and the colour scale.
import { interpolateBlues, interpolateRdBu, scaleSequential } from 'd3';
import type { GeoAnalysis } from '@/lib/services/persona-sets';

export type MapMetric = 'share' | 'index';

export interface StateValue {
  state: string;
  total: number;
  count: number;
  /** persona members / all set members in the state */
  share: number;
  /** share in the state / persona share overall × 100; null when too few people to say */
  index: number | null;
}

/** Fewer set members than this in a state and its index is not shown. */
export const MIN_STATE_MEMBERS = 10;

export function stateValues(geo: GeoAnalysis, personaId: string): StateValue[] {
  const all = geo.states.reduce((s, st) => s + st.total, 0);
  const mine = geo.states.reduce((s, st) => s + (st.counts[personaId] ?? 0), 0);
  const overall = all ? mine / all : 0;
  return geo.states.map((st) => {
    const count = st.counts[personaId] ?? 0;
    const share = st.total ? count / st.total : 0;
    const index = st.total >= MIN_STATE_MEMBERS && overall > 0 ? Math.round((share / overall) * 100) : null;
    return { state: st.state, total: st.total, count, share, index };
  });
}

export const NO_DATA_COLOR = '#e5e7eb';

/**
 * Colour of a state's value. Share: light to dark blue from 0 to the highest share. Index: diverging around 100
 * on a log scale (red under-represented, blue over-represented), symmetric, from ×2 to ×4 either way.
 */
export function mapColorScale(metric: MapMetric, values: (number | null)[]): { color: (v: number | null) => string; domain: [number, number] } {
  const known = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (metric === 'share') {
    const hi = Math.max(0.05, ...known);
    const s = scaleSequential(interpolateBlues).domain([0, hi]);
    return { color: (v) => (v === null ? NO_DATA_COLOR : s(Math.min(hi, Math.max(0, v)))), domain: [0, hi] };
  }
  const limit = Math.min(2, Math.max(1, ...known.filter((v) => v > 0).map((v) => Math.abs(Math.log2(v / 100)))));
  const color = (v: number | null) => {
    if (v === null) return NO_DATA_COLOR;
    const l = v <= 0 ? -limit : Math.max(-limit, Math.min(limit, Math.log2(v / 100)));
    return interpolateRdBu(0.5 + l / (2 * limit));
  };
  return { color, domain: [Math.round(100 / 2 ** limit), Math.round(100 * 2 ** limit)] };
}
