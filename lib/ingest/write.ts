// Batched, idempotent writes of ingested rows. A batch travels as COPY text into a staging table of the
// connection; one transaction then upserts it with set-based SQL (person lookup, row errors included).
import { createHash } from 'node:crypto';
import type { Database } from '@/db/client';
import { CopyTextWriter } from '@/db/copy-text';
import type { OrderRow, PersonRow } from './rows';

/**
 * Rows of one batch as COPY text, in file order, each starting with its line number and the reason it was rejected
 * (rejected rows carry nothing else): the rows are never held as objects or strings.
 */
export class StageBatch {
  readonly copy = new CopyTextWriter();
  /** rows in the batch */
  size = 0;
  /** rows to write */
  ok = 0;
  /** rows rejected while reading */
  errors = 0;
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

  addPerson(line: number, r: PersonRow): void {
    const c = this.copy.number(line).nul();
    c.text(r.externalId).text(r.email).text(r.emailNorm).text(r.firstName).text(r.lastName);
    c.text(r.street).text(r.city).text(r.state).text(r.postcode).text(r.phone);
    const custom = r.custom ? JSON.stringify(r.custom) : null;
    // JSON escapes the character, which jsonb refuses all the same
    if (custom?.includes('\\u0000')) this.copy.hasNul = true;
    c.text(custom);
    if (this.rejectedNul(line)) return;
    c.endRow();
    this.size++;
    this.ok++;
    if (!r.externalId) this.emailOnly++;
  }

  /** An order, with its person's id when it is known already (else the database looks it up by the keys). */
  addOrder(line: number, key: string, r: OrderRow, personId: number | undefined): void {
    const c = this.copy.number(line).nul().text(key);
    if (personId === undefined) c.nul().text(r.personExternalId).text(r.personEmailNorm);
    else c.number(personId).nuls(2);
    c.text(r.orderedAt).number(r.amount).text(r.product).text(r.category).number(r.quantity);
    if (this.rejectedNul(line)) return;
    c.endRow();
    this.size++;
    this.ok++;
    if (personId === undefined) this.unresolved++;
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
    this.size = this.ok = this.errors = this.emailOnly = this.unresolved = 0;
  }
}

const PEOPLE_STAGE = 'facet_ingest_people';
const PEOPLE_STAGE_COLUMNS = `line int4 not null, reason text, external_id text, email text, email_norm text, first_name text,
  last_name text, street text, city text, state text, postcode text, phone text, custom_traits jsonb`;
const PEOPLE_COLUMNS = 'external_id, email, email_norm, first_name, last_name, street, city, state, postcode, phone, custom_traits';

const ORDERS_STAGE = 'facet_ingest_orders';
const ORDERS_STAGE_COLUMNS = `line int4 not null, reason text, order_key text, person_id int8, person_external_id text,
  person_email_norm text, ordered_at timestamptz, amount float8, product text, category text, quantity int4`;

export const newPeopleBatch = () => new StageBatch(11);
export const newOrdersBatch = () => new StageBatch(9);

/** Runs `merge` in a transaction after COPYing `data` into the temporary table `stage` (emptied at commit). */
async function withStage<T>(database: Database, stage: string, columns: string, data: Uint8Array<ArrayBuffer>, merge: (tx: Database) => Promise<T>): Promise<T> {
  return database.transaction(async (tx) => {
    // each statement runs once per batch: compiling it to machine code (tens of milliseconds) costs more than it saves
    if (tx.driver === 'pg') await tx.query('set local jit = off');
    await tx.query(`create temp table if not exists ${stage} (${columns}) on commit delete rows`);
    await tx.copyIn((src) => `copy ${stage} from ${src}`, data);
    return merge(tx);
  });
}

const ROW_ERRORS_FROM_STAGE = (stage: string) => `insert into dataset_row_errors (dataset_id, line, reason)
  select $2::uuid, line, reason from ${stage} where reason is not null
  on conflict (dataset_id, line) do update set reason = excluded.reason`;

// A column left empty in the file keeps what we knew; custom traits merge key by key.
const PEOPLE_UPDATE = `email = coalesce(excluded.email, people.email), email_norm = coalesce(excluded.email_norm, people.email_norm),
  first_name = coalesce(excluded.first_name, people.first_name), last_name = coalesce(excluded.last_name, people.last_name),
  street = coalesce(excluded.street, people.street), city = coalesce(excluded.city, people.city),
  state = coalesce(excluded.state, people.state), postcode = coalesce(excluded.postcode, people.postcode),
  phone = coalesce(excluded.phone, people.phone),
  custom_traits = case when excluded.custom_traits is null then people.custom_traits
    else coalesce(people.custom_traits, '{}'::jsonb) || excluded.custom_traits end,
  dataset_id = excluded.dataset_id, updated_at = now()`;

/**
 * Upserts a batch of people: by external id when the row has one, otherwise by normalized email (every person of the
 * account with that email is updated; a new one is added when there is none). Within a batch the last row for a key
 * wins. Rejected rows are stored as row errors.
 */
export async function writePeopleBatch(database: Database, accountId: string, datasetId: string, batch: StageBatch): Promise<void> {
  const emailOnly = batch.emailOnly > 0;
  await withStage(database, PEOPLE_STAGE, PEOPLE_STAGE_COLUMNS, batch.copy.bytes(), async (tx) => {
    // rows sorted by key: batches written side by side take their row locks in the same order
    await tx.query(
      `with errors as (${ROW_ERRORS_FROM_STAGE(PEOPLE_STAGE)})
       insert into people (account_id, ${PEOPLE_COLUMNS}, dataset_id)
       select distinct on (external_id) $1::uuid, ${PEOPLE_COLUMNS}, $2::uuid from ${PEOPLE_STAGE}
       where reason is null and external_id is not null
       order by external_id, line desc
       on conflict (account_id, external_id) do update set ${PEOPLE_UPDATE}`,
      [accountId, datasetId],
    );
    if (!emailOnly) return;
    // after the rows keyed by external id, so that an email-only row finds a person the same batch added
    const latestByEmail = `select distinct on (email_norm) * from ${PEOPLE_STAGE}
      where reason is null and external_id is null order by email_norm, line desc`;
    await tx.query(
      `update people p set
         email = coalesce(u.email, p.email), first_name = coalesce(u.first_name, p.first_name),
         last_name = coalesce(u.last_name, p.last_name), street = coalesce(u.street, p.street), city = coalesce(u.city, p.city),
         state = coalesce(u.state, p.state), postcode = coalesce(u.postcode, p.postcode), phone = coalesce(u.phone, p.phone),
         custom_traits = case when u.custom_traits is null then p.custom_traits
           else coalesce(p.custom_traits, '{}'::jsonb) || u.custom_traits end,
         dataset_id = $2::uuid, updated_at = now()
       from (${latestByEmail}) u
       where p.account_id = $1::uuid and p.email_norm = u.email_norm`,
      [accountId, datasetId],
    );
    await tx.query(
      `insert into people (account_id, ${PEOPLE_COLUMNS}, dataset_id)
       select $1::uuid, ${PEOPLE_COLUMNS}, $2::uuid from (${latestByEmail}) u
       where not exists (select 1 from people p where p.account_id = $1::uuid and p.email_norm = u.email_norm)`,
      [accountId, datasetId],
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

// Within a batch the last row for an order id wins; rows sorted by order id: batches written side by side take their
// row locks in the same order. An order that would not change is left alone.
const UPSERT_ORDERS = (from: string) => `insert into orders (account_id, external_order_id, ${ORDER_VALUES.join(', ')})
  select distinct on (order_key) $1::uuid, order_key, person_id, ordered_at, amount, product, category, quantity, $2::uuid
  from ${from} where reason is null and person_id is not null
  order by order_key, line desc
  on conflict (account_id, external_order_id) do update set ${ORDER_VALUES.map((c) => `${c} = excluded.${c}`).join(', ')}
  where (${ORDER_VALUES.map((c) => `orders.${c}`).join(', ')}) is distinct from (${ORDER_VALUES.map((c) => `excluded.${c}`).join(', ')})`;

/**
 * Upserts a batch of orders on (account, order id). Orders whose person was not known in memory are looked up by
 * customer id, else by email; those still unknown and the rejected rows become row errors.
 * Returns the number of orders whose person is unknown.
 */
export async function writeOrdersBatch(database: Database, accountId: string, datasetId: string, batch: StageBatch): Promise<number> {
  const lookups = batch.unresolved > 0;
  return withStage(database, ORDERS_STAGE, ORDERS_STAGE_COLUMNS, batch.copy.bytes(), async (tx) => {
    if (!lookups) {
      await tx.query(`with errors as (${ROW_ERRORS_FROM_STAGE(ORDERS_STAGE)}) ${UPSERT_ORDERS(ORDERS_STAGE)}`, [accountId, datasetId]);
      return 0;
    }
    // lateral lookups with a limit: index probes per row whatever the statistics say about people
    const r = await tx.query<{ unknown: number }>(
      `with staged as materialized (
         select s.line, s.reason, s.order_key, coalesce(s.person_id, pe.id, pm.id) as person_id, s.person_external_id,
           s.person_email_norm, s.ordered_at, s.amount, s.product, s.category, s.quantity
         from ${ORDERS_STAGE} s
         left join lateral (select p.id from people p
           where s.reason is null and s.person_id is null and p.account_id = $1::uuid and p.external_id = s.person_external_id
           limit 1) pe on true
         left join lateral (select p.id from people p
           where s.reason is null and s.person_id is null and s.person_external_id is null and p.account_id = $1::uuid
             and p.email_norm = s.person_email_norm
           order by p.id limit 1) pm on true
       ), errors as (
         insert into dataset_row_errors (dataset_id, line, reason)
         select $2::uuid, line, coalesce(reason, case when person_external_id is not null
           then 'no person with customer id "' || left(person_external_id, 60) || '" (upload the people file first)'
           else 'no person with email "' || left(person_email_norm, 80) || '" (upload the people file first)' end)
         from staged where reason is not null or person_id is null
         on conflict (dataset_id, line) do update set reason = excluded.reason
       ), written as (${UPSERT_ORDERS('staged')})
       select count(*)::int as unknown from staged where reason is null and person_id is null`,
      [accountId, datasetId],
    );
    return Number(r.rows[0]?.unknown ?? 0);
  });
}
