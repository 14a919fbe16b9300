import { describe, expect, it } from 'vitest';
import {
  ANALYSIS_TRAIT_KEYS,
  GRAPH_TRAITS,
  GRAPH_TRAIT_INDEX,
  STATES,
  getTrait,
} from '@/lib/identity-graph/catalog';

const CATEGORIES = ['demographics', 'finances', 'property', 'lifestyle', 'purchase', 'geography'];
const TYPES = ['numeric', 'ordinal', 'categorical', 'boolean'];

describe('identity graph trait catalog', () => {
  it('has at least 40 well-formed traits with unique snake_case keys', () => {
    expect(GRAPH_TRAITS.length).toBeGreaterThanOrEqual(40);
    const keys = new Set<string>();
    for (const t of GRAPH_TRAITS) {
      expect(t.key).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(keys.has(t.key)).toBe(false);
      keys.add(t.key);
      expect(t.label.length).toBeGreaterThan(0);
      expect(t.description.length).toBeGreaterThan(0);
      expect(CATEGORIES).toContain(t.category);
      expect(TYPES).toContain(t.type);
      if (t.type === 'categorical' || t.type === 'ordinal') {
        expect(t.categories?.length ?? 0).toBeGreaterThanOrEqual(2);
        expect(new Set(t.categories).size).toBe(t.categories!.length);
      } else {
        expect(t.categories).toBeUndefined();
      }
      if (t.min !== undefined && t.max !== undefined) expect(t.min).toBeLessThan(t.max);
      if (t.badge) expect(t.type).toBe('boolean');
      if (t.skewed) expect(t.type).toBe('numeric');
    }
  });

  it('covers every category and the required traits', () => {
    for (const c of CATEGORIES) expect(GRAPH_TRAITS.some((t) => t.category === c)).toBe(true);
    const required = [
      'age', 'gender', 'education', 'marital_status', 'household_size', 'has_children', 'income', 'net_worth',
      'credit_band', 'homeowner', 'home_value', 'length_of_residence', 'living_area_sqft', 'year_built', 'dwelling_type',
      'dog_owner', 'cat_owner', 'outdoors', 'fitness', 'travel', 'gardening', 'cooking', 'tech_early_adopter', 'books',
      'music', 'charitable_donor', 'health_conscious', 'crafts', 'sports_fan', 'wine', 'gaming', 'online_buyer',
      'purchase_count_quintile', 'spend_quintile', 'shopper_type', 'state', 'latitude', 'longitude', 'urbanicity',
    ];
    for (const k of required) expect(getTrait(k), k).toBeDefined();
  });

  it('indexes traits by key in catalog order', () => {
    GRAPH_TRAITS.forEach((t, i) => expect(GRAPH_TRAIT_INDEX[t.key]).toBe(i));
    expect(getTrait('income')?.key).toBe('income');
    expect(getTrait('nope')).toBeUndefined();
    // the first positions are persisted: they must never move
    expect(GRAPH_TRAITS.slice(0, 3).map((t) => t.key)).toEqual(['age', 'gender', 'education']);
  });

  it('gives roles, badges and naming words', () => {
    const roles = GRAPH_TRAITS.filter((t) => t.role).map((t) => t.role);
    expect(new Set(roles).size).toBe(roles.length);
    for (const r of ['age', 'gender', 'children', 'householdSize', 'income', 'married', 'homeowner', 'urbanicity'])
      expect(roles).toContain(r);
    const badges = GRAPH_TRAITS.filter((t) => t.badge).map((t) => t.badge);
    for (const b of ['dog', 'cat', 'outdoors', 'fitness', 'travel', 'gardening', 'cooking', 'tech', 'books', 'music', 'charity', 'health'])
      expect(badges).toContain(b);
    expect(getTrait('income')?.words?.high?.adj).toBe('Affluent');
    expect(getTrait('income')?.words?.low?.adj).toBe('Budget-minded');
    expect(getTrait('homeowner')?.words?.false?.noun).toBe('Renters');
    expect(getTrait('has_children')?.words?.true).toEqual({ noun: 'Parents', adj: 'Family' });
    expect(getTrait('age')?.words?.high?.noun).toBe('Retirees');
    expect(getTrait('urbanicity')?.words?.values?.urban?.noun).toBe('City Dwellers');
    for (const t of GRAPH_TRAITS) {
      if (t.words?.values) for (const v of Object.keys(t.words.values)) expect(t.categories).toContain(v);
    }
    expect(getTrait('income')?.skewed).toBe(true);
  });

  it('analysis defaults are catalog traits', () => {
    expect(ANALYSIS_TRAIT_KEYS.length).toBeGreaterThanOrEqual(8);
    for (const k of ANALYSIS_TRAIT_KEYS) expect(getTrait(k), k).toBeDefined();
  });

  it('lists the 50 states and DC with FIPS codes, weights and cities inside the state', () => {
    expect(STATES.length).toBe(51);
    expect(new Set(STATES.map((s) => s.code)).size).toBe(51);
    expect(new Set(STATES.map((s) => s.fips)).size).toBe(51);
    expect(STATES.find((s) => s.code === 'CA')?.fips).toBe('06');
    expect(STATES.find((s) => s.code === 'DC')).toBeDefined();
    expect(getTrait('state')?.categories).toEqual(STATES.map((s) => s.code));
    const ca = STATES.find((s) => s.code === 'CA')!;
    for (const s of STATES) {
      expect(s.code).toMatch(/^[A-Z]{2}$/);
      expect(s.fips).toMatch(/^\d{2}$/);
      expect(s.weight).toBeGreaterThan(0);
      expect(s.weight).toBeLessThanOrEqual(ca.weight);
      expect(s.cities.length).toBeGreaterThanOrEqual(2);
      expect(s.cities.length).toBeLessThanOrEqual(6);
      const [lat0, lat1, lon0, lon1] = s.bbox;
      for (const c of s.cities) {
        expect(c.postcodePrefix).toMatch(/^\d{3}$/);
        expect(c.weight).toBeGreaterThan(0);
        expect(c.lat, `${c.name}, ${s.code}`).toBeGreaterThanOrEqual(lat0);
        expect(c.lat, `${c.name}, ${s.code}`).toBeLessThanOrEqual(lat1);
        expect(c.lon, `${c.name}, ${s.code}`).toBeGreaterThanOrEqual(lon0);
        expect(c.lon, `${c.name}, ${s.code}`).toBeLessThanOrEqual(lon1);
      }
    }
  });
});
