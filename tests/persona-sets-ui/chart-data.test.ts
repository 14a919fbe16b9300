import { describe, expect, it } from 'vitest';
import { dayTime, flowAt, nearestDayIndex, stackFlow } from '@/components/charts/flow-data';
import { MIN_STATE_MEMBERS, NO_DATA_COLOR, mapColorScale, stateValues } from '@/components/charts/map-scale';
import { describeConfidence, describeSeparation, describeStability, personaColor } from '@/components/personas/quality';
import { dimensionFromCounts, numericBinLabels, type GeoAnalysis } from '@/lib/services/persona-sets';

const flow = {
  days: ['2026-01-01', '2026-01-02', '2026-01-03'],
  personas: [
    { personaId: 'a', counts: [10, 20, 0] },
    { personaId: 'b', counts: [30, 20, 0] },
  ],
};

describe('flow stacking', () => {
  it('stacks counts in persona order', () => {
    const { layers, max } = stackFlow(flow, 'count');
    expect(layers[0]).toEqual({ personaId: 'a', y0: [0, 0, 0], y1: [10, 20, 0] });
    expect(layers[1]).toEqual({ personaId: 'b', y0: [10, 20, 0], y1: [40, 40, 0] });
    expect(max).toBe(40);
  });

  it('stacks shares to 1 per day, and 0 on an empty day', () => {
    const { layers, max } = stackFlow(flow, 'share');
    expect(layers[0].y1).toEqual([0.25, 0.5, 0]);
    expect(layers[1].y1).toEqual([1, 1, 0]);
    expect(max).toBe(1);
  });

  it('finds the nearest day under the pointer', () => {
    const times = flow.days.map(dayTime);
    expect(nearestDayIndex(times, times[0] - 1e9)).toBe(0);
    expect(nearestDayIndex(times, times[1] + 3 * 3600e3)).toBe(1);
    expect(nearestDayIndex(times, times[1] + 13 * 3600e3)).toBe(2);
    expect(nearestDayIndex(times, times[2] + 1e9)).toBe(2);
    expect(nearestDayIndex([], 5)).toBe(-1);
  });

  it('reads every persona at a day', () => {
    expect(flowAt(flow, 0)).toEqual([
      { personaId: 'a', count: 10, share: 0.25 },
      { personaId: 'b', count: 30, share: 0.75 },
    ]);
    expect(flowAt(flow, 2).every((r) => r.share === 0)).toBe(true);
  });
});

describe('map values and colours', () => {
  const geo: GeoAnalysis = {
    states: [
      { state: 'CA', total: 100, counts: { a: 50, b: 50 } },
      { state: 'TX', total: 100, counts: { a: 10, b: 90 } },
      { state: 'WY', total: MIN_STATE_MEMBERS - 1, counts: { a: MIN_STATE_MEMBERS - 1 } },
    ],
  };

  it('gives each state the persona share and its index against the whole set', () => {
    const v = stateValues(geo, 'a');
    const overall = (50 + 10 + (MIN_STATE_MEMBERS - 1)) / (200 + MIN_STATE_MEMBERS - 1);
    expect(v[0]).toEqual({ state: 'CA', total: 100, count: 50, share: 0.5, index: Math.round((0.5 / overall) * 100) });
    expect(v[1].index).toBe(Math.round((0.1 / overall) * 100));
    expect(v[2].index).toBeNull();
  });

  it('shades shares from light to dark and leaves unknowns grey', () => {
    const { color, domain } = mapColorScale('share', [0.1, 0.5, null]);
    expect(domain).toEqual([0, 0.5]);
    expect(color(null)).toBe(NO_DATA_COLOR);
    const lum = (c: string) => c.match(/\d+/g)!.map(Number).reduce((a, b) => a + b, 0);
    expect(lum(color(0.5))).toBeLessThan(lum(color(0.1)));
  });

  it('centres the index scale on 100 and keeps it symmetric', () => {
    const { color, domain } = mapColorScale('index', [25, 100, 130]);
    expect(domain).toEqual([25, 400]);
    expect(color(100).match(/\d+/g)!.map(Number).every((c) => c > 230)).toBe(true); // neutral at 100
    const rgb = (c: string) => c.match(/\d+/g)!.map(Number);
    const [r1, , b1] = rgb(color(300));
    const [r2, , b2] = rgb(color(30));
    expect(b1).toBeGreaterThan(r1); // over-represented: blue
    expect(r2).toBeGreaterThan(b2); // under-represented: red
    expect(color(null)).toBe(NO_DATA_COLOR);
  });
});

describe('dimension helpers', () => {
  it('labels quantile bins, merging integer steps', () => {
    expect(numericBinLabels([1, 2, 3], 'people').map((b) => b.label)).toEqual(['Under 1', '1', '2', '3+']);
    expect(numericBinLabels([25000, 60000], 'USD').map((b) => b.label)).toEqual(['Under $25k', '$25k–$60k', '$60k+']);
  });

  it('computes shares, index and z from counts, dropping empty bins', () => {
    const bins = [{ label: 'a' }, { label: 'empty' }, { label: 'b' }];
    const counts = new Map([
      ['p1', [30, 0, 10]],
      ['p2', [10, 0, 30]],
    ]);
    const moments = new Map([
      ['p1', { n: 40, s: 40 * 1, ss: 40 * 2 }],
      ['p2', { n: 40, s: 40 * 3, ss: 40 * 10 }],
    ]);
    const d = dimensionFromCounts({ key: 'k', label: 'K', type: 'ordinal' }, bins, ['p1', 'p2'], counts, new Map([['p1', 20]]), moments);
    expect(d.bins.map((b) => b.label)).toEqual(['a', 'b']);
    expect(d.cohort).toEqual([0.5, 0.5]);
    expect(d.personas[0].shares).toEqual([0.75, 0.25]);
    expect(d.personas[0].index).toEqual([150, 50]);
    expect(d.coverage).toBeCloseTo(80 / 100);
    expect(d.cohortMean).toBe(2);
    expect(d.personas[0].z).toBeLessThan(0);
    expect(d.personas[1].z).toBeGreaterThan(0);
    expect(d.personas.every((p) => p.salient)).toBe(true);
  });
});

describe('quality in words', () => {
  it('describes separation and stability', () => {
    expect(describeSeparation(0.62)?.title).toBe('Clear, well-separated personas');
    expect(describeSeparation(0.3)?.title).toBe('Distinct personas with some overlap');
    expect(describeSeparation(0.05)?.tone).toBe('weak');
    expect(describeSeparation(undefined)).toBeNull();
    expect(describeStability(0.93)?.detail).toBe('Rebuilding on other samples gives the same personas 93% of the time.');
    expect(describeStability(0.5)?.title).toBe('Unstable');
    expect(describeConfidence(0.8, 'Renters', 0.4)).toBe('80% of members clearly belong here; for 40% of members the next closest persona is Renters.');
  });

  it('cycles the eight persona colours', () => {
    expect(personaColor(0)).toBe('var(--chart-1)');
    expect(personaColor(9)).toBe('var(--chart-2)');
  });
});
