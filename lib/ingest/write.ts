// Batched, idempotent writes of ingested rows: upserts through unnest, never a statement per row.
import { createHash } from 'node:crypto';
import type { Database } from '@/db/client';
import { bulkInsert, PERSON_IDENTITY_COLUMNS, type BulkColumn } from '@/db/bulk';
import type { OrderRow, PersonRow } from './rows';

export interface LineError {
  line: number;
  reason: string;
}

const PEOPLE_COLUMNS: BulkColumn[] = [
  ...PERSON_IDENTITY_COLUMNS,
  { name: 'custom_traits', type: 'jsonb' },
  { name: 'dataset_id', type: 'uuid' },
];

// A column left empty in the file keeps what we knew; custom traits merge key by key.
const PEOPLE_UPDATE = `email = coalesce(excluded.email, people.email), email_norm = coalesce(excluded.email_norm, people.email_norm),
  first_name = coalesce(excluded.first_name, people.first_name), last_name = coalesce(excluded.last_name, people.last_name),
  street = coalesce(excluded.street, people.street), city = coalesce(excluded.city, people.city),
  state = coalesce(excluded.state, people.state), postcode = coalesce(excluded.postcode, people.postcode),
  phone = coalesce(excluded.phone, people.phone),
  custom_traits = case when excluded.custom_traits is null then people.custom_traits
    else coalesce(people.custom_traits, '{}'::jsonb) || excluded.custom_traits end,
  dataset_id = excluded.dataset_id, updated_at = now()`;

function personValues(accountId: string, datasetId: string, r: PersonRow): unknown[] {
  return [accountId, r.externalId, r.email, r.emailNorm, r.firstName, r.lastName, r.street, r.city, r.state, r.postcode, r.phone, r.custom, datasetId];
}

/**
 * Upserts people: by external id when the row has one, otherwise by normalized email.
 * Within a batch the last row for a key wins. Returns the number of rows written.
 */
export async function writePeople(database: Database, accountId: string, datasetId: string, rows: PersonRow[]): Promise<number> {
  const byExternal = new Map<string, PersonRow>();
  const byEmail = new Map<string, PersonRow>();
  for (const r of rows) {
    if (r.externalId) byExternal.set(r.externalId, r);
    else if (r.emailNorm) byEmail.set(r.emailNorm, r);
  }
  if (byExternal.size) {
    await bulkInsert(
      database,
      'people',
      PEOPLE_COLUMNS,
      [...byExternal.values()].sort((a, b) => (a.externalId! < b.externalId! ? -1 : 1)).map((r) => personValues(accountId, datasetId, r)),
      { onConflict: `on conflict (account_id, external_id) do update set ${PEOPLE_UPDATE}`, batchSize: 10_000 },
    );
  }
  if (byEmail.size) {
    const list = [...byEmail.values()];
    const col = (f: (r: PersonRow) => unknown) => list.map(f);
    const updated = await database.query<{ email_norm: string }>(
      `update people p set
         email = coalesce(u.email, p.email), first_name = coalesce(u.first_name, p.first_name),
         last_name = coalesce(u.last_name, p.last_name), street = coalesce(u.street, p.street), city = coalesce(u.city, p.city),
         state = coalesce(u.state, p.state), postcode = coalesce(u.postcode, p.postcode), phone = coalesce(u.phone, p.phone),
         custom_traits = case when u.custom_traits is null then p.custom_traits
           else coalesce(p.custom_traits, '{}'::jsonb) || u.custom_traits::jsonb end,
         dataset_id = $2, updated_at = now()
       from unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
         as u(email_norm, email, first_name, last_name, street, city, state, postcode, phone, custom_traits)
       where p.account_id = $1 and p.email_norm = u.email_norm
       returning p.email_norm`,
      [
        accountId,
        datasetId,
        col((r) => r.emailNorm),
        col((r) => r.email),
        col((r) => r.firstName),
        col((r) => r.lastName),
        col((r) => r.street),
        col((r) => r.city),
        col((r) => r.state),
        col((r) => r.postcode),
        col((r) => r.phone),
        col((r) => (r.custom ? JSON.stringify(r.custom) : null)),
      ],
    );
    const done = new Set(updated.rows.map((r) => r.email_norm));
    const fresh = list.filter((r) => !done.has(r.emailNorm!));
    if (fresh.length) await bulkInsert(database, 'people', PEOPLE_COLUMNS, fresh.map((r) => personValues(accountId, datasetId, r)));
  }
  return byExternal.size + byEmail.size;
}

const ORDER_COLUMNS: BulkColumn[] = [
  { name: 'account_id', type: 'uuid' },
  { name: 'person_id', type: 'int8' },
  { name: 'external_order_id', type: 'text' },
  { name: 'ordered_at', type: 'timestamptz' },
  { name: 'amount', type: 'float8' },
  { name: 'product', type: 'text' },
  { name: 'category', type: 'text' },
  { name: 'quantity', type: 'int4' },
  { name: 'dataset_id', type: 'uuid' },
];

/**
 * Order ids for rows without one: a hash of the row's content, with its occurrence number in the file,
 * so the same file uploaded again maps each row to the same order.
 */
export class OrderKeyer {
  private seen = new Map<string, number>();
  keyOf(r: OrderRow): string {
    if (r.orderId) return r.orderId;
    const h = createHash('sha1')
      .update(`${r.personExternalId ?? ''}\u0001${r.personEmailNorm ?? ''}\u0001${r.orderedAt}\u0001${r.amount}\u0001${r.product ?? ''}\u0001${r.category ?? ''}\u0001${r.quantity}`)
      .digest('base64url')
      .slice(0, 20);
    const n = (this.seen.get(h) ?? 0) + 1;
    this.seen.set(h, n);
    return `~${h}${n > 1 ? `.${n}` : ''}`;
  }
}

/** Upserts orders on (account, order id); rows whose person is unknown come back as errors. */
export async function writeOrders(
  database: Database,
  accountId: string,
  datasetId: string,
  rows: { line: number; row: OrderRow; key: string }[],
): Promise<{ written: number; errors: LineError[] }> {
  const extIds = new Set<string>();
  const emails = new Set<string>();
  for (const { row } of rows) {
    if (row.personExternalId) extIds.add(row.personExternalId);
    else if (row.personEmailNorm) emails.add(row.personEmailNorm);
  }
  const byExt = new Map<string, number>();
  const byEmail = new Map<string, number>();
  if (extIds.size) {
    const r = await database.query<{ k: string; id: string }>(
      `select external_id as k, id::text as id from people where account_id = $1 and external_id = any($2::text[])`,
      [accountId, [...extIds]],
    );
    for (const x of r.rows) byExt.set(x.k, Number(x.id));
  }
  if (emails.size) {
    const r = await database.query<{ k: string; id: string }>(
      `select distinct on (email_norm) email_norm as k, id::text as id from people
       where account_id = $1 and email_norm = any($2::text[]) order by email_norm, id`,
      [accountId, [...emails]],
    );
    for (const x of r.rows) byEmail.set(x.k, Number(x.id));
  }
  const errors: LineError[] = [];
  const byKey = new Map<string, unknown[]>();
  for (const { line, row, key } of rows) {
    const pid = row.personExternalId ? byExt.get(row.personExternalId) : byEmail.get(row.personEmailNorm!);
    if (pid === undefined) {
      errors.push({
        line,
        reason: row.personExternalId
          ? `no person with customer id "${row.personExternalId.slice(0, 60)}" (upload the people file first)`
          : `no person with email "${row.personEmailNorm!.slice(0, 80)}" (upload the people file first)`,
      });
      continue;
    }
    byKey.set(key, [accountId, pid, key, row.orderedAt, row.amount, row.product, row.category, row.quantity, datasetId]);
  }
  if (byKey.size)
    await bulkInsert(database, 'orders', ORDER_COLUMNS, [...byKey].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([, v]) => v), {
      onConflict: `on conflict (account_id, external_order_id) do update set person_id = excluded.person_id,
        ordered_at = excluded.ordered_at, amount = excluded.amount, product = excluded.product, category = excluded.category,
        quantity = excluded.quantity, dataset_id = excluded.dataset_id`,
      batchSize: 10_000,
    });
  return { written: rows.length - errors.length, errors };
}

export async function writeRowErrors(database: Database, datasetId: string, errors: LineError[]): Promise<void> {
  if (!errors.length) return;
  const byLine = new Map<number, string>();
  for (const e of errors) byLine.set(e.line, e.reason);
  await bulkInsert(
    database,
    'dataset_row_errors',
    [
      { name: 'dataset_id', type: 'uuid' },
      { name: 'line', type: 'int4' },
      { name: 'reason', type: 'text' },
    ],
    [...byLine].map(([line, reason]) => [datasetId, line, reason]),
    { onConflict: 'on conflict (dataset_id, line) do update set reason = excluded.reason' },
  );
}
