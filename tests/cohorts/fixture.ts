import type { Database } from '@/db/client';
import { GRAPH_TRAITS, GRAPH_TRAIT_INDEX } from '@/lib/identity-graph/catalog';

export const TODAY = new Date('2025-06-30T12:00:00Z');

/** Five people with orders on known days (see the expected counts in the tests). */
export async function seedCohortFixture(database: Database, accountId: string, prefix = 'P') {
  const traits = (age: number | null) => {
    const v = new Array(GRAPH_TRAITS.length).fill('NaN');
    if (age !== null) v[GRAPH_TRAIT_INDEX.age] = String(age);
    return `{${v.join(',')}}`;
  };
  const people: [string, string | null, Record<string, unknown> | null][] = [
    ['1', traits(30), { tier: 'gold', points: 500 }],
    ['2', traits(60), { tier: 'silver', points: 50 }],
    ['3', traits(45), { tier: 'gold' }],
    ['4', traits(null), { points: 900 }],
    ['5', null, null],
  ];
  const ids: Record<string, number> = {};
  for (const [n, gt, custom] of people) {
    const r = await database.query<{ id: string }>(
      `insert into people (account_id, external_id, graph_traits, custom_traits, created_at)
       values ($1, $2, $3::real[], $4::jsonb, '2024-01-01T00:00:00Z') returning id::text as id`,
      [accountId, `${prefix}${n}`, gt, custom ? JSON.stringify(custom) : null],
    );
    ids[n] = Number(r.rows[0].id);
  }
  const orders: [string, string, number, string, string][] = [
    ['1', '2025-06-01', 100, 'Tent', 'Camping'],
    ['1', '2025-06-20', 50, 'Mug', 'Kitchen'],
    ['2', '2023-05-01', 2000, 'Tent', 'Camping'],
    ['4', '2024-12-01', 30, 'Socks', 'Apparel'],
    ['4', '2025-03-01', 30, 'Socks', 'Apparel'],
    ['4', '2025-06-29', 30, 'Socks', 'Apparel'],
    ['5', '2024-08-15', 500, 'Skillet', 'Kitchen'],
  ];
  for (const [n, day, amount, product, category] of orders)
    await database.query(
      `insert into orders (account_id, person_id, ordered_at, amount, product, category) values ($1, $2, $3::timestamptz, $4, $5, $6)`,
      [accountId, ids[n], `${day}T15:00:00Z`, amount, product, category],
    );
  return ids;
}
