import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { ingestFile, type IngestOptions } from '@/lib/ingest/run';
import { KeyFilter, PersonKeys } from '@/lib/ingest/account-keys';
import { newOrdersBatch, newPeopleBatch, writeOrdersBatch, writePeopleBatch } from '@/lib/ingest/write';
import { refreshCustomTraitStats, upsertCustomTraits } from '@/lib/services/traits';
import { testDatabases } from '../helpers/db';
import { createAccount } from './fixtures';
import { tenantOf } from '@/lib/services/tenant';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facet-ingest-batches-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(name: string, lines: string[]): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, lines.join('\r\n') + '\r\n');
  return f;
}

const PEOPLE_MAPPING = { id: 'external_id', email: 'email', first: 'first_name', tier: 'trait:categorical', points: 'trait:numeric' };
const ORDER_MAPPING = { order: 'order_id', customer: 'person_external_id', email: 'person_email', date: 'ordered_at', amount: 'amount' };

/** 60 people over many small batches: P1..P60, every 7th without an external id, a few bad rows. */
function peopleLines(tag: string): string[] {
  const lines = ['id,email,first,tier,points'];
  for (let i = 1; i <= 60; i++) {
    if (i === 13) lines.push('P13,not-an-email,Bad,gold,1');
    else if (i === 29) lines.push('P29,p29@example.com,Nul\0Name,gold,2');
    else if (i === 41) lines.push('P41,p41@example.com,Pts,gold,lots');
    else lines.push(`${i % 7 === 0 ? '' : `P${i}`},P${i}@Example.com,${tag}${i},${['gold', 'silver', 'bronze'][i % 3]},${i}`);
  }
  lines.push('P5,p5@example.com,Last wins,silver,500'); // P5 again: the later row wins
  return lines;
}

for (const target of testDatabases()) {
  describe(`ingest in many small batches on ${target.name}`, () => {
    let database: Database;
    let accountId: string;
    const errorsOf = async (datasetId: string) =>
      (await database.query<{ line: number; reason: string }>('select line, reason from dataset_row_errors where dataset_id = $1 order by line', [datasetId])).rows;

    beforeAll(async () => {
      database = await target.open();
      accountId = await createAccount(database, 'Batches');
    });
    afterAll(() => target.dispose(database));

    async function ingest(kind: 'people' | 'orders', f: string, mapping: Record<string, string>, opts: IngestOptions = {}, dataset?: string) {
      const datasetId =
        dataset ??
        (
          await database.query<{ id: string }>(`insert into datasets (account_id, name, kind, status) values ($1, 'f', $2, 'processing') returning id`, [
            accountId,
            kind,
          ])
        ).rows[0].id;
      const summary = await ingestFile(database, { accountId, datasetId, kind, file: f, mapping }, { batchSize: 4, parallel: 3, ...opts });
      return { datasetId, summary, errors: await errorsOf(datasetId) };
    }

    it('writes people across batches, reports bad rows by line, and updates on a second upload', async () => {
      const f = file('people.csv', peopleLines('First'));
      const first = await ingest('people', f, PEOPLE_MAPPING);
      expect(first.summary).toMatchObject({ rows: 61, ok: 58, errors: 3 });
      expect(first.errors.map((e) => e.line)).toEqual([14, 30, 42]);
      expect(first.errors[0].reason).toMatch(/invalid email/);
      expect(first.errors[1].reason).toMatch(/NUL/);
      expect(first.errors[2].reason).toMatch(/points.*number/);
      const people = async () =>
        (
          await database.query<{ external_id: string | null; email_norm: string; first_name: string; custom_traits: Record<string, unknown> }>(
            'select external_id, email_norm, first_name, custom_traits from people where account_id = $1 order by id',
            [accountId],
          )
        ).rows;
      const once = await people();
      expect(once).toHaveLength(57);
      expect(once.filter((p) => !p.external_id)).toHaveLength(8);
      expect(once.find((p) => p.external_id === 'P5')).toMatchObject({ first_name: 'Last wins', custom_traits: { tier: 'silver', points: 500 } });
      expect(once.find((p) => p.email_norm === 'p14@example.com')).toMatchObject({ external_id: null, first_name: 'First14' });

      const again = await ingest('people', file('people2.csv', peopleLines('Second')), PEOPLE_MAPPING);
      expect(again.summary).toMatchObject({ rows: 61, ok: 58, errors: 3 });
      const twice = await people();
      expect(twice).toHaveLength(57);
      expect(twice.find((p) => p.email_norm === 'p14@example.com')!.first_name).toBe('Second14');
      expect(twice.find((p) => p.external_id === 'P6')!.first_name).toBe('Second6');
    });

    it('finds each order its person in memory or in the database alike, and a retried run rewrites nothing', async () => {
      const lines = ['order,customer,email,date,amount'];
      const known = [1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12];
      for (let i = 1; i <= 50; i++) {
        const person = i % 5 === 0 ? ',p14@example.com' : `P${known[i % known.length]},`; // P14 has no external id
        lines.push(`O${i},${person},2025-01-${String((i % 28) + 1).padStart(2, '0')},${i}.50`);
      }
      lines.push('O51,P404,,2025-02-01,10'); // nobody
      lines.push(',,nobody@example.com,2025-02-01,10'); // nobody, no order id
      lines.push('O3,P1,,2025-03-03,333'); // O3 again: the later row wins
      const f = file('orders.csv', lines);
      const snapshot = async () =>
        (
          await database.query<{ k: string; person: string; amount: number }>(
            `select o.external_order_id as k, coalesce(p.external_id, p.email_norm) as person, o.amount
             from orders o join people p on p.id = o.person_id where o.account_id = $1 order by 1`,
            [accountId],
          )
        ).rows;

      // people looked up by the database, every order upserted; then plain inserts of new order ids; then both in memory
      const upserted = await ingest('orders', f, ORDER_MAPPING, { personKeysLimit: 0, plainInserts: false });
      const viaUpserts = await snapshot();
      await database.query('delete from orders where account_id = $1', [accountId]);
      const inDb = await ingest('orders', f, ORDER_MAPPING, { personKeysLimit: 0 });
      const viaDb = await snapshot();
      await database.query('delete from orders where account_id = $1', [accountId]);
      const inMemory = await ingest('orders', f, ORDER_MAPPING);
      const viaMemory = await snapshot();

      expect(viaDb).toEqual(viaUpserts);
      for (const r of [upserted, inDb, inMemory]) {
        expect(r.summary).toMatchObject({ rows: 53, ok: 51, errors: 2 });
        expect(r.errors).toEqual([
          { line: 52, reason: 'no person with customer id "P404" (upload the people file first)' },
          { line: 53, reason: 'no person with email "nobody@example.com" (upload the people file first)' },
        ]);
      }
      expect(viaMemory).toEqual(viaDb);
      expect(viaDb).toHaveLength(50);
      expect(viaDb.find((o) => o.k === 'O3')).toEqual({ k: 'O3', person: 'P1', amount: 333 });
      expect(viaDb.find((o) => o.k === 'O5')).toMatchObject({ person: 'p14@example.com' });

      // the same dataset again (a retried step): no order is rewritten (but O3, which the file changes midway)
      const versions = async () =>
        (
          await database.query<{ v: string }>(
            `select string_agg(xmin::text, ',' order by id) as v from orders where account_id = $1 and external_order_id <> 'O3'`,
            [accountId],
          )
        ).rows[0].v;
      const before = await versions();
      const again = await ingest('orders', f, ORDER_MAPPING, {}, inMemory.datasetId);
      expect(again.summary).toMatchObject({ ok: 51, errors: 2 });
      expect(again.errors).toEqual(inMemory.errors);
      expect(await versions()).toBe(before);
      // another upload of it takes the orders over (they name the upload they came from)
      const other = await ingest('orders', f, ORDER_MAPPING);
      const owners = await database.query<{ d: string }>('select distinct dataset_id::text as d from orders where account_id = $1', [accountId]);
      expect(owners.rows).toEqual([{ d: other.datasetId }]);
    });

    it('writes the same people with plain inserts of new keys as with upserts only', async () => {
      const f = file('people3.csv', [...peopleLines('A'), ...peopleLines('B').slice(1, 20)]);
      const results = [];
      for (const plainInserts of [false, true]) {
        const acc = await createAccount(database, `Plain ${plainInserts}`);
        const ds = await database.query<{ id: string }>(
          `insert into datasets (account_id, name, kind, status) values ($1, 'p', 'people', 'processing') returning id`,
          [acc],
        );
        const r = await ingestFile(
          database,
          { accountId: acc, datasetId: ds.rows[0].id, kind: 'people', file: f, mapping: PEOPLE_MAPPING },
          { batchSize: 5, parallel: 3, plainInserts },
        );
        const rows = await database.query(
          `select external_id, email, email_norm, first_name, custom_traits from people where account_id = $1
           order by external_id nulls first, email_norm`,
          [acc],
        );
        results.push({ summary: { ...r, seconds: 0 }, rows: rows.rows });
      }
      expect(results[1]).toEqual(results[0]);
      expect(results[0].rows).toHaveLength(57);
      expect(results[0].rows.find((p) => p.external_id === 'P3')).toMatchObject({ first_name: 'B3' });
    });

    it('upserts a batch again when a key it took for new was written meanwhile', async () => {
      const datasetId = (
        await database.query<{ id: string }>(`insert into datasets (account_id, name, kind, status) values ($1, 'r', 'orders', 'processing') returning id`, [
          accountId,
        ])
      ).rows[0].id;
      const person = Number((await database.query<{ id: string }>(`select id::text from people where account_id = $1 and external_id = 'P1'`, [accountId])).rows[0].id);
      const row = (amount: number) => ({
        orderId: 'R1',
        personExternalId: 'P1',
        personEmailNorm: null,
        orderedAt: '2025-05-01T00:00:00.000Z',
        amount,
        product: null,
        category: null,
        quantity: 1,
      });
      const first = newOrdersBatch(accountId, datasetId);
      first.addOrder(2, 'R1', row(1), person, true);
      await writeOrdersBatch(database, accountId, datasetId, first);
      // another upload took R1 between reading the keys and writing: the plain insert fails, the upsert does not
      const second = newOrdersBatch(accountId, datasetId);
      second.addOrder(3, 'R1', row(2), person, true);
      second.addOrder(4, 'R2', row(3), person, true);
      await writeOrdersBatch(database, accountId, datasetId, second);
      const r = await database.query<{ k: string; amount: number }>(
        `select external_order_id as k, amount from orders where account_id = $1 and external_order_id in ('R1', 'R2') order by 1`,
        [accountId],
      );
      expect(r.rows).toEqual([
        { k: 'R1', amount: 2 },
        { k: 'R2', amount: 3 },
      ]);
    });

    it('upserts the new people of a batch when one of their keys was written meanwhile, merging into the stored person', async () => {
      const acc = await createAccount(database, 'Taken');
      const datasetId = (
        await database.query<{ id: string }>(`insert into datasets (account_id, name, kind, status) values ($1, 't', 'people', 'processing') returning id`, [acc])
      ).rows[0].id;
      await database.query(`insert into people (account_id, external_id, first_name, city) values ($1, 'T1', 'Old', 'Reno')`, [acc]);
      const person = (externalId: string, firstName: string) => ({
        externalId,
        email: null,
        emailNorm: null,
        firstName,
        lastName: null,
        street: null,
        city: null,
        state: null,
        postcode: null,
        phone: null,
        custom: { tier: 'gold' },
      });
      // T1 was read as new (another upload wrote it meanwhile); T2 is new; a later row of the batch updates T2
      const batch = newPeopleBatch(acc, datasetId);
      batch.addPerson(2, person('T1', 'New'), true);
      batch.addPerson(3, person('T2', 'First'), true);
      batch.addPerson(4, person('T2', 'Second'), false);
      expect(batch.fresh).toBe(2);
      await writePeopleBatch(database, acc, datasetId, batch);
      const r = await database.query<{ external_id: string; first_name: string; city: string | null; custom_traits: unknown }>(
        `select external_id, first_name, city, custom_traits from people where account_id = $1 order by external_id`,
        [acc],
      );
      expect(r.rows).toEqual([
        { external_id: 'T1', first_name: 'New', city: 'Reno', custom_traits: { tier: 'gold' } },
        { external_id: 'T2', first_name: 'Second', city: null, custom_traits: { tier: 'gold' } },
      ]);
    });

    it('takes a key for new only when neither the account nor an earlier row has it', async () => {
      const acc = await createAccount(database, 'Filter');
      await database.query(`insert into people (account_id, external_id) select $1, 'K' || g from generate_series(1, 50) g`, [acc]);
      const filter = await KeyFilter.load(database, acc, { table: 'people', column: 'external_id' }, 1000, 100, 7);
      expect(filter).not.toBeNull();
      for (let i = 1; i <= 50; i++) expect(filter!.claim(`K${i}`)).toBe(false);
      let fresh = 0;
      for (let i = 51; i <= 1050; i++) if (filter!.claim(`K${i}`)) fresh++;
      expect(fresh).toBeGreaterThan(990);
      for (let i = 1; i <= 1050; i++) expect(filter!.claim(`K${i}`)).toBe(false);
      expect(await KeyFilter.load(database, acc, { table: 'people', column: 'external_id' }, 1000, 49, 7)).toBeNull();
    });

    it('reads person keys page by page, keeping the lowest id of a shared email, within a limit', async () => {
      const other = await createAccount(database, 'Other');
      await database.query(
        `insert into people (account_id, external_id, email_norm) values ($1, 'A', 'shared@x.com'), ($1, 'B', 'shared@x.com'),
           ($1, 'C', 'c@x.com'), ($1, null, 'shared@x.com'), ($2, 'A', 'a@x.com')`,
        [other, accountId],
      );
      const ids = (
        await database.query<{ external_id: string | null; id: string }>('select external_id, id::text from people where account_id = $1 order by id', [other])
      ).rows;
      const keys = await PersonKeys.load(database, other, { externalId: true, email: true }, 100, 1);
      expect(keys).not.toBeNull();
      expect(keys!.idOf('A', null)).toBe(Number(ids[0].id));
      expect(keys!.idOf('C', 'shared@x.com')).toBe(Number(ids[2].id));
      expect(keys!.idOf(null, 'shared@x.com')).toBe(Number(ids[0].id));
      expect(keys!.idOf('Z', null)).toBeUndefined();
      expect(keys!.idOf(null, 'a@x.com')).toBeUndefined(); // another account's
      expect(await PersonKeys.load(database, other, { externalId: true, email: false }, 2, 1)).toBeNull();
    });

    it('counts custom trait coverage without JSON nulls, and the most common values first', async () => {
      const acc = await createAccount(database, 'Traits');
      await upsertCustomTraits(tenantOf(database, acc), [
        { key: 'tier', label: 'Tier', type: 'categorical' },
        { key: 'points', label: 'Points', type: 'numeric' },
        { key: 'vip', label: 'VIP', type: 'boolean' },
      ]);
      await database.query(
        `insert into people (account_id, external_id, custom_traits) values
           ($1, '1', '{"tier": "gold", "points": 1}'), ($1, '2', '{"tier": "silver", "points": null}'),
           ($1, '3', '{"tier": "gold", "vip": true}'), ($1, '4', '{"tier": null}'), ($1, '5', null)`,
        [acc],
      );
      await refreshCustomTraitStats(tenantOf(database, acc));
      const r = await database.query<{ key: string; coverage: number; categories: string[] | null }>(
        'select key, coverage, categories from traits where account_id = $1 order by key',
        [acc],
      );
      expect(r.rows).toEqual([
        { key: 'points', coverage: 0.2, categories: null },
        { key: 'tier', coverage: 0.6, categories: ['gold', 'silver'] },
        { key: 'vip', coverage: 0.2, categories: null },
      ]);
    });
  });
}
