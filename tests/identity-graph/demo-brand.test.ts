import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_BRAND,
  DEMO_COHORTS,
  DEMO_PRODUCTS,
  demoCohortMembers,
  generateDemoBrand,
  type DemoOrder,
  type DemoPerson,
} from '@/lib/identity-graph/demo-brand';
import { DEFAULT_GRAPH_SEED, LATENT_GROUPS, generateGraphPerson } from '@/lib/identity-graph/generator';
import { GRAPH_TRAIT_INDEX as IX } from '@/lib/identity-graph/catalog';

const END = new Date('2026-03-31T23:59:59Z');
const OPTS = { seed: 11, people: 12_000, graphSize: 40_000, end: END, years: 3 };
let data: { people: DemoPerson[]; orders: DemoOrder[] };

beforeAll(() => {
  data = generateDemoBrand(OPTS);
});

describe('demo brand', () => {
  it('is named and has ~30 products in ~6 categories', () => {
    expect(DEMO_BRAND.name).toBe('Juniper & Pine');
    expect(DEMO_PRODUCTS.length).toBeGreaterThanOrEqual(25);
    expect(new Set(DEMO_PRODUCTS.map((p) => p.category)).size).toBe(6);
    expect(new Set(DEMO_PRODUCTS.map((p) => p.sku)).size).toBe(DEMO_PRODUCTS.length);
    expect(DEMO_PRODUCTS.every((p) => p.price > 0)).toBe(true);
  });

  it('is deterministic by seed', () => {
    const small = { ...OPTS, people: 1500, graphSize: 5000 };
    const a = generateDemoBrand(small);
    const b = generateDemoBrand(small);
    expect(a).toEqual(b);
    const c = generateDemoBrand({ ...small, seed: 12 });
    expect(c.people.map((p) => p.graphId)).not.toEqual(a.people.map((p) => p.graphId));
  });

  it('draws distinct people from the graph, ~25% leads without orders', () => {
    const { people, orders } = data;
    expect(people.length).toBe(OPTS.people);
    const ids = new Set(people.map((p) => p.graphId));
    expect(ids.size).toBe(people.length);
    expect(people.every((p) => Number.isInteger(p.graphId) && p.graphId >= 0 && p.graphId < OPTS.graphSize)).toBe(true);
    expect(new Set(people.map((p) => p.externalId)).size).toBe(people.length);
    const leads = people.filter((p) => p.isLead);
    expect(leads.length / people.length).toBeGreaterThan(0.2);
    expect(leads.length / people.length).toBeLessThan(0.3);
    const buyers = new Set(orders.map((o) => o.externalPersonId));
    const byExt = new Map(people.map((p) => [p.externalId, p]));
    for (const id of buyers) expect(byExt.get(id)?.isLead).toBe(false);
    for (const p of people) if (!p.isLead) expect(buyers.has(p.externalId)).toBe(true);
  });

  it('has orders referencing existing people, within the window, with catalog products', () => {
    const { people, orders } = data;
    const byExt = new Map(people.map((p) => [p.externalId, p]));
    const customers = people.filter((p) => !p.isLead).length;
    expect(orders.length / customers).toBeGreaterThan(2.5);
    expect(orders.length / customers).toBeLessThan(5.5);
    expect(new Set(orders.map((o) => o.externalOrderId)).size).toBe(orders.length);
    const products = new Map(DEMO_PRODUCTS.map((p) => [p.name, p]));
    const start = END.getTime() - 3 * 365.25 * 86_400_000;
    const bad: string[] = [];
    for (const o of orders) {
      const p = byExt.get(o.externalPersonId);
      const prod = products.get(o.product);
      const t = o.orderedAt.getTime();
      if (!p) bad.push(`${o.externalOrderId}: unknown person`);
      else if (p.createdAt.getTime() > t) bad.push(`${o.externalOrderId}: before sign-up`);
      if (!prod || prod.category !== o.category) bad.push(`${o.externalOrderId}: product`);
      else if (!(o.amount > 0 && o.amount <= prod.price * o.quantity + 1e-9)) bad.push(`${o.externalOrderId}: amount ${o.amount}`);
      if (!(Number.isInteger(o.quantity) && o.quantity >= 1)) bad.push(`${o.externalOrderId}: quantity`);
      if (t < start || t > END.getTime()) bad.push(`${o.externalOrderId}: date ${o.orderedAt.toISOString()}`);
    }
    expect(bad.slice(0, 5)).toEqual([]);
    // a growing brand: more first orders in the last year than in the first
    const first = new Map<string, number>();
    for (const o of orders) if (!first.has(o.externalPersonId)) first.set(o.externalPersonId, o.orderedAt.getTime());
    const yr = 365.25 * 86_400_000;
    const early = [...first.values()].filter((t) => t < start + yr).length;
    const late = [...first.values()].filter((t) => t >= END.getTime() - yr).length;
    expect(late).toBeGreaterThan(early * 1.5);
  });

  it('holds identities the way a brand does: mostly matching the graph, with gaps and noise', () => {
    const { people } = data;
    let exactEmail = 0, withEmail = 0, noisyEmail = 0, lastTypos = 0, noPhone = 0;
    for (const p of people) {
      const id = generateGraphPerson(DEFAULT_GRAPH_SEED, p.graphId).identity;
      if (p.email) {
        withEmail++;
        if (p.email === id.email) exactEmail++;
        else if (p.email.trim().toLowerCase() === id.email) noisyEmail++;
      }
      if (p.lastName && p.lastName.trim().toLowerCase() !== id.lastName.toLowerCase()) lastTypos++;
      if (!p.phone) noPhone++;
    }
    expect(withEmail / people.length).toBeGreaterThan(0.85);
    expect(withEmail / people.length).toBeLessThan(0.98);
    expect((exactEmail + noisyEmail) / withEmail).toBe(1);
    expect(noisyEmail).toBeGreaterThan(0);
    expect(lastTypos / people.length).toBeGreaterThan(0.01);
    expect(lastTypos / people.length).toBeLessThan(0.06);
    expect(noPhone / people.length).toBeGreaterThan(0.2);
  });

  it('spend differs by latent group and follows traits', () => {
    const { people, orders } = data;
    const spend = new Map<string, number>();
    const kidsSpend = new Map<string, number>();
    for (const o of orders) {
      spend.set(o.externalPersonId, (spend.get(o.externalPersonId) ?? 0) + o.amount);
      if (o.category === 'Kids') kidsSpend.set(o.externalPersonId, (kidsSpend.get(o.externalPersonId) ?? 0) + o.amount);
    }
    const sum = LATENT_GROUPS.map(() => 0);
    const n = LATENT_GROUPS.map(() => 0);
    let parents = 0, parentsKids = 0, others = 0, othersKids = 0;
    for (const p of people) {
      if (p.isLead) continue;
      const gp = generateGraphPerson(DEFAULT_GRAPH_SEED, p.graphId);
      sum[gp.group] += spend.get(p.externalId) ?? 0;
      n[gp.group]++;
      const buysKids = kidsSpend.has(p.externalId) ? 1 : 0;
      if (gp.traits[IX.has_children] === 1) { parents++; parentsKids += buysKids; } else { others++; othersKids += buysKids; }
    }
    const avg = (key: string) => {
      const g = LATENT_GROUPS.findIndex((x) => x.key === key);
      return sum[g] / n[g];
    };
    expect(avg('affluent_empty_nesters')).toBeGreaterThan(avg('budget_renters') * 3);
    expect(avg('suburban_families')).toBeGreaterThan(avg('college_starters') * 2);
    expect(parentsKids / parents).toBeGreaterThan((othersKids / others) * 3);
  });

  it('defines the demo cohorts, with ~15% high-value customers', () => {
    expect(DEMO_COHORTS.map((c) => c.key)).toEqual(['customers', 'high_value', 'lapsed', 'leads']);
    for (const c of DEMO_COHORTS) {
      expect(c.name.length).toBeGreaterThan(0);
      expect(c.definition.events.length).toBeGreaterThan(0);
      expect(JSON.parse(JSON.stringify(c.definition))).toEqual(c.definition);
    }
    const size = (key: string) => demoCohortMembers(DEMO_COHORTS.find((c) => c.key === key)!, data, END).size;
    const customers = size('customers');
    expect(customers).toBe(data.people.filter((p) => !p.isLead).length);
    expect(size('leads')).toBe(data.people.length - customers);
    const hv = size('high_value') / customers;
    expect(hv).toBeGreaterThan(0.1);
    expect(hv).toBeLessThan(0.22);
    const lapsed = size('lapsed') / customers;
    expect(lapsed).toBeGreaterThan(0.1);
    expect(lapsed).toBeLessThan(0.5);
  });
});
