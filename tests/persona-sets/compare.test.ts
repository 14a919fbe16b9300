// Comparing two ready sets on different cohorts: the overlap of every persona pair equals a SQL join of their
// current assignments, Jaccard follows from the sizes, and another account's set cannot be compared.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { seedDemo } from '@/scripts/seed';
import { comparePersonaSets, listComparableSets } from '@/lib/services/persona-sets';
import { tenantOf, type Tenant } from '@/lib/services/tenant';
import { testDatabases } from '../helpers/db';
import { seedReadyPersonaSet } from '../persona-sets-ui/fixture';

describe.each(testDatabases())('comparing persona sets on $name', (target) => {
  let database: Database;
  let tenant: Tenant;
  let a: string;
  let b: string;

  beforeAll(async () => {
    database = await target.open();
    const { accountId } = await seedDemo(database, { people: 900, graphSize: 1800, today: new Date('2026-06-30T00:00:00Z') });
    tenant = tenantOf(database, accountId);
    // the two cohorts sharing the most members (a set of customers and one of high-value customers, say)
    const pair = (
      await database.query<{ x: string; y: string }>(
        `select m1.cohort_id as x, m2.cohort_id as y from cohort_memberships m1
         join cohort_memberships m2 on m2.person_id = m1.person_id and m2.cohort_id > m1.cohort_id and m2.exited_on is null
         where m1.account_id = $1 and m1.exited_on is null group by 1, 2 having count(*) > 60 order by count(*) desc limit 1`,
        [accountId],
      )
    ).rows[0];
    const cohorts = [{ id: pair.x }, { id: pair.y }];
    ({ setId: a } = await seedReadyPersonaSet(database, accountId, cohorts[0].id, 'Lifestyle', { traitKeys: ['age', 'income', 'has_children', 'homeowner'], seed: 3 }));
    ({ setId: b } = await seedReadyPersonaSet(database, accountId, cohorts[1].id, 'Money', { traitKeys: ['income', 'net_worth', 'education'], seed: 5 }));
  }, 240_000);
  afterAll(async () => {
    await target.dispose(database);
  });

  it('counts members in both personas as a SQL join does, with Jaccard from the sizes', async () => {
    const c = await comparePersonaSets(tenant, a, b);
    const truth = await database.query<{ pa: string; pb: string; n: number; sa: number; sb: number }>(
      `select j.pa::text as pa, j.pb::text as pb, j.n,
         (select count(*)::int from assignments s where s.persona_set_id = $1 and s.valid_to is null and s.persona_id = j.pa) as sa,
         (select count(*)::int from assignments s where s.persona_set_id = $2 and s.valid_to is null and s.persona_id = j.pb) as sb
       from (select x.persona_id as pa, y.persona_id as pb, count(*)::int as n
             from assignments x join assignments y on y.person_id = x.person_id
             where x.persona_set_id = $1 and y.persona_set_id = $2 and x.valid_to is null and y.valid_to is null group by 1, 2) j`,
      [a, b],
    );
    expect(truth.rows.length).toBeGreaterThan(1);
    const key = (p: string, q: string) => `${p}|${q}`;
    const got = new Map(c.overlap.map((o) => [key(o.aPersonaId, o.bPersonaId), o]));
    expect(got.size).toBe(truth.rows.length);
    for (const t of truth.rows) {
      const o = got.get(key(t.pa, t.pb))!;
      expect(o.members).toBe(t.n);
      expect(o.jaccard).toBeCloseTo(t.n / (t.sa + t.sb - t.n), 12);
    }
    const both = await database.query<{ n: number }>(
      `select count(*)::int as n from assignments x join assignments y on y.person_id = x.person_id
       where x.persona_set_id = $1 and y.persona_set_id = $2 and x.valid_to is null and y.valid_to is null`,
      [a, b],
    );
    expect(c.shared).toBe(both.rows[0].n);
    expect(c.a.members).toBe(c.a.personas.reduce((s, p) => s + p.size, 0));
    expect(c.traits).toEqual({ shared: ['income'], onlyA: ['age', 'has_children', 'homeowner'], onlyB: ['net_worth', 'education'] });
    expect(c.pairs).toHaveLength(c.a.personas.length);
    for (const p of c.pairs.filter((x) => x.bPersonaId))
      expect(p.jaccard).toBe(Math.max(...c.overlap.filter((o) => o.aPersonaId === p.aPersonaId).map((o) => o.jaccard)));
    expect((await listComparableSets(tenant)).map((s) => s.name)).toEqual(['Lifestyle', 'Money']);
  });

  it('refuses the same set twice and another account’s set', async () => {
    await expect(comparePersonaSets(tenant, a, a)).rejects.toThrow(/two different/);
    await expect(comparePersonaSets(tenantOf(database, '00000000-0000-4000-8000-000000000000'), a, b)).rejects.toThrow(/not found/);
  });
});
