import 'server-only';
import { geoAlbersUsa, geoPath } from 'd3';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import statesTopology from 'us-atlas/states-10m.json';
import { STATES } from '@/lib/identity-graph/catalog';

export interface StateShape {
  code: string;
  name: string;
  d: string;
}

export const MAP_WIDTH = 960;
export const MAP_HEIGHT = 600;

let cached: StateShape[] | null = null;

/** SVG paths of the US states (Albers USA), computed once per server process. */
export function usStateShapes(): StateShape[] {
  if (cached) return cached;
  const topo = statesTopology as unknown as Topology<{ states: GeometryCollection<{ name: string }> }>;
  const fc = feature(topo, topo.objects.states);
  const projection = geoAlbersUsa().fitSize([MAP_WIDTH, MAP_HEIGHT], fc);
  const path = geoPath(projection);
  const byFips = new Map(STATES.map((s) => [s.fips, s]));
  cached = fc.features.flatMap((f) => {
    const st = byFips.get(String(f.id).padStart(2, '0'));
    const d = path(f);
    return st && d ? [{ code: st.code, name: st.name, d }] : [];
  });
  return cached;
}
