import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { DEMO_EMAIL, seedDemo } from '@/scripts/seed';
import { cohortMembersAt } from '@/lib/services/cohorts';
import { testDatabases } from '../helpers/db';
import { tenantOf } from '@/lib/services/tenant';

const counts = async (database: Database) => {
  const r = await database.query<{ accounts: string; people: string; orders: string; cohorts: string; users: string; graph: string }>(
    `select (select count(*) from accounts)::text as accounts, (select count(*) from people)::text as people,
            (select count(*) from orders)::text as orders, (select count(*) from cohorts)::text as cohorts,
            (select count(*) from users)::text as users, (select count(*) from graph_persons)::text as graph`,
  );
  return r.rows[0];
};

describe.each(testDatabases())('demo seed on $name', (target) => {
  let database: Database;
  beforeAll(async () => {
    database = await target.open();
  });
  afterAll(() => target.dispose(database));

  it('creates the demo account, user, people, orders and four cohorts with history', async () => {
    const today = new Date('2026-11-01T12:00:00Z');
    const res = await seedDemo(database, { people: 2000, graphSize: 5000, today });
    expect(res.seeded).toBe(true);
    const c = await counts(database);
    expect(c).toMatchObject({ accounts: '1', people: '2000', cohorts: '4', users: '1', graph: '5000' });
    expect(Number(c.orders)).toBeGreaterThan(2000);
    const u = await database.query<{ email: string }>('select email from users');
    expect(u.rows[0].email).toBe(DEMO_EMAIL);
    const cohorts = await database.query<{ id: string; name: string; member_count: number }>('select id, name, member_count from cohorts order by name');
    expect(cohorts.rows.map((r) => r.name)).toEqual(['Customers', 'High-value customers', 'Lapsed customers', 'Leads']);
    const customers = cohorts.rows.find((r) => r.name === 'Customers')!;
    const leads = cohorts.rows.find((r) => r.name === 'Leads')!;
    // every person is a customer or a lead today
    expect(customers.member_count + leads.member_count).toBe(2000);
    // the brand grew: fewer customers a year ago than today
    const yearAgo = await cohortMembersAt(tenantOf(database, res.accountId), customers.id, '2025-11-01');
    expect(yearAgo).toBeGreaterThan(0);
    expect(yearAgo).toBeLessThan(customers.member_count);
  });

  it('is idempotent, and an unfinished seed is removed and redone', async () => {
    const before = await counts(database);
    expect((await seedDemo(database, { people: 2000, graphSize: 5000 })).seeded).toBe(false);
    expect(await counts(database)).toEqual(before);
    await database.query(`update accounts set seeded_at = null where slug = 'demo'`);
    expect((await seedDemo(database, { people: 2000, graphSize: 5000 })).seeded).toBe(true);
    expect(await counts(database)).toMatchObject({ accounts: '1', people: '2000', cohorts: '4', users: '1', graph: '5000' });
  });
});
