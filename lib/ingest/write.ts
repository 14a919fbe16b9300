// Batched, idempotent writes of ingested rows. Rows whose key is certainly new travel as COPY text straight into
// their table (no staging, no arbiter, no sort); the others go as COPY text into a staging table of the connection
// and one set-based statement per kind writes them: upserts, person lookups and row errors included.
import { createHash } from 'node:crypto';
import type { Database } from '@/db/client';
import { CopyTextWriter } from '@/db/copy-text';
import type { OrderRow, PersonRow } from './rows';

/**
 * Rows of one batch as COPY text, never held as objects or strings. `direct` holds the rows whose key is certainly
 * new, in the target table's own columns (account and dataset included); `copy` holds the others in file order, each
 * starting with its line number and the reason it was rejected (rejected rows carry nothing else).
 */
export class StageBatch {
  readonly copy = new CopyTextWriter();
  readonly direct = new CopyTextWriter();
  /** rows in the batch */
  size = 0;
  /** rows to write */
  ok = 0;
  /** rows rejected while reading */
  errors = 0;
  /** rows whose key is certainly not in the table yet (the rows of `direct`) */
  fresh = 0;
  /** people keyed by email only (no external id) */
  emailOnly = 0;
  /** orders whose person the database has to look up */
  unresolved = 0;

  constructor(
    private readonly width: number,
    private readonly accountId: string,
    private readonly datasetId: string,
  ) {}

  addError(line: number, reason: string): void {
    this.copy.number(line).text(reason.includes('\0') ? reason.replaceAll('\0', '\uFFFD') : reason).nuls(this.width).endRow();
    this.size++;
    this.errors++;
  }

  /** A person; `fresh` (with an external id only) when no row of the table nor an earlier row of the file has it. */
  addPerson(line: number, r: PersonRow, fresh: boolean): void {
    const direct = fresh && r.externalId !== null;
    const w = direct ? this.direct : this.copy;
    const c = direct ? w.text(this.accountId) : w.number(line).nul();
    c.text(r.externalId).text(r.email).text(r.emailNorm).text(r.firstName).text(r.lastName);
    c.text(r.street).text(r.city).text(r.state).text(r.postcode).text(r.phone);
    const custom = r.custom ? JSON.stringify(r.custom) : null;
    // JSON escapes the character, which jsonb refuses all the same
    if (custom?.includes('\\u0000')) w.hasNul = true;
    c.text(custom);
    if (direct) c.text(this.datasetId);
    if (this.rejectedNul(w, line)) return;
    c.endRow();
    this.counted(direct);
    if (!r.externalId) this.emailOnly++;
  }

  /**
   * An order, with its person's id when it is known already (else the database looks it up by the keys); `fresh`
   * when no row of the table nor an earlier row of the file has its order id.
   */
  addOrder(line: number, key: string, r: OrderRow, personId: number | undefined, fresh: boolean): void {
    const direct = fresh && personId !== undefined;
    const w = direct ? this.direct : this.copy;
    const c = direct ? w.text(this.accountId).text(key) : w.number(line).nul().text(key);
    if (personId === undefined) c.nul().text(r.personExternalId).text(r.personEmailNorm);
    else if (direct) c.number(personId);
    else c.number(personId).nuls(2);
    c.text(r.orderedAt).number(r.amount).text(r.product).text(r.category).number(r.quantity);
    if (direct) c.text(this.datasetId);
    if (this.rejectedNul(w, line)) return;
    c.endRow();
    this.counted(direct);
    if (personId === undefined) this.unresolved++;
  }

  private counted(fresh: boolean): void {
    this.size++;
    this.ok++;
    if (fresh) this.fresh++;
  }

  private rejectedNul(w: CopyTextWriter, line: number): boolean {
    if (!w.hasNul) return false;
    w.dropRow();
    this.addError(line, 'a value holds a NUL character (\\0), which cannot be stored');
    return true;
  }

  /** Empties the batch for reuse (its memory is kept). */
  reset(): void {
    this.copy.reset();
    this.direct.reset();
    this.size = this.ok = this.errors = this.fresh = this.emailOnly = this.unresolved = 0;
  }
}

const PEOPLE_STAGE = 'facet_ingest_people';
const PEOPLE_STAGE_COLUMNS = `line int4 not null, reason text, external_id text, email text, email_norm text,
  first_name text, last_name text, street text, city text, state text, postcode text, phone text, custom_traits jsonb`;
const PEOPLE_COLUMNS = 'external_id, email, email_norm, first_name, last_name, street, city, state, postcode, phone, custom_traits';
const PEOPLE_DIRECT = {
  table: 'people',
  columns: `account_id, ${PEOPLE_COLUMNS}, dataset_id`,
  stage: 'facet_ingest_people_new',
  stageColumns: `account_id uuid, external_id text, email text, email_norm text, first_name text, last_name text, street text,
    city text, state text, postcode text, phone text, custom_traits jsonb, dataset_id uuid`,
};

const ORDERS_STAGE = 'facet_ingest_orders';
const ORDERS_STAGE_COLUMNS = `line int4 not null, reason text, order_key text, person_id int8, person_external_id text,
  person_email_norm text, ordered_at timestamptz, amount float8, product text, category text, quantity int4`;

const ORDER_VALUES = ['person_id', 'ordered_at', 'amount', 'product', 'category', 'quantity', 'dataset_id'];
const ORDER_COLUMNS = `account_id, external_order_id, ${ORDER_VALUES.join(', ')}`;
const ORDERS_DIRECT = {
  table: 'orders',
  columns: ORDER_COLUMNS,
  stage: 'facet_ingest_orders_new',
  stageColumns: `account_id uuid, external_order_id text, person_id int8, ordered_at timestamptz, amount float8, product text,
    category text, quantity int4, dataset_id uuid`,
};
const ORDER_SELECT = `$1::uuid, order_key, person_id, ordered_at, amount, product, category, quantity, $2::uuid`;

// the staged columns after the reason
export const newPeopleBatch = (accountId: string, datasetId: string) => new StageBatch(11, accountId, datasetId);
export const newOrdersBatch = (accountId: string, datasetId: string) => new StageBatch(9, accountId, datasetId);

interface DirectTarget {
  table: string;
  columns: string;
  /** where the batch's new rows wait when they have to be upserted after all */
  stage: string;
  stageColumns: string;
}

/**
 * Runs `merge` in a transaction after COPYing the batch: its new rows straight into the target table, the others into
 * the temporary table `stage` (emptied at commit). Should a new row's key be taken after all (another upload of the
 * account writing at the same time, or a later row of this file written first by a batch alongside), the transaction
 * is run again with the new rows COPYed into `target.stage` instead, for `merge` to upsert them first.
 */
async function writeBatch<T>(
  database: Database,
  stage: string,
  columns: string,
  target: DirectTarget,
  batch: StageBatch,
  merge: (tx: Database, freshUpserted: boolean) => Promise<T>,
): Promise<T> {
  const staged = batch.copy.byteLength ? batch.copy.bytes() : null;
  const direct = batch.fresh ? batch.direct.bytes() : null;
  const attempt = (trustFresh: boolean) =>
    database.transaction(async (tx) => {
      // each statement runs once per batch: compiling it to machine code (tens of milliseconds) costs more than it saves
      await tx.query('set local jit = off');
      if (direct && trustFresh) await tx.copyIn((src) => `copy ${target.table} (${target.columns}) from ${src}`, direct);
      else if (direct) {
        await tx.query(`create temp table if not exists ${target.stage} (${target.stageColumns}) on commit delete rows`);
        await tx.copyIn((src) => `copy ${target.stage} from ${src}`, direct);
      }
      if (staged) {
        await tx.query(`create temp table if not exists ${stage} (${columns}) on commit delete rows`);
        await tx.copyIn((src) => `copy ${stage} from ${src}`, staged);
      }
      return merge(tx, !!direct && !trustFresh);
    });
  if (!direct) return attempt(false);
  try {
    return await attempt(true);
  } catch (err) {
    // unique_violation, or deadlock_detected against a batch upserting the same keys in another order
    const code = (err as { code?: string }).code;
    if (code !== '23505' && code !== '40P01') throw err;
    return attempt(false);
  }
}

// A column left empty in the file keeps what we knew; custom traits merge key by key.
const MERGED_COLUMNS = ['email', 'email_norm', 'first_name', 'last_name', 'street', 'city', 'state', 'postcode', 'phone', 'custom_traits'];
const merged = (old: string, row: string, c: string) =>
  c === 'custom_traits'
    ? `case when ${row}.custom_traits is null then ${old}.custom_traits else coalesce(${old}.custom_traits, '{}'::jsonb) || ${row}.custom_traits end`
    : `coalesce(${row}.${c}, ${old}.${c})`;

/**
 * The SET list that merges `row` (the file's values) into `old` (the stored person). updated_at moves only when a
 * value differs: a person re-sent unchanged is not changed, so nothing re-scores them.
 */
function mergePerson(old: string, row: string, datasetId: string): string {
  // a value the file gives that differs from the stored one; custom traits (scalars) differ unless the stored ones hold them
  const differs = MERGED_COLUMNS.map((c) =>
    c === 'custom_traits'
      ? `(${row}.custom_traits is not null and not coalesce(${old}.custom_traits @> ${row}.custom_traits, false))`
      : `(${row}.${c} is not null and ${row}.${c} is distinct from ${old}.${c})`,
  );
  return `${MERGED_COLUMNS.map((c) => `${c} = ${merged(old, row, c)}`).join(', ')}, dataset_id = ${datasetId},
    updated_at = case when ${differs.join(' or ')} then now() else ${old}.updated_at end`;
}

/**
 * Writes a batch of people: by external id when the row has one, otherwise by normalized email (every person of the
 * account with that email is updated; a new one is added when there is none). Within a batch the last row for a key
 * wins. Rejected rows are stored as row errors.
 */
export async function writePeopleBatch(database: Database, accountId: string, datasetId: string, batch: StageBatch): Promise<void> {
  const upserts = batch.ok - batch.fresh - batch.emailOnly > 0;
  const onConflict = `on conflict (account_id, external_id) do update set ${mergePerson('people', 'excluded', 'excluded.dataset_id')}`;
  await writeBatch(database, PEOPLE_STAGE, PEOPLE_STAGE_COLUMNS, PEOPLE_DIRECT, batch, async (tx, freshUpserted) => {
    const params = [accountId, datasetId];
    if (batch.errors)
      await tx.query(
        `insert into dataset_row_errors (dataset_id, line, reason)
         select $1::uuid, line, reason from ${PEOPLE_STAGE} where reason is not null
         on conflict (dataset_id, line) do update set reason = excluded.reason`,
        [datasetId],
      );
    // the new keys (each once in the file so far) when one of them was taken after all: sorted by key, so batches
    // written side by side take their row locks in the same order
    if (freshUpserted)
      await tx.query(
        `insert into people (${PEOPLE_DIRECT.columns}) select ${PEOPLE_DIRECT.columns} from ${PEOPLE_DIRECT.stage}
         order by external_id ${onConflict}`,
      );
    // after them: a later row of the batch for the same key updates what they wrote
    if (upserts)
      await tx.query(
        `insert into people (account_id, ${PEOPLE_COLUMNS}, dataset_id)
         select distinct on (external_id) $1::uuid, ${PEOPLE_COLUMNS}, $2::uuid from ${PEOPLE_STAGE}
         where reason is null and external_id is not null
         order by external_id, line desc ${onConflict}`,
        params,
      );
    if (!batch.emailOnly) return;
    // after the rows keyed by external id, so that an email-only row finds a person the same batch added
    const latestByEmail = `select distinct on (email_norm) * from ${PEOPLE_STAGE}
      where reason is null and external_id is null order by email_norm, line desc`;
    await tx.query(
      `update people p set ${mergePerson('p', 'u', '$2::uuid')}
       from (${latestByEmail}) u
       where p.account_id = $1::uuid and p.email_norm = u.email_norm`,
      params,
    );
    await tx.query(
      `insert into people (account_id, ${PEOPLE_COLUMNS}, dataset_id)
       select $1::uuid, ${PEOPLE_COLUMNS}, $2::uuid from (${latestByEmail}) u
       where not exists (select 1 from people p where p.account_id = $1::uuid and p.email_norm = u.email_norm)`,
      params,
    );
  });
}

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

/**
 * Writes a batch of orders on (account, order id). Orders whose person was not known in memory are looked up by
 * customer id, else by email; those still unknown and the rejected rows become row errors. Within a batch the last
 * row for an order id wins; an order that would not change is left alone. Returns the number of orders whose
 * person is unknown.
 */
export async function writeOrdersBatch(database: Database, accountId: string, datasetId: string, batch: StageBatch): Promise<number> {
  const staged = batch.ok - batch.fresh > 0;
  const changed = `where (${ORDER_VALUES.map((c) => `orders.${c}`).join(', ')}) is distinct from (${ORDER_VALUES.map((c) => `excluded.${c}`).join(', ')})`;
  const onConflict = `on conflict (account_id, external_order_id) do update set ${ORDER_VALUES.map((c) => `${c} = excluded.${c}`).join(', ')} ${changed}`;
  return writeBatch(database, ORDERS_STAGE, ORDERS_STAGE_COLUMNS, ORDERS_DIRECT, batch, async (tx, freshUpserted) => {
    const params = [accountId, datasetId];
    let unknown = 0;
    if (batch.unresolved) {
      // index probes per row whatever the statistics say about people
      await tx.query(
        `update ${ORDERS_STAGE} s set person_id = coalesce(
           (select p.id from people p where p.account_id = $1::uuid and p.external_id = s.person_external_id limit 1),
           (select p.id from people p where s.person_external_id is null and p.account_id = $1::uuid
              and p.email_norm = s.person_email_norm order by p.id limit 1))
         where s.reason is null and s.person_id is null`,
        [accountId],
      );
      const r = await tx.query<{ n: number }>(`select count(*)::int as n from ${ORDERS_STAGE} where reason is null and person_id is null`);
      unknown = Number(r.rows[0]?.n ?? 0);
    }
    if (batch.errors || unknown)
      await tx.query(
        `insert into dataset_row_errors (dataset_id, line, reason)
         select $1::uuid, line, coalesce(reason, case when person_external_id is not null
           then 'no person with customer id "' || left(person_external_id, 60) || '" (upload the people file first)'
           else 'no person with email "' || left(person_email_norm, 80) || '" (upload the people file first)' end)
         from ${ORDERS_STAGE} where reason is not null or person_id is null
         on conflict (dataset_id, line) do update set reason = excluded.reason`,
        [datasetId],
      );
    // the new order ids, each once in the file so far, when one of them was taken after all: sorted by order id, so
    // batches written side by side take their row locks in the same order
    if (freshUpserted)
      await tx.query(`insert into orders (${ORDER_COLUMNS}) select ${ORDER_COLUMNS} from ${ORDERS_DIRECT.stage} order by external_order_id ${onConflict}`);
    // after them: a later row of the batch for the same order updates what they wrote
    if (staged)
      await tx.query(
        `insert into orders (${ORDER_COLUMNS})
         select distinct on (order_key) ${ORDER_SELECT} from ${ORDERS_STAGE}
         where reason is null and person_id is not null
         order by order_key, line desc
         ${onConflict}`,
        params,
      );
    return unknown;
  });
}
