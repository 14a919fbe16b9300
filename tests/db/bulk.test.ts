import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkInsert } from '@/db/bulk';
import type { Database } from '@/db/client';
import { testDatabases } from '../helpers/db';

describe.each(testDatabases())('bulk writes on $name', (target) => {
  let database: Database;
  let accountId: string;
  beforeAll(async () => {
    database = await target.open();
    const r = await database.query<{ id: string }>(`insert into accounts (name, slug) values ('A', 'a') returning id`);
    accountId = r.rows[0].id;
  });
  afterAll(() => target.dispose(database));

  const cols = [
    { name: 'account_id', type: 'uuid' },
    { name: 'external_id', type: 'text' },
    { name: 'email', type: 'text' },
    { name: 'graph_traits', type: 'float4[]' },
    { name: 'custom_traits', type: 'jsonb' },
  ] as const;

  it('copies rows with awkward text, arrays with NaN and json', async () => {
    const rows = Array.from({ length: 2500 }, (_, i) => [
      accountId,
      `x${i}`,
      i % 3 === 0 ? null : `a "quoted", comma\nline ${i}`,
      [i, NaN, 0.5],
      { tier: i % 2 ? 'gold' : 'silver', n: i },
    ]);
    const n = await bulkInsert(database, 'people', [...cols], rows, { batchSize: 700 });
    expect(n).toBe(2500);
    const c = await database.query<{ n: string }>('select count(*)::text as n from people');
    expect(c.rows[0].n).toBe('2500');
    const one = await database.query<{ email: string | null; t: number[]; ct: { n: number } }>(
      `select email, graph_traits as t, custom_traits as ct from people where external_id = 'x4'`,
    );
    expect(one.rows[0].email).toBe('a "quoted", comma\nline 4');
    expect(one.rows[0].t[0]).toBe(4);
    expect(Number.isNaN(Number(one.rows[0].t[1]))).toBe(true);
    expect(one.rows[0].ct.n).toBe(4);
    const nul = await database.query<{ email: string | null }>(`select email from people where external_id = 'x3'`);
    expect(nul.rows[0].email).toBeNull();
  });

  it('upserts through unnest batches without duplicating', async () => {
    const rows = Array.from({ length: 1200 }, (_, i) => [accountId, `x${i}`, `new${i}@example.com`, [1], {}]);
    await bulkInsert(database, 'people', [...cols], rows, {
      batchSize: 500,
      onConflict: 'on conflict (account_id, external_id) do update set email = excluded.email',
    });
    const c = await database.query<{ n: string }>('select count(*)::text as n from people');
    expect(c.rows[0].n).toBe('2500');
    const one = await database.query<{ email: string }>(`select email from people where external_id = 'x7'`);
    expect(one.rows[0].email).toBe('new7@example.com');
  });
});

describe.each(testDatabases())('transactions on $name', (target) => {
  let database: Database;
  beforeAll(async () => {
    database = await target.open();
  });
  afterAll(() => target.dispose(database));

  it('commits bulk writes and drizzle queries together, and rolls both back on error', async () => {
    await database.transaction(async (tx) => {
      const r = await tx.query<{ id: string }>(`insert into accounts (name, slug) values ('T', 't') returning id`);
      await bulkInsert(tx, 'people', [{ name: 'account_id', type: 'uuid' }, { name: 'external_id', type: 'text' }], [
        [r.rows[0].id, 'p1'],
        [r.rows[0].id, 'p2'],
      ]);
    });
    await expect(
      database.transaction(async (tx) => {
        const r = await tx.query<{ id: string }>(`insert into accounts (name, slug) values ('U', 'u') returning id`);
        await bulkInsert(tx, 'people', [{ name: 'account_id', type: 'uuid' }, { name: 'external_id', type: 'text' }], [
          [r.rows[0].id, 'q1'],
        ]);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const accounts = await database.query<{ slug: string }>('select slug from accounts order by slug');
    expect(accounts.rows.map((r) => r.slug)).toEqual(['t']);
    const n = await database.query<{ n: string }>('select count(*)::text as n from people');
    expect(n.rows[0].n).toBe('2');
  });
});
