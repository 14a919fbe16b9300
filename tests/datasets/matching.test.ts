import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { bulkInsert } from '@/db/bulk';
import { seedGraph } from '@/scripts/seed';
import { editDistance, matchPeople, scoreCandidate } from '@/lib/services/matching';
import { testDatabases } from '../helpers/db';
import { createAccount, graphIdentities } from './fixtures';
import { tenantOf } from '@/lib/services/tenant';

const GRAPH = 12_000;
const PEOPLE = 1_500;

/** Deterministic corruption of a brand's copy of a graph identity: typos, case, whitespace, missing email, long street words. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function typo(s: string, r: () => number): string {
  if (s.length < 4) return s;
  const k = 1 + Math.floor(r() * (s.length - 2));
  return r() < 0.5 ? s.slice(0, k) + s[k + 1] + s[k] + s.slice(k + 2) : s.slice(0, k) + s.slice(k + 1);
}
const LONG: Record<string, string> = { St: 'Street', Ave: 'Avenue', Rd: 'Road', Dr: 'Drive', Ln: 'Lane', Ct: 'Court', Blvd: 'Boulevard', Pl: 'Place', Cir: 'Circle' };

function corrupt(id: ReturnType<typeof graphIdentities>[number], r: () => number) {
  const p = { email: id.email as string | null, first: id.firstName, last: id.lastName, street: id.street, postcode: id.postcode as string | null };
  const u = r();
  if (u < 0.35) p.email = null; // a third have no email: name + address must do
  else if (u < 0.45) p.email = `  ${id.email.toUpperCase()} `;
  else if (u < 0.5) p.email = `x${id.email}`; // an email the graph does not know
  if (r() < 0.15) p.last = typo(p.last, r);
  else if (r() < 0.1) p.first = typo(p.first, r);
  if (r() < 0.1) p.first = p.first.toUpperCase();
  if (r() < 0.1) p.last = ` ${p.last.toLowerCase()} `;
  if (r() < 0.2) p.street = p.street.split(' ').map((w) => LONG[w] ?? w).join(' ');
  if (r() < 0.05) p.street = p.street.toLowerCase();
  if (r() < 0.05) p.postcode = `${p.postcode}-1234`;
  else if (r() < 0.04) p.postcode = null; // no postcode: name + house number + street decide
  if (r() < 0.04) {
    const sp = p.street.indexOf(' ');
    p.street = p.street.slice(0, sp + 1) + typo(p.street.slice(sp + 1), r);
  }
  return p;
}

describe('matching helpers', () => {
  it('counts adjacent swaps as one edit', () => {
    expect(editDistance('johnson', 'jhonson')).toBe(1);
    expect(editDistance('smith', 'smth')).toBe(1);
    expect(editDistance('smith', 'jones')).toBeGreaterThan(2);
  });
  it('refuses a candidate whose street differs', () => {
    const p = { id: 1, emailNorm: '', first: 'ana', last: 'lopez', street: '12 oak st', house: '12', postcode: '10001', nameKey: 'a:lpz' };
    expect(scoreCandidate(p, { id: 9, first: 'Ana', last: 'Lopez', street: '12 Oak St', postcode: '10001' })).toBeGreaterThan(0);
    expect(scoreCandidate(p, { id: 9, first: 'Ana', last: 'Lopez', street: '98 Elm Ave', postcode: '10001' })).toBe(0);
    expect(scoreCandidate(p, { id: 9, first: 'Bo', last: 'Lopez', street: '12 Oak St', postcode: '10001' })).toBe(0);
  });
});

for (const target of testDatabases()) {
  describe(`identity matching on ${target.name}`, () => {
    let database: Database;
    let accountA: string;
    let accountB: string;
    const truth = new Map<string, number>();

    beforeAll(async () => {
      database = await target.open();
      await seedGraph(database, GRAPH);
      accountA = await createAccount(database, 'Brand A');
      accountB = await createAccount(database, 'Brand B');
      const r = rng(42);
      const ids = graphIdentities(0, GRAPH);
      const rows: unknown[][] = [];
      for (let i = 0; i < PEOPLE; i++) {
        const id = ids[Math.floor(r() * GRAPH)];
        const ext = `A-${i}`;
        if (truth.has(ext)) continue;
        truth.set(ext, id.graphId);
        const p = corrupt(id, r);
        rows.push([accountA, ext, p.email, p.email?.trim().toLowerCase() ?? null, p.first, p.last, p.street, id.city, id.state, p.postcode]);
      }
      // people who are not in the graph at all
      for (let i = 0; i < 100; i++)
        rows.push([accountA, `A-out-${i}`, `nobody${i}@example.org`, `nobody${i}@example.org`, 'Quentin', `Outsider${i}`, `${i + 1} Nowhere Rd`, 'Springfield', 'IL', '62704']);
      // account B holds the very same graph people: nothing may be matched there when A is matched
      for (let i = 0; i < 200; i++) {
        const id = ids[i];
        rows.push([accountB, `B-${i}`, id.email, id.email.toLowerCase(), id.firstName, id.lastName, id.street, id.city, id.state, id.postcode]);
      }
      await bulkInsert(
        database,
        'people',
        ['account_id', 'external_id', 'email', 'email_norm', 'first_name', 'last_name', 'street', 'city', 'state', 'postcode'].map((name) => ({
          name,
          type: name === 'account_id' ? ('uuid' as const) : ('text' as const),
        })),
        rows,
      );
    });
    afterAll(async () => target.dispose(database));

    it('matches at least 95% of corrupted identities to the right graph person, and no outsider', async () => {
      const summary = await matchPeople(tenantOf(database, accountA));
      const r = await database.query<{ external_id: string; graph_id: number | null; match_method: string; has_traits: boolean }>(
        `select external_id, graph_id, match_method, graph_traits is not null as has_traits from people where account_id = $1`,
        [accountA],
      );
      let correct = 0;
      let wrong = 0;
      let outsidersMatched = 0;
      for (const row of r.rows) {
        const want = truth.get(row.external_id);
        if (want === undefined) {
          if (row.graph_id !== null) outsidersMatched++;
          continue;
        }
        if (row.graph_id === want) correct++;
        else if (row.graph_id !== null) wrong++;
        expect(row.has_traits).toBe(row.graph_id !== null);
      }
      const accuracy = correct / truth.size;
      console.info(`[${target.name}] matched correctly ${correct}/${truth.size} (${(accuracy * 100).toFixed(1)}%), wrong ${wrong}, outsiders ${outsidersMatched}; misses ${JSON.stringify(summary.missReasons)}`);
      expect(accuracy).toBeGreaterThanOrEqual(0.95);
      expect(wrong / truth.size).toBeLessThan(0.005);
      expect(outsidersMatched).toBe(0);
      expect(summary.people).toBe(truth.size + 100);
      expect(summary.byMethod.name_address).toBeGreaterThan(truth.size * 0.3);
      expect(summary.matched).toBe(correct + wrong);
      const misses = Object.values(summary.missReasons).reduce((a, b) => a + (b ?? 0), 0);
      expect(misses).toBe(summary.people - summary.matched);
      expect(summary.missReasons.no_candidate ?? 0).toBeGreaterThanOrEqual(100);
    });

    it('never touches another account when matching one', async () => {
      const b = await database.query<{ n: number }>(
        'select count(*)::int as n from people where account_id = $1 and (graph_id is not null or match_method is not null)',
        [accountB],
      );
      expect(b.rows[0].n).toBe(0);
      const s = await matchPeople(tenantOf(database, accountB));
      expect(s.people).toBe(200);
      expect(s.matched).toBe(200);
      // matching B left A exactly as it was
      const a = await database.query<{ n: number }>("select count(*)::int as n from people where account_id = $1 and external_id like 'B-%'", [accountA]);
      expect(a.rows[0].n).toBe(0);
    });
  });
}
