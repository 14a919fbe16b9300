// Batched, idempotent writes of ingested rows. A batch travels as COPY text into a staging table of the
// connection; one transaction then writes it with set-based SQL: rows whose key is certainly new as plain inserts,
// the others as upserts, person lookups and row errors included.
import { createHash } from 'node:crypto';
import type { Database } from '@/db/client';
import { CopyTextWriter } from '@/db/copy-text';
import type { OrderRow, PersonRow } from './rows';

/**
 * Rows of one batch as COPY text, in file order, each starting with its line number, the reason it was rejected
 * (rejected rows carry nothing else) and whether its key is new: the rows are never held as objects or strings.
 */
export class StageBatch {
  readonly copy = new CopyTextWriter();
  /** rows in the batch */
  size = 0;
  /** rows to write */
  ok = 0;
  /** rows rejected while reading */
  errors = 0;
  /** rows whose key is certainly not in the table yet */
  fresh = 0;
  /** people keyed by email only (no external id) */
  emailOnly = 0;
  /** orders whose person the database has to look up */
  unresolved = 0;

  constructor(private readonly width: number) {}

  addError(line: number, reason: string): void {
    this.copy.number(line).text(reason.includes('\0') ? reason.replaceAll('\0', '\uFFFD') : reason).nuls(this.width).endRow();
    this.size++;
    this.errors++;
  }

  /** A person; `fresh` when no row of the table nor an earlier row of the file has its external id. */
  addPerson(line: number, r: PersonRow, fresh: boolean): void {
    const c = this.copy.number(line).nul().bool(fresh);
    c.text(r.externalId).text(r.email).text(r.emailNorm).text(r.firstName).text(r.lastName);
    c.text(r.street).text(r.city).text(r.state).text(r.postcode).text(r.phone);
    const custom = r.custom ? JSON.stringify(r.custom) : null;
    // JSON escapes the character, which jsonb refuses all the same
    if (custom?.includes('\\u0000')) this.copy.hasNul = true;
    c.text(custom);
    if (this.rejectedNul(line)) return;
    c.endRow();
    this.counted(fresh);
    if (!r.externalId) this.emailOnly++;
  }

  /**
   * An order, with its person's id when it is known already (else the database looks it up by the keys); `fresh`
   * when no row of the table nor an earlier row of the file has its order id.
   */
  addOrder(line: number, key: string, r: OrderRow, personId: number | undefined, fresh: boolean): void {
    const c = this.copy.number(line).nul().bool(fresh).text(key);
    if (personId === undefined) c.nul().text(r.personExternalId).text(r.personEmailNorm);
    else c.number(personId).nuls(2);
    c.text(r.orderedAt).number(r.amount).text(r.product).text(r.category).number(r.quantity);
    if (this.rejectedNul(line)) return;
    c.endRow();
    this.counted(fresh);
    if (personId === undefined) this.unresolved++;
  }

  private counted(fresh: boolean): void {
    this.size++;
    this.ok++;
    if (fresh) this.fresh++;
  }

  private rejectedNul(line: number): boolean {
    if (!this.copy.hasNul) return false;
    this.copy.dropRow();
    this.addError(line, 'a value holds a NUL character (\\0), which cannot be stored');
    return true;
  }

  /** Empties the batch for reuse (its memory is kept). */
  reset(): void {
    this.copy.reset();
    this.size = this.ok = this.errors = this.fresh = this.emailOnly = this.unresolved = 0;
  }
}

const PEOPLE_STAGE = 'facet_ingest_people';
const PEOPLE_STAGE_COLUMNS = `line int4 not null, reason text, fresh bool, external_id text, email text, email_norm text,
  first_name text, last_name text, street text, city text, state text, postcode text, phone text, custom_traits jsonb`;
const PEOPLE_COLUMNS = 'external_id, email, email_norm, first_name, last_name, street, city, state, postcode, phone, custom_traits';

const ORDERS_STAGE = 'facet_ingest_orders';
const ORDERS_STAGE_COLUMNS = `line int4 not null, reason text, fresh bool, order_key text, person_id int8, person_external_id text,
  person_email_norm text, ordered_at timestamptz, amount float8, product text, category text, quantity int4`;

// the columns after the reason
export const newPeopleBatch = () => new StageBatch(12);
export const newOrdersBatch = () => new StageBatch(10);

/**
 * Runs `merge` in a transaction after COPYing `data` into the temporary table `stage` (emptied at commit). `merge`
 * first trusts the batch's fresh keys; should one be taken after all (another upload of the account writing at the
 * same time, or a later row of this file written first by a batch alongside), the transaction is run again
 * upserting every row.
 */
async function withStage<T>(
  database: Database,
  stage: string,
  columns: string,
  batch: StageBatch,
  merge: (tx: Database, trustFresh: boolean) => Promise<T>,
): Promise<T> {
  const data = batch.copy.bytes();
  const attempt = (trustFresh: boolean) =>
    database.transaction(async (tx) => {
      // each statement runs once per batch: compiling it to machine code (tens of milliseconds) costs more than it saves
      if (tx.driver === 'pg') await tx.query('set local jit = off');
      await tx.query(`create temp table if not exists ${stage} (${columns}) on commit delete rows`);
      await tx.copyIn((src) => `copy ${stage} from ${src}`, data);
      return merge(tx, trustFresh);
    });
  if (!batch.fresh) return attempt(false);
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
  await withStage(database, PEOPLE_STAGE, PEOPLE_STAGE_COLUMNS, batch, async (tx, trustFresh) => {
    const params = [accountId, datasetId];
    if (batch.errors)
      await tx.query(
        `insert into dataset_row_errors (dataset_id, line, reason)
         select $1::uuid, line, reason from ${PEOPLE_STAGE} where reason is not null
         on conflict (dataset_id, line) do update set reason = excluded.reason`,
        [datasetId],
      );
    // new keys, each once in the file so far: no conflict to arbitrate, nothing to sort
    if (trustFresh)
      await tx.query(
        `insert into people (account_id, ${PEOPLE_COLUMNS}, dataset_id)
         select $1::uuid, ${PEOPLE_COLUMNS}, $2::uuid from ${PEOPLE_STAGE} where reason is null and fresh`,
        params,
      );
    // after them: a later row of the batch for the same key updates what they wrote; rows sorted by key, so batches
    // written side by side take their row locks in the same order
    if (upserts || !trustFresh)
      await tx.query(
        `insert into people (account_id, ${PEOPLE_COLUMNS}, dataset_id)
         select distinct on (external_id) $1::uuid, ${PEOPLE_COLUMNS}, $2::uuid from ${PEOPLE_STAGE}
         where reason is null and external_id is not null ${trustFresh ? 'and not fresh' : ''}
         order by external_id, line desc
         on conflict (account_id, external_id) do update set ${mergePerson('people', 'excluded', 'excluded.dataset_id')}`,
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

const ORDER_VALUES = ['person_id', 'ordered_at', 'amount', 'product', 'category', 'quantity', 'dataset_id'];
const ORDER_COLUMNS = `account_id, external_order_id, ${ORDER_VALUES.join(', ')}`;
const ORDER_SELECT = `$1::uuid, order_key, person_id, ordered_at, amount, product, category, quantity, $2::uuid`;

/**
 * Writes a batch of orders on (account, order id). Orders whose person was not known in memory are looked up by
 * customer id, else by email; those still unknown and the rejected rows become row errors. Within a batch the last
 * row for an order id wins; an order that would not change is left alone. Returns the number of orders whose
 * person is unknown.
 */
export async function writeOrdersBatch(database: Database, accountId: string, datasetId: string, batch: StageBatch): Promise<number> {
  const upserts = batch.ok - batch.fresh > 0;
  return withStage(database, ORDERS_STAGE, ORDERS_STAGE_COLUMNS, batch, async (tx, trustFresh) => {
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
    // new order ids, each once in the file so far: no conflict to arbitrate, nothing to sort
    if (trustFresh)
      await tx.query(
        `insert into orders (${ORDER_COLUMNS}) select ${ORDER_SELECT} from ${ORDERS_STAGE}
         where reason is null and person_id is not null and fresh`,
        params,
      );
    // after them: a later row of the batch for the same order updates what they wrote; rows sorted by order id, so
    // batches written side by side take their row locks in the same order
    if (upserts || !trustFresh)
      await tx.query(
        `insert into orders (${ORDER_COLUMNS})
         select distinct on (order_key) ${ORDER_SELECT} from ${ORDERS_STAGE}
         where reason is null and person_id is not null ${trustFresh ? 'and not fresh' : ''}
         order by order_key, line desc
         on conflict (account_id, external_order_id) do update set ${ORDER_VALUES.map((c) => `${c} = excluded.${c}`).join(', ')}
         where (${ORDER_VALUES.map((c) => `orders.${c}`).join(', ')}) is distinct from (${ORDER_VALUES.map((c) => `excluded.${c}`).join(', ')})`,
        params,
      );
    return unknown;
  });
}
