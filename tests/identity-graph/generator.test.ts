import { beforeAll, describe, expect, it } from 'vitest';
import { GRAPH_TRAITS, GRAPH_TRAIT_INDEX as IX, STATES } from '@/lib/identity-graph/catalog';
import {
  LATENT_GROUPS,
  TRAIT_COUNT,
  generateGraph,
  generateGraphBatch,
  generateGraphPerson,
  type GraphBatch,
} from '@/lib/identity-graph/generator';
import { FEMALE_NAMES, MALE_NAMES } from '@/lib/identity-graph/names';

const N = 200_000;
let big: GraphBatch;

function col(b: GraphBatch, key: string): Float64Array {
  const j = IX[key];
  const out = new Float64Array(b.count);
  for (let i = 0; i < b.count; i++) out[i] = b.traits[i * TRAIT_COUNT + j];
  return out;
}
function known(a: Float64Array): number[] {
  return Array.from(a).filter((v) => !Number.isNaN(v));
}
function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}
function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
}
/** Pearson correlation over rows where both are known (optionally log of x / y). */
function corr(b: GraphBatch, kx: string, ky: string, logX = false, logY = false): number {
  const x = col(b, kx);
  const y = col(b, ky);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < b.count; i++) {
    if (Number.isNaN(x[i]) || Number.isNaN(y[i])) continue;
    xs.push(logX ? Math.log(Math.max(1, x[i])) : x[i]);
    ys.push(logY ? Math.log(Math.max(1, y[i])) : y[i]);
  }
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}
function sameFloats(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

beforeAll(() => {
  big = generateGraphBatch({ seed: 42, start: 0, count: N, identities: false });
});

describe('synthetic identity graph: determinism and random access', () => {
  it('same seed gives an identical batch, another seed a different one', () => {
    const a = generateGraphBatch({ seed: 7, start: 0, count: 2000 });
    const b = generateGraphBatch({ seed: 7, start: 0, count: 2000 });
    const c = generateGraphBatch({ seed: 8, start: 0, count: 2000 });
    expect(sameFloats(a.traits, b.traits)).toBe(true);
    expect(a.identities).toEqual(b.identities);
    expect(Array.from(a.group)).toEqual(Array.from(b.group));
    expect(sameFloats(a.traits, c.traits)).toBe(false);
  });

  it('any slice equals the slice of a bigger batch', () => {
    const whole = generateGraphBatch({ seed: 3, start: 0, count: 1000 });
    const part = generateGraphBatch({ seed: 3, start: 500, count: 10 });
    expect(part.start).toBe(500);
    expect(part.count).toBe(10);
    expect(sameFloats(part.traits, whole.traits.subarray(500 * TRAIT_COUNT, 510 * TRAIT_COUNT))).toBe(true);
    expect(part.identities).toEqual(whole.identities.slice(500, 510));
    expect(Array.from(part.group)).toEqual(Array.from(whole.group.subarray(500, 510)));
    const one = generateGraphPerson(3, 777);
    expect(sameFloats(one.traits, whole.traits.subarray(777 * TRAIT_COUNT, 778 * TRAIT_COUNT))).toBe(true);
    expect(one.identity).toEqual(whole.identities[777]);
    expect(one.group).toBe(whole.group[777]);
  });

  it('traits do not depend on whether identities are generated', () => {
    const a = generateGraphBatch({ seed: 42, start: 100, count: 300 });
    expect(sameFloats(a.traits, big.traits.subarray(100 * TRAIT_COUNT, 400 * TRAIT_COUNT))).toBe(true);
  });

  it('generateGraph yields consecutive batches covering the count', () => {
    const batches = [...generateGraph({ seed: 3, count: 1000, batchSize: 300 })];
    expect(batches.map((b) => [b.start, b.count])).toEqual([[0, 300], [300, 300], [600, 300], [900, 100]]);
    const whole = generateGraphBatch({ seed: 3, start: 0, count: 1000 });
    expect(sameFloats(batches[3].traits, whole.traits.subarray(900 * TRAIT_COUNT))).toBe(true);
    expect(batches[1].identities[0]).toEqual(whole.identities[300]);
  });
});

describe('synthetic identity graph: values', () => {
  it('codes and values are in range, missingness is limited', () => {
    expect(big.traits.length).toBe(N * TRAIT_COUNT);
    GRAPH_TRAITS.forEach((t, j) => {
      let missing = 0;
      for (let i = 0; i < N; i++) {
        const v = big.traits[i * TRAIT_COUNT + j];
        if (Number.isNaN(v)) { missing++; continue; }
        if (t.type === 'boolean') {
          if (v !== 0 && v !== 1) throw new Error(`${t.key} boolean ${v}`);
        } else if (t.type === 'categorical' || t.type === 'ordinal') {
          if (!(Number.isInteger(v) && v >= 0 && v < t.categories!.length)) throw new Error(`${t.key} code ${v}`);
        } else if ((t.min !== undefined && v < t.min) || (t.max !== undefined && v > t.max)) {
          throw new Error(`${t.key} value ${v} out of [${t.min}, ${t.max}]`);
        }
      }
      const share = missing / N;
      if (['state', 'latitude', 'longitude', 'urbanicity', 'age', 'homeowner'].includes(t.key)) expect(share, t.key).toBe(0);
      else if (t.key === 'home_value') expect(share).toBeLessThan(0.45); // renters have none
      else expect(share, t.key).toBeLessThan(0.1);
    });
    // some traits do have gaps
    expect(known(col(big, 'income')).length).toBeLessThan(N);
  });

  it('has US-like marginals', () => {
    const own = mean(col(big, 'homeowner'));
    expect(own).toBeGreaterThan(0.6);
    expect(own).toBeLessThan(0.7);
    const inc = known(col(big, 'income'));
    expect(median(inc)).toBeGreaterThan(60_000);
    expect(median(inc)).toBeLessThan(90_000);
    expect(mean(inc)).toBeGreaterThan(median(inc) * 1.15); // right-skewed
    const age = known(col(big, 'age'));
    expect(age.reduce((a, b) => Math.min(a, b))).toBeGreaterThanOrEqual(18);
    expect(age.reduce((a, b) => Math.max(a, b))).toBeLessThanOrEqual(95);
    expect(age.every((v) => Number.isInteger(v))).toBe(true);
    expect(median(age)).toBeGreaterThan(38);
    expect(median(age)).toBeLessThan(52);
    const edu = known(col(big, 'education'));
    const bachelorPlus = edu.filter((v) => v >= 3).length / edu.length;
    expect(bachelorPlus).toBeGreaterThan(0.25);
    expect(bachelorPlus).toBeLessThan(0.45);
    const hh = known(col(big, 'household_size'));
    expect(mean(hh)).toBeGreaterThan(2);
    expect(mean(hh)).toBeLessThan(3);
    const urb = col(big, 'urbanicity');
    for (let k = 0; k < 3; k++) expect(Array.from(urb).filter((v) => v === k).length / N).toBeGreaterThan(0.1);
    for (const k of ['purchase_count_quintile', 'spend_quintile']) {
      const q = known(col(big, k));
      for (let l = 0; l < 5; l++) {
        const share = q.filter((v) => v === l).length / q.length;
        expect(share, `${k} ${l}`).toBeGreaterThan(0.15);
        expect(share, `${k} ${l}`).toBeLessThan(0.25);
      }
    }
  });

  it('places people in every state, by population', () => {
    const counts = new Array(STATES.length).fill(0);
    const st = col(big, 'state');
    for (let i = 0; i < N; i++) counts[st[i]]++;
    expect(counts.every((c) => c > 0)).toBe(true);
    const ca = STATES.findIndex((s) => s.code === 'CA');
    expect(counts.indexOf(Math.max(...counts))).toBe(ca);
    const tx = STATES.findIndex((s) => s.code === 'TX');
    const wy = STATES.findIndex((s) => s.code === 'WY');
    expect(counts[ca] / N).toBeGreaterThan(0.1);
    expect(counts[tx]).toBeGreaterThan(counts[wy] * 20);
  });

  it('puts coordinates inside the state', () => {
    // independent rough boxes for a few states
    const boxes: Record<string, [number, number, number, number]> = {
      CA: [32.4, 42.1, -124.5, -114.0], TX: [25.8, 36.6, -106.7, -93.5], NY: [40.4, 45.1, -79.8, -71.8],
      FL: [24.4, 31.1, -87.7, -80.0], CO: [36.9, 41.1, -109.1, -102.0], DC: [38.78, 39.0, -77.13, -76.9],
      WA: [45.5, 49.1, -124.9, -116.9], MA: [41.2, 42.9, -73.6, -69.9],
    };
    const st = col(big, 'state');
    const lat = col(big, 'latitude');
    const lon = col(big, 'longitude');
    for (let i = 0; i < N; i++) {
      const s = STATES[st[i]];
      const [a, b, c, d] = s.bbox;
      if (!(lat[i] >= a && lat[i] <= b && lon[i] >= c && lon[i] <= d)) throw new Error(`${s.code}: ${lat[i]}, ${lon[i]}`);
      const box = boxes[s.code];
      if (box && !(lat[i] >= box[0] && lat[i] <= box[1] && lon[i] >= box[2] && lon[i] <= box[3]))
        throw new Error(`${s.code} (rough box): ${lat[i]}, ${lon[i]}`);
    }
  });

  it('has correlations with the right sign and strength', () => {
    expect(corr(big, 'education', 'income', false, true)).toBeGreaterThan(0.15);
    expect(corr(big, 'income', 'home_value', true, true)).toBeGreaterThan(0.25);
    expect(corr(big, 'age', 'length_of_residence')).toBeGreaterThan(0.25);
    expect(corr(big, 'income', 'net_worth', true, true)).toBeGreaterThan(0.2);
    expect(corr(big, 'age', 'net_worth', false, false)).toBeGreaterThan(0.05);
    expect(corr(big, 'income', 'homeowner', true, false)).toBeGreaterThan(0.15);
    expect(corr(big, 'age', 'gaming')).toBeLessThan(-0.15);
    expect(corr(big, 'age', 'tech_early_adopter')).toBeLessThan(-0.1);
    expect(corr(big, 'income', 'shopper_type', true, false)).toBeGreaterThan(0.3);
    // children: mostly married and of parenting age
    const kids = col(big, 'has_children');
    const age = col(big, 'age');
    const mar = col(big, 'marital_status');
    let k = 0, kMarried = 0, kOld = 0;
    for (let i = 0; i < N; i++) if (kids[i] === 1) { k++; if (mar[i] === 1) kMarried++; if (age[i] > 70) kOld++; }
    expect(kMarried / k).toBeGreaterThan(0.6);
    expect(kOld / k).toBeLessThan(0.02);
    // home values follow state price levels
    const st = col(big, 'state');
    const hv = col(big, 'home_value');
    const med = (code: string) => {
      const si = STATES.findIndex((s) => s.code === code);
      return median(Array.from(hv).filter((v, i) => st[i] === si && !Number.isNaN(v)));
    };
    expect(med('CA')).toBeGreaterThan(med('OH') * 1.8);
  });

  it('latent groups are real and shift many traits', () => {
    expect(LATENT_GROUPS.length).toBeGreaterThanOrEqual(6);
    expect(LATENT_GROUPS.length).toBeLessThanOrEqual(8);
    expect(Math.abs(LATENT_GROUPS.reduce((s, g) => s + g.weight, 0) - 1)).toBeLessThan(1e-9);
    const counts = new Array(LATENT_GROUPS.length).fill(0);
    for (let i = 0; i < N; i++) counts[big.group[i]]++;
    LATENT_GROUPS.forEach((g, k) => expect(Math.abs(counts[k] / N - g.weight)).toBeLessThan(0.01));
    // standardized spread of group means, per trait
    const keys = ['age', 'income', 'homeowner', 'has_children', 'outdoors', 'gaming', 'travel', 'urbanicity', 'online_buyer', 'gardening'];
    let separating = 0;
    for (const key of keys) {
      const v = col(big, key);
      const all = known(v);
      const m = mean(all);
      const sd = Math.sqrt(mean(all.map((x) => (x - m) ** 2)));
      const gm = LATENT_GROUPS.map((_, g) => mean(Array.from(v).filter((x, i) => big.group[i] === g && !Number.isNaN(x))));
      const spread = (Math.max(...gm) - Math.min(...gm)) / sd;
      if (spread > 0.8) separating++;
    }
    expect(separating).toBeGreaterThanOrEqual(7);
    const g = (key: string) => LATENT_GROUPS.findIndex((x) => x.key === key);
    const groupMean = (key: string, gi: number) => {
      const v = col(big, key);
      return mean(Array.from(v).filter((x, i) => big.group[i] === gi && !Number.isNaN(x)));
    };
    expect(groupMean('outdoors', g('rural_outdoors'))).toBeGreaterThan(groupMean('outdoors', g('young_urban_professionals')) + 0.25);
    expect(groupMean('has_children', g('suburban_families'))).toBeGreaterThan(0.7);
    expect(groupMean('age', g('retirees'))).toBeGreaterThan(65);
    expect(groupMean('homeowner', g('budget_renters'))).toBeLessThan(0.25);
  });
});

describe('synthetic identity graph: identities', () => {
  it('generates plausible fake identities consistent with the traits', () => {
    const b = generateGraphBatch({ seed: 5, start: 10_000, count: 5000 });
    expect(b.identities.length).toBe(5000);
    const emails = new Set<string>();
    const domains = new Set<string>();
    b.identities.forEach((id, k) => {
      expect(id.graphId).toBe(10_000 + k);
      expect(id.email).toMatch(/^[a-z_.]+\d+@[a-z.-]+$/);
      expect(id.email.includes('example')).toBe(true);
      emails.add(id.email);
      domains.add(id.email.split('@')[1]);
      const s = STATES[b.traits[k * TRAIT_COUNT + IX.state]];
      expect(id.state).toBe(s.code);
      const city = s.cities.find((c) => c.name === id.city);
      expect(city).toBeDefined();
      expect(id.postcode).toMatch(/^\d{5}$/);
      expect(id.postcode.startsWith(city!.postcodePrefix)).toBe(true);
      expect(id.phone).toMatch(/^\d{3}-555-\d{4}$/);
      expect(id.street).toMatch(/^\d+ [A-Za-z ]+$/);
      expect(id.firstName.length).toBeGreaterThan(1);
      expect(id.lastName.length).toBeGreaterThan(1);
    });
    expect(emails.size).toBe(5000);
    expect(domains.size).toBeGreaterThanOrEqual(3);
    // first names follow gender
    const female = new Set(FEMALE_NAMES);
    const male = new Set(MALE_NAMES);
    let checked = 0;
    b.identities.forEach((id, k) => {
      const g = b.traits[k * TRAIT_COUNT + IX.gender];
      if (g === 0) { checked++; expect(female.has(id.firstName)).toBe(true); }
      else if (g === 1) expect(male.has(id.firstName)).toBe(true);
    });
    expect(checked).toBeGreaterThan(2000);
  });
});
