// Facet's demo brand, "Juniper & Pine": a fictional home, outdoor and lifestyle goods retailer.
// Its customers and leads are drawn from the synthetic identity graph; identity columns are held
// the way a brand holds them (typos, gaps, case), and orders depend on each person's group and traits.
import { GRAPH_TRAIT_INDEX as IX } from './catalog';
import { DEFAULT_GRAPH_SEED, LATENT_GROUPS, generateGraphPerson, type GraphIdentity } from './generator';
import { STREET_SUFFIXES, STREET_SUFFIX_LONG } from './names';

export const DEMO_BRAND = {
  name: 'Juniper & Pine',
  description: 'Home, outdoor and lifestyle goods: camping gear, kitchen, garden, kids, pets and apparel.',
};

export interface DemoPerson {
  externalId: string;
  graphId: number;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  street: string | null;
  city: string | null;
  state: string | null;
  postcode: string | null;
  phone: string | null;
  isLead: boolean;
  createdAt: Date;
}

export interface DemoOrder {
  externalOrderId: string;
  externalPersonId: string;
  orderedAt: Date;
  amount: number;
  product: string;
  category: string;
  quantity: number;
}

export interface DemoProduct {
  sku: string;
  name: string;
  category: string;
  price: number;
}

export const DEMO_CATEGORIES = ['Camping & Outdoor', 'Home & Kitchen', 'Garden', 'Kids', 'Pet', 'Apparel'] as const;

type P = [string, string, number];
const catalog: [string, P[]][] = [
  ['Camping & Outdoor', [['OUT-101', 'Explorer Headlamp', 29], ['OUT-102', 'Trailhead Daypack', 59],
    ['OUT-103', 'Campfire Cookware Set', 89], ['OUT-104', 'Summit 2-Person Tent', 249], ['OUT-105', 'Ridgeline Down Sleeping Bag', 329]]],
  ['Home & Kitchen', [['HOM-201', 'Stoneware Mug Set', 34], ['HOM-202', 'Cast Iron Skillet', 64],
    ['HOM-203', 'Walnut Cutting Board', 79], ['HOM-204', 'Linen Throw Blanket', 119], ['HOM-205', 'Copper Pour-Over Kettle', 149]]],
  ['Garden', [['GAR-301', 'Heirloom Seed Collection', 24], ['GAR-302', 'Bypass Pruning Shears', 39],
    ['GAR-303', 'Herb Planter Trio', 49], ['GAR-304', 'Cedar Raised Bed', 189], ['GAR-305', 'Teak Garden Bench', 449]]],
  ['Kids', [['KID-401', "Kids' Camp Chair", 29], ['KID-402', "Kids' Rain Boots", 35],
    ['KID-403', 'Little Explorer Backpack', 39], ['KID-404', 'Nature Discovery Kit', 45], ['KID-405', 'Wooden Play Kitchen', 169]]],
  ['Pet', [['PET-501', 'Collapsible Pet Bowl', 15], ['PET-502', 'Organic Pet Treats', 19],
    ['PET-503', 'Trail Dog Harness', 45], ['PET-504', 'Cat Tower Cabin', 99], ['PET-505', 'Orthopedic Dog Bed', 129]]],
  ['Apparel', [['APP-601', 'Merino Wool Socks', 24], ['APP-602', 'Juniper Beanie', 29],
    ['APP-603', 'Flannel Shirt', 69], ['APP-604', 'Trail Runner Shoes', 139], ['APP-605', 'Waterproof Shell Jacket', 219]]],
];

/** ~30 products in 6 categories, cheapest first within each category. */
export const DEMO_PRODUCTS: DemoProduct[] = catalog.flatMap(([category, items]) =>
  items.map(([sku, name, price]) => ({ sku, name, category, price })),
);

/**
 * Demo cohorts as plain data. Shape: `{ key, name, description, definition }` where `definition` is a
 * cohort definition `{ events: EventCondition[], traits: TraitCondition[] }`:
 * - `{ kind: 'order_count', min?, max? }`: number of orders (all time)
 * - `{ kind: 'total_spend', min?, max? }`: total order amount in USD (all time)
 * - `{ kind: 'last_order', olderThanDays }`: the last order is more than N days before the evaluation day
 * All conditions must hold.
 */
export interface DemoCohortDef {
  key: string;
  name: string;
  description: string;
  definition: {
    events: (
      | { kind: 'order_count'; min?: number; max?: number }
      | { kind: 'total_spend'; min?: number; max?: number }
      | { kind: 'last_order'; olderThanDays: number }
    )[];
    traits: { key: string; min?: number; max?: number; values?: (string | number | boolean)[] }[];
  };
}

/** total spend of the top ~15% of the demo's customers (seed 7, 50k people) */
export const HIGH_VALUE_THRESHOLD = 1100;

export const DEMO_COHORTS: DemoCohortDef[] = [
  {
    key: 'customers', name: 'Customers', description: 'Everyone with at least one order.',
    definition: { events: [{ kind: 'order_count', min: 1 }], traits: [] },
  },
  {
    key: 'high_value', name: 'High-value customers',
    description: `Customers who have spent at least $${HIGH_VALUE_THRESHOLD.toLocaleString('en-US')} in total.`,
    definition: { events: [{ kind: 'total_spend', min: HIGH_VALUE_THRESHOLD }], traits: [] },
  },
  {
    key: 'lapsed', name: 'Lapsed customers', description: 'Customers with no order in the last 365 days.',
    definition: { events: [{ kind: 'order_count', min: 1 }, { kind: 'last_order', olderThanDays: 365 }], traits: [] },
  },
  {
    key: 'leads', name: 'Leads', description: 'People who signed up but have never ordered.',
    definition: { events: [{ kind: 'order_count', max: 0 }], traits: [] },
  },
];

/** Members of a demo cohort (by externalId) evaluated on the generated data as of `asOf`. */
export function demoCohortMembers(
  def: DemoCohortDef,
  data: { people: DemoPerson[]; orders: DemoOrder[] },
  asOf: Date,
): Set<string> {
  const stats = new Map<string, { n: number; spend: number; last: number }>();
  for (const o of data.orders) {
    const s = stats.get(o.externalPersonId) ?? { n: 0, spend: 0, last: -Infinity };
    s.n++;
    s.spend += o.amount;
    s.last = Math.max(s.last, o.orderedAt.getTime());
    stats.set(o.externalPersonId, s);
  }
  const out = new Set<string>();
  for (const p of data.people) {
    const s = stats.get(p.externalId) ?? { n: 0, spend: 0, last: -Infinity };
    const ok = def.definition.events.every((c) => {
      if (c.kind === 'order_count') return (c.min === undefined || s.n >= c.min) && (c.max === undefined || s.n <= c.max);
      if (c.kind === 'total_spend') return (c.min === undefined || s.spend >= c.min) && (c.max === undefined || s.spend <= c.max);
      return s.n > 0 && asOf.getTime() - s.last > c.olderThanDays * DAY;
    });
    if (ok) out.add(p.externalId);
  }
  return out;
}

// ---------------------------------------------------------------- generation
const DAY = 86_400_000;
const YEAR = 365.25 * DAY;

function makeRng(seed: number) {
  let s = (seed ^ 0x5bd1e995) >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) | 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    chance: (p: number) => next() < p,
    /** exponential with the given mean */
    exp: (mean: number) => -mean * Math.log(1 - next()),
  };
}
type Rng = ReturnType<typeof makeRng>;

/** how strongly each latent group is drawn to the brand, repeat-order rate and loyalty multipliers */
const GROUP_AFFINITY: Record<string, [number, number, number]> = {
  young_urban_professionals: [0.7, 1.0, 0.9],
  suburban_families: [1.0, 1.25, 1.1],
  affluent_empty_nesters: [0.9, 1.35, 1.3],
  rural_outdoors: [0.95, 1.3, 1.2],
  budget_renters: [0.35, 0.6, 0.6],
  retirees: [0.45, 0.85, 1.0],
  college_starters: [0.35, 0.55, 0.5],
  heartland_mainstream: [0.6, 0.9, 0.9],
};
const PREMIUM_GROUP: Record<string, number> = {
  affluent_empty_nesters: 0.8, young_urban_professionals: 0.4, budget_renters: -0.8, college_starters: -0.6,
  heartland_mainstream: -0.3, rural_outdoors: 0, suburban_families: 0, retirees: -0.1,
};

const CAT_PRODUCTS = DEMO_CATEGORIES.map((c) => DEMO_PRODUCTS.filter((p) => p.category === c));

function typo(s: string, r: Rng): string {
  if (s.length < 4) return s;
  const k = 1 + r.int(s.length - 2);
  return r.chance(0.5) ? s.slice(0, k) + s[k + 1] + s[k] + s.slice(k + 2) : s.slice(0, k) + s.slice(k + 1);
}

function recase(s: string, r: Rng): string {
  const u = r.next();
  if (u < 0.06) return s.toUpperCase();
  if (u < 0.1) return s.toLowerCase();
  if (u < 0.12) return ` ${s} `;
  return s;
}

function formatPhone(p: string, r: Rng): string {
  const d = p.replace(/-/g, '');
  const u = r.next();
  if (u < 0.4) return p;
  if (u < 0.7) return `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`;
  if (u < 0.9) return d;
  return `+1 ${p}`;
}

function brandStreet(street: string, r: Rng): string {
  let s = street;
  if (r.chance(0.12)) {
    const parts = s.split(' ');
    const k = STREET_SUFFIXES.indexOf(parts[parts.length - 1]);
    if (k >= 0) parts[parts.length - 1] = STREET_SUFFIX_LONG[k];
    s = parts.join(' ');
  }
  if (r.chance(0.03)) {
    const sp = s.indexOf(' ');
    s = s.slice(0, sp + 1) + typo(s.slice(sp + 1), r);
  }
  if (r.chance(0.04)) s = s.toLowerCase();
  return s;
}

function brandEmail(email: string, r: Rng): string {
  const u = r.next();
  let e = email;
  if (u < 0.06) e = e.replace(/(^|[._@])([a-z])/g, (_m, a: string, b: string) => a + b.toUpperCase());
  else if (u < 0.08) e = e.toUpperCase();
  if (r.chance(0.03)) e = `${e} `;
  return e;
}

interface Chosen {
  graphId: number;
  group: number;
  traits: Float32Array;
  identity: GraphIdentity;
}

function num(v: number, fallback: number): number {
  return v === v ? v : fallback;
}

export function generateDemoBrand(opts: {
  seed: number;
  people: number;
  graphSize: number;
  end: Date;
  years: number;
  /** seed of the identity graph the people come from (default DEFAULT_GRAPH_SEED) */
  graphSeed?: number;
}): { people: DemoPerson[]; orders: DemoOrder[] } {
  const { people: n, graphSize, years } = opts;
  const graphSeed = opts.graphSeed ?? DEFAULT_GRAPH_SEED;
  if (n > graphSize) throw new Error('demo brand: more people than the graph holds');
  const r = makeRng(opts.seed);
  const endMs = opts.end.getTime();
  const span = years * YEAR;
  const startMs = endMs - span;

  // choose people from the graph, favouring the groups the brand appeals to
  const used = new Uint8Array(graphSize);
  const chosen: Chosen[] = [];
  let attempts = 0;
  while (chosen.length < n) {
    const id = r.int(graphSize);
    if (used[id]) continue;
    attempts++;
    const p = generateGraphPerson(graphSeed, id);
    const aff = GROUP_AFFINITY[LATENT_GROUPS[p.group].key][0];
    if (attempts < graphSize * 4 && !r.chance(aff)) continue;
    used[id] = 1;
    chosen.push({ graphId: id, group: p.group, traits: p.traits, identity: p.identity });
  }

  const people: (DemoPerson & { sortKey: number })[] = [];
  const orders: (Omit<DemoOrder, 'externalOrderId' | 'externalPersonId'> & { person: number })[] = [];
  const catW = new Float64Array(DEMO_CATEGORIES.length);

  for (const c of chosen) {
    const t = c.traits;
    const gkey = LATENT_GROUPS[c.group].key;
    const [, rateMult, loyalty] = GROUP_AFFINITY[gkey];
    const id = c.identity;
    const isLead = r.chance(0.25);

    // when they arrived: a growing brand, more recent arrivals are more common
    const u = r.next();
    const tArr = (-1 + Math.sqrt(1 + 8 * u)) / 2;
    const arrival = startMs + tArr * (span - DAY) + r.next() * DAY;

    let createdAt = arrival;
    if (!isLead) {
      const li = Math.log(num(t[IX.income], 75_000) / 75_000);
      const shopper = num(t[IX.shopper_type], 1);
      const kids = t[IX.has_children] === 1;
      const beta = 0.9 * li + 0.5 * (shopper - 1) + PREMIUM_GROUP[gkey];
      catW[0] = 0.9 + 2.5 * t[IX.outdoors] + (gkey === 'rural_outdoors' ? 1 : 0);
      catW[1] = 1.2 + 0.9 * t[IX.cooking] + 0.3 * t[IX.homeowner];
      catW[2] = 0.4 + 2.0 * t[IX.gardening] + 0.5 * t[IX.homeowner];
      catW[3] = 0.08 + 3.0 * (kids ? 1 : 0);
      catW[4] = 0.12 + 2.2 * t[IX.dog_owner] + 1.3 * t[IX.cat_owner];
      catW[5] = 1.0 + 1.0 * t[IX.fashion] + 0.4 * t[IX.outdoors];
      let catSum = 0;
      for (let k = 0; k < catW.length; k++) catSum += catW[k];

      const rate = 2.3 * rateMult * Math.exp(0.15 * li); // repeat orders a year while active
      const life = r.exp(2.2 * loyalty * YEAR);
      const stop = Math.min(endMs, arrival + life);
      let at = arrival;
      let count = 0;
      do {
        let x = r.next() * catSum;
        let ci = 0;
        while (ci < catW.length - 1 && x >= catW[ci]) x -= catW[ci++];
        const items = CAT_PRODUCTS[ci];
        // premium-leaning people pick the pricier items of a category
        let wsum = 0;
        const ws = items.map((_, k) => {
          const w = Math.exp(beta * (k / (items.length - 1) - 0.5) * 2);
          wsum += w;
          return w;
        });
        let y = r.next() * wsum;
        let pi = 0;
        while (pi < items.length - 1 && y >= ws[pi]) y -= ws[pi++];
        const prod = items[pi];
        const quantity = 1 + (r.chance(0.18 + (kids ? 0.1 : 0) + Math.max(0, 0.1 * beta)) ? 1 : 0) + (r.chance(0.06) ? 1 : 0);
        const discount = r.chance(0.2 + Math.max(0, -0.15 * beta)) ? 0.1 + 0.15 * r.next() : 0;
        const amount = Math.round(prod.price * quantity * (1 - discount) * 100) / 100;
        orders.push({ person: people.length, orderedAt: new Date(Math.floor(at)), amount, product: prod.name, category: prod.category, quantity });
        count++;
        at += r.exp(YEAR / rate);
      } while (at < stop && count < 60);
      // some signed up a while before their first order
      if (r.chance(0.3)) createdAt = arrival - r.next() * Math.min(90 * DAY, arrival - startMs);
      else createdAt = arrival - r.next() * 3_600_000;
    }

    // identity columns as the brand holds them
    const noAddress = r.chance(isLead ? 0.4 : 0.06);
    let lastName: string | null = id.lastName;
    if (r.chance(0.03)) lastName = typo(lastName, r);
    let postcode: string | null = noAddress || r.chance(0.04) ? null : id.postcode;
    if (postcode && r.chance(0.03)) postcode = `${postcode}-${1000 + r.int(9000)}`;
    people.push({
      sortKey: createdAt,
      externalId: '',
      graphId: c.graphId,
      email: !isLead && r.chance(0.1) ? null : brandEmail(id.email, r),
      firstName: r.chance(0.02) ? null : recase(id.firstName, r),
      lastName: r.chance(0.01) ? null : recase(lastName, r),
      street: noAddress ? null : brandStreet(id.street, r),
      city: noAddress ? null : r.chance(0.04) ? id.city.toUpperCase() : id.city,
      state: noAddress ? null : r.chance(0.04) ? id.state.toLowerCase() : id.state,
      postcode,
      phone: r.chance(isLead ? 0.7 : 0.35) ? null : formatPhone(id.phone, r),
      isLead,
      createdAt: new Date(Math.floor(createdAt)),
    });
  }

  // external ids in order of sign-up, order ids in order of time
  const order = people.map((_, i) => i).sort((a, b) => people[a].sortKey - people[b].sortKey || a - b);
  order.forEach((pi, k) => {
    people[pi].externalId = `JP-${String(100001 + k)}`;
  });
  orders.sort((a, b) => a.orderedAt.getTime() - b.orderedAt.getTime() || a.person - b.person);
  const outOrders: DemoOrder[] = orders.map((o, k) => ({
    externalOrderId: `JPO-${String(1000001 + k)}`,
    externalPersonId: people[o.person].externalId,
    orderedAt: o.orderedAt,
    amount: o.amount,
    product: o.product,
    category: o.category,
    quantity: o.quantity,
  }));
  const outPeople: DemoPerson[] = order.map((pi) => {
    const { sortKey: _s, ...p } = people[pi];
    return p;
  });
  return { people: outPeople, orders: outOrders };
}

/** Latent group index of a demo person (for tests and the demo's own checks). */
export function demoGroupOf(graphId: number, graphSeed = DEFAULT_GRAPH_SEED): number {
  return generateGraphPerson(graphSeed, graphId).group;
}
