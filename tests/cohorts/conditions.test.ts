import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import type { CohortDefinition } from '@/lib/cohorts/definition';
import { createCohort, cohortMembersAt, cohortHistory, previewCohortSize, recomputeCohort } from '@/lib/services/cohorts';
import { testDatabases } from '../helpers/db';
import { createAccount } from '../datasets/fixtures';
import { seedCohortFixture, TODAY } from './fixture';
import { tenantOf } from '@/lib/services/tenant';

// Expected members on 2025-06-30, counted by hand from the fixture (people 1-5).
const CASES: [string, CohortDefinition, string[]][] = [
  ['one order or more', { events: [{ kind: 'order_count', min: 1 }], traits: [] }, ['1', '2', '4', '5']],
  ['two orders or more', { events: [{ kind: 'order_count', min: 2 }], traits: [] }, ['1', '4']],
  ['spent $100 or more', { events: [{ kind: 'total_spend', min: 100 }], traits: [] }, ['1', '2', '5']],
  ['no order', { events: [{ kind: 'order_count', max: 0 }], traits: [] }, ['3']],
  ['lapsed: no order in 365 days', { events: [{ kind: 'order_count', min: 1 }, { kind: 'last_order', olderThanDays: 365 }], traits: [] }, ['2']],
  ['ordered in the last 90 days', { events: [{ kind: 'order_count', min: 1, window: { days: 90 } }], traits: [] }, ['1', '4']],
  ['first order in the last 365 days', { events: [{ kind: 'first_order', withinDays: 365 }], traits: [] }, ['1', '4', '5']],
  ['first order on or after 2024-09-01', { events: [{ kind: 'first_order', from: '2024-09-01' }], traits: [] }, ['1', '4']],
  ['bought in Kitchen', { events: [{ kind: 'bought', categories: ['Kitchen'] }], traits: [] }, ['1', '5']],
  ['bought a Tent in the last 365 days', { events: [{ kind: 'bought', products: ['Tent'], window: { days: 365 } }], traits: [] }, ['1']],
  ['spent $60+ in the last 365 days', { events: [{ kind: 'total_spend', min: 60, window: { days: 365 } }], traits: [] }, ['1', '4', '5']],
  ['custom trait: tier gold', { events: [], traits: [{ key: 'tier', values: ['gold'] }] }, ['1', '3']],
  ['custom trait: points 100-600', { events: [], traits: [{ key: 'points', min: 100, max: 600 }] }, ['1']],
  ['graph trait: age 40+', { events: [], traits: [{ key: 'age', min: 40 }] }, ['2', '3']],
  ['customers in tier gold', { events: [{ kind: 'order_count', min: 1 }], traits: [{ key: 'tier', values: ['gold'] }] }, ['1']],
];

for (const target of testDatabases()) {
  describe(`cohort conditions on ${target.name}`, () => {
    let database: Database;
    let accountId: string;
    let ids: Record<string, number>;

    beforeAll(async () => {
      database = await target.open();
      accountId = await createAccount(database, 'Cohort fixture');
      ids = await seedCohortFixture(database, accountId);
      // another account's people must never count
      const other = await createAccount(database, 'Other');
      await seedCohortFixture(database, other, 'X');
    });
    afterAll(async () => target.dispose(database));

    it.each(CASES)('%s', async (name, definition, expected) => {
      expect(await previewCohortSize(tenantOf(database, accountId), definition, TODAY)).toBe(expected.length);
      const created = await createCohort(tenantOf(database, accountId), { name, definition });
      await recomputeCohort(tenantOf(database, accountId), created.id, { today: TODAY });
      const members = await database.query<{ person_id: string }>(
        'select person_id::text from cohort_memberships where cohort_id = $1 and exited_on is null order by person_id',
        [created.id],
      );
      expect(members.rows.map((r) => Number(r.person_id))).toEqual(expected.map((n) => ids[n]).sort((a, b) => a - b));
    });
  });

  describe(`cohort membership history on ${target.name}`, () => {
    let database: Database;
    let accountId: string;
    let cohortId: string;

    beforeAll(async () => {
      database = await target.open();
      accountId = await createAccount(database, 'History fixture');
      await seedCohortFixture(database, accountId);
      const c = await createCohort(tenantOf(database, accountId), {
        name: 'Ordered in the last 30 days',
        definition: { events: [{ kind: 'order_count', min: 1, window: { days: 30 } }], traits: [] },
      });
      cohortId = c.id;
      await recomputeCohort(tenantOf(database, accountId), cohortId, { today: TODAY });
    });
    afterAll(async () => target.dispose(database));

    // person 2 is in during May 2023, person 5 from 2024-08-15 to 09-14, person 4 three times (Dec, Mar, from 06-29), person 1 from 06-01
    const AT: [string, number][] = [
      ['2023-04-30', 0],
      ['2023-05-15', 1],
      ['2023-05-31', 0],
      ['2024-08-14', 0],
      ['2024-08-15', 1],
      ['2024-09-13', 1],
      ['2024-09-14', 0],
      ['2024-12-15', 1],
      ['2024-12-30', 1],
      ['2024-12-31', 0],
      ['2025-03-15', 1],
      ['2025-04-15', 0],
      ['2025-06-25', 1],
      ['2025-06-30', 2],
    ];

    it.each(AT)('members at the end of %s: %i', async (day, n) => {
      expect(await cohortMembersAt(tenantOf(database, accountId), cohortId, day)).toBe(n);
    });

    it('keeps each stay with its entry and exit dates', async () => {
      const r = await database.query<{ entered_on: string; exited_on: string | null }>(
        `select to_char(entered_on, 'YYYY-MM-DD') as entered_on, to_char(exited_on, 'YYYY-MM-DD') as exited_on
         from cohort_memberships m join people p on p.id = m.person_id where m.cohort_id = $1 and p.external_id = 'P4' order by entered_on`,
        [cohortId],
      );
      expect(r.rows).toEqual([
        { entered_on: '2024-12-01', exited_on: '2024-12-31' },
        { entered_on: '2025-03-01', exited_on: '2025-03-31' },
        { entered_on: '2025-06-29', exited_on: null },
      ]);
    });

    it('answers the daily series the same way as the point query', async () => {
      const series = (await cohortHistory(tenantOf(database, accountId), [cohortId], { from: '2023-04-01', to: '2025-06-30' })).get(cohortId)!;
      const byDay = new Map(series.map((p) => [p.day, p.members]));
      for (const [day, n] of AT) expect(byDay.get(day)).toBe(n);
    });

    it('is recomputed when data changes, without rewriting the past', async () => {
      const p3 = await database.query<{ id: string }>("select id::text as id from people where account_id = $1 and external_id = 'P3'", [accountId]);
      await database.query(`insert into orders (account_id, person_id, ordered_at, amount) values ($1, $2, '2025-06-30T09:00:00Z', 10)`, [
        accountId,
        Number(p3.rows[0].id),
      ]);
      const res = await recomputeCohort(tenantOf(database, accountId), cohortId, { today: TODAY });
      expect(res.members).toBe(3);
      expect(await cohortMembersAt(tenantOf(database, accountId), cohortId, '2025-06-30')).toBe(3);
      expect(await cohortMembersAt(tenantOf(database, accountId), cohortId, '2024-12-15')).toBe(1);
    });
  });
}
