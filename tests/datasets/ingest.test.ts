import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setDatabase, type Database } from '@/db/client';
import { seedGraph, seedTraitCatalog } from '@/scripts/seed';
import { ingestDataset } from '@/inngest/functions/datasets';
import { startEmbeddedRunner, type EmbeddedRunner } from '@/inngest/runner';
import { createCohort, getCohortOrThrow } from '@/lib/services/cohorts';
import {
  confirmDatasetMapping,
  createDatasetFromUpload,
  getDatasetOrThrow,
  listRowErrors,
  rowErrorsCsv,
} from '@/lib/services/datasets';
import { listAccountTraits } from '@/lib/services/traits';
import { normalizeEmail } from '@/lib/identity-graph/normalize';
import { testDatabases } from '../helpers/db';
import { chunked, createAccount, csvCell, graphIdentities } from './fixtures';
import { tenantOf } from '@/lib/services/tenant';

process.env.FACET_UPLOAD_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'facet-uploads-'));
afterAll(() => fs.rmSync(process.env.FACET_UPLOAD_DIR!, { recursive: true, force: true }));

const ids = graphIdentities(100, 6);

/** People file: BOM, CRLF, quoted commas, quotes and newlines inside fields, UTF-8 names, two bad rows. */
function peopleCsv(opts: { points: string[] }): string {
  const header = ['Customer ID', 'E-mail', 'First Name', 'Last Name', 'Address', 'City', 'State', 'Zip', 'Dog owner', 'Lifetime points', 'Notes'];
  const rows: string[][] = ids.map((p, i) => [
    `C-${i + 1}`,
    i === 1 ? `  ${p.email.toUpperCase()} ` : i === 3 ? '' : p.email,
    i === 0 ? 'José' : p.firstName,
    p.lastName,
    p.street,
    p.city,
    p.state,
    p.postcode,
    i % 2 ? 'yes' : 'no',
    opts.points[i],
    i === 2 ? 'Likes "big" tents,\r\nand stoves' : `note ${i}`,
  ]);
  // unmatched person with UTF-8 name and a comma in the street
  rows.push(['C-7', 'zoë.ñúñez@example.com', 'Zoë', 'Ñúñez-王', '12 Rue de l’Église, Apt 4', 'Montréal', 'QC', 'H2X 1Y4', 'yes', '5', 'ünïcödé ✓']);
  rows.push(['C-8', 'not-an-email', 'Bad', 'Email', '', '', '', '', 'no', '1', '']); // bad: invalid email
  rows.push(['C-9', 'x@example.com', 'Ragged']); // bad: 3 fields
  rows.push(['C-10', 'y@example.com', 'Pts', 'Wrong', '', '', '', '', 'no', 'lots', '']); // bad: points not a number
  const lines = [header, ...rows].map((r) => r.map(csvCell).join(','));
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}

for (const target of testDatabases()) {
  describe(`dataset upload end to end on ${target.name}`, () => {
    let database: Database;
    let runner: EmbeddedRunner;
    let accountId: string;

    beforeAll(async () => {
      database = await target.open();
      setDatabase(database);
      await seedTraitCatalog(database);
      await seedGraph(database, 2000);
      accountId = await createAccount(database, 'Acme');
      runner = await startEmbeddedRunner({ database, functions: [ingestDataset], pollMs: 25, backoffMs: () => 20, cron: false });
    });
    afterAll(async () => {
      await runner?.stop();
      setDatabase(undefined);
      await target.dispose(database);
    });

    async function uploadAndProcess(text: string, fileName: string, mappingPatch: Record<string, string> = {}) {
      const up = await createDatasetFromUpload(tenantOf(database, accountId), { fileName, body: chunked(text) });
      await confirmDatasetMapping(tenantOf(database, accountId), up.dataset.id, {
        kind: up.dataset.kind,
        mapping: { ...up.dataset.mapping!, ...mappingPatch },
      });
      await runner.drain(60_000);
      return { up, dataset: await getDatasetOrThrow(tenantOf(database, accountId), up.dataset.id) };
    }

    it('detects the columns, ingests the good rows and reports the bad ones by line', async () => {
      const { up, dataset } = await uploadAndProcess(peopleCsv({ points: ['10', '20', '30', '40', '50', '60'] }), 'crm export.csv');
      expect(up.headers[0]).toBe('Customer ID'); // BOM stripped
      expect(up.dataset.kind).toBe('people');
      expect(up.dataset.mapping).toMatchObject({
        'Customer ID': 'external_id',
        'E-mail': 'email',
        'First Name': 'first_name',
        'Last Name': 'last_name',
        Address: 'street',
        City: 'city',
        State: 'state',
        Zip: 'postcode',
        'Dog owner': 'trait:boolean',
        'Lifetime points': 'trait:numeric',
        Notes: 'trait:categorical',
      });
      expect(dataset.status).toBe('ready');
      expect(dataset.rowCount).toBe(10);
      expect(dataset.okCount).toBe(7);
      expect(dataset.errorCount).toBe(3);
      // the quoted newline in row 3 makes the file one physical line longer from there on
      const errors = await listRowErrors(tenantOf(database, accountId), dataset.id);
      expect(errors.map((e) => e.line)).toEqual([10, 11, 12]);
      expect(errors[0].reason).toMatch(/invalid email/);
      expect(errors[1].reason).toMatch(/expected 11 fields but found 3/);
      expect(errors[2].reason).toMatch(/Lifetime points.*number/);
      let csv = '';
      for await (const chunk of rowErrorsCsv(tenantOf(database, accountId), dataset.id)) csv += chunk;
      expect(csv.split('\r\n').filter(Boolean)).toHaveLength(4);

      const people = await database.query<Record<string, unknown>>(
        'select external_id, email, email_norm, first_name, last_name, street, city, custom_traits, graph_id, match_method from people where account_id = $1 order by id',
        [accountId],
      );
      expect(people.rows).toHaveLength(7);
      const byId = new Map(people.rows.map((r) => [r.external_id as string, r]));
      expect(byId.get('C-1')!.first_name).toBe('José');
      expect(byId.get('C-2')!.email_norm).toBe(normalizeEmail(ids[1].email));
      expect(byId.get('C-3')!.custom_traits).toEqual({ my_dog_owner: false, lifetime_points: 30, notes: 'Likes "big" tents,\r\nand stoves' });
      expect(byId.get('C-7')).toMatchObject({ first_name: 'Zoë', last_name: 'Ñúñez-王', street: '12 Rue de l’Église, Apt 4', city: 'Montréal' });
      expect(byId.get('C-7')!.custom_traits).toEqual({ my_dog_owner: true, lifetime_points: 5, notes: 'ünïcödé ✓' });
      // matching: graph people by email (C-4 by name + address), the foreign person not at all
      for (let i = 0; i < 6; i++) expect(byId.get(`C-${i + 1}`)!.graph_id).toBe(ids[i].graphId);
      expect(byId.get('C-4')!.match_method).toBe('name_address');
      expect(byId.get('C-7')!.match_method).toBe('none');
      expect(dataset.matchedCount).toBe(6);
      expect(dataset.missReasons).toEqual({ no_candidate: 1 });
      const traits = await listAccountTraits(tenantOf(database, accountId));
      const custom = traits.filter((t) => t.source === 'custom');
      expect(custom.map((t) => [t.key, t.type]).sort()).toEqual([
        ['lifetime_points', 'numeric'],
        ['my_dog_owner', 'boolean'],
        ['notes', 'categorical'],
      ]);
      expect(custom.find((t) => t.key === 'my_dog_owner')!.coverage).toBeCloseTo(1, 5);
      // graph traits were copied onto matched people: 6 of 7 carry them
      expect(traits.find((t) => t.key === 'age')!.coverage).toBeCloseTo(6 / 7, 5);
    });

    it('uploading the same people again updates them instead of duplicating', async () => {
      const { dataset } = await uploadAndProcess(peopleCsv({ points: ['11', '21', '31', '41', '51', '61'] }), 'crm export.csv');
      expect(dataset.okCount).toBe(7);
      const r = await database.query<{ n: number; pts: number }>(
        `select count(*)::int as n, sum((custom_traits->>'lifetime_points')::int)::int as pts from people where account_id = $1`,
        [accountId],
      );
      expect(r.rows[0].n).toBe(7);
      expect(r.rows[0].pts).toBe(11 + 21 + 31 + 41 + 51 + 61 + 5);
    });

    it('a semicolon-separated people file without external ids upserts on email', async () => {
      const text = 'email;first_name;loyalty tier\n' + `${ids[0].email.toUpperCase()};Joe;gold\nnew.person@example.com;New;silver\n`;
      const { dataset } = await uploadAndProcess(text, 'by-email.csv');
      expect(dataset.okCount).toBe(2);
      const r = await database.query<{ external_id: string | null; first_name: string; tier: string }>(
        `select external_id, first_name, custom_traits->>'loyalty_tier' as tier from people where account_id = $1 and custom_traits ? 'loyalty_tier' order by id`,
        [accountId],
      );
      expect(r.rows).toEqual([
        { external_id: 'C-1', first_name: 'Joe', tier: 'gold' },
        { external_id: null, first_name: 'New', tier: 'silver' },
      ]);
    });

    it('ingests orders by customer id or email, reports unknown people and bad values, and re-uploads without duplicates', async () => {
      const cohort = await createCohort(tenantOf(database, accountId), {
        name: 'Two or more orders',
        definition: { events: [{ kind: 'order_count', min: 2 }], traits: [] },
      });
      expect(cohort.memberCount).toBe(0);
      const text = [
        'order_id,customer_id,email,order_date,total,product,category,qty',
        'O-1,C-1,,2025-01-05,"$1,200.50",Tent,Camping,1',
        'O-2,C-1,,2025-03-01T10:30:00Z,20,"Mug, enamel",Kitchen,2',
        `,,${ids[1].email.toUpperCase()},3/15/2025,35.5,Socks,Apparel,`,
        `,,${ids[1].email},2025-04-01,12,Socks,Apparel,1`,
        'O-5,C-404,,2025-01-01,10,Hat,Apparel,1',
        'O-6,C-2,,2025-02-30,10,Hat,Apparel,1',
        'O-7,C-2,,2025-02-03,ten,Hat,Apparel,1',
      ].join('\n');
      const first = await uploadAndProcess(text, 'orders.csv');
      expect(first.up.dataset.kind).toBe('orders');
      expect(first.up.dataset.mapping).toMatchObject({
        order_id: 'order_id',
        customer_id: 'person_external_id',
        email: 'person_email',
        order_date: 'ordered_at',
        total: 'amount',
        product: 'product',
        category: 'category',
        qty: 'quantity',
      });
      expect(first.dataset.status).toBe('ready');
      expect([first.dataset.okCount, first.dataset.errorCount]).toEqual([4, 3]);
      const errors = await listRowErrors(tenantOf(database, accountId), first.dataset.id);
      expect(errors.map((e) => e.line)).toEqual([6, 7, 8]);
      expect(errors[0].reason).toMatch(/no person with customer id "C-404"/);
      expect(errors[1].reason).toMatch(/unreadable date/);
      expect(errors[2].reason).toMatch(/amount "ten"/);
      const orders = async () =>
        (
          await database.query<{ n: number; total: number }>(
            'select count(*)::int as n, sum(amount * quantity)::float8 as total from orders where account_id = $1',
            [accountId],
          )
        ).rows[0];
      expect(await orders()).toEqual({ n: 4, total: 1200.5 + 40 + 35.5 + 12 });
      // both people have two orders now: the cohort was recomputed by the job
      expect((await getCohortOrThrow(tenantOf(database, accountId), cohort.id)).memberCount).toBe(2);
      const again = await uploadAndProcess(text, 'orders.csv');
      expect(again.dataset.okCount).toBe(4);
      expect(await orders()).toEqual({ n: 4, total: 1200.5 + 40 + 35.5 + 12 });
    });
  });
}
