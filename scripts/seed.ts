// The demo seed (npm run db:seed, and scripts/start.mjs on every start): the trait catalog, the synthetic identity
// graph and the demo account. It lives with the scripts because it calls a service (cohort recomputation).
import { eq } from 'drizzle-orm';
import { hashPassword } from 'better-auth/crypto';
import type { Database } from '@/db/client';
import { bulkInsert, PERSON_IDENTITY_COLUMNS, refreshStatistics } from '@/db/bulk';
import { accounts } from '@/db/schema';
import { GRAPH_TRAITS } from '@/lib/identity-graph/catalog';
import { DEFAULT_GRAPH_SEED, generateGraph, generateGraphBatch } from '@/lib/identity-graph/generator';
import { DEMO_COHORTS, generateDemoBrand } from '@/lib/identity-graph/demo-brand';
import { normalizeEmail, nameKey } from '@/lib/identity-graph/normalize';
import { recomputeCohort } from '@/lib/services/cohorts';
import { tenantOf } from '@/lib/services/tenant';

export const DEMO_EMAIL = 'demo@facet.local';
export const DEMO_PASSWORD = 'facet-demo-2026';
export const DEMO_ACCOUNT_SLUG = 'demo';
export const GRAPH_SEED = DEFAULT_GRAPH_SEED;

export interface SeedOptions {
  people?: number;
  graphSize?: number;
  /** the last day of the demo's history */
  today?: Date;
  log?: (line: string) => void;
}

const graphColumns = [
  { name: 'id', type: 'int4' },
  { name: 'email_norm', type: 'text' },
  { name: 'first_name', type: 'text' },
  { name: 'last_name', type: 'text' },
  { name: 'street', type: 'text' },
  { name: 'city', type: 'text' },
  { name: 'state', type: 'text' },
  { name: 'postcode', type: 'text' },
  { name: 'name_key', type: 'text' },
  { name: 'traits', type: 'float4[]' },
] as const;

/** Writes the graph trait catalog (idempotent). */
export async function seedTraitCatalog(database: Database): Promise<void> {
  const rows = GRAPH_TRAITS.map((t, i) => [
    t.key,
    t.label,
    t.category,
    t.type,
    t.unit ?? null,
    t.description,
    t.categories ?? null,
    t.words ?? null,
    'graph',
    i,
  ]);
  await bulkInsert(
    database,
    'traits',
    [
      { name: 'key', type: 'text' },
      { name: 'label', type: 'text' },
      { name: 'category', type: 'text' },
      { name: 'type', type: 'text' },
      { name: 'unit', type: 'text' },
      { name: 'description', type: 'text' },
      { name: 'categories', type: 'jsonb' },
      { name: 'words', type: 'jsonb' },
      { name: 'source', type: 'text' },
      { name: 'position', type: 'int4' },
    ],
    rows,
    {
      onConflict: `on conflict (key) where account_id is null do update set label = excluded.label, category = excluded.category,
        type = excluded.type, unit = excluded.unit, description = excluded.description, categories = excluded.categories,
        words = excluded.words, position = excluded.position`,
    },
  );
}

/** Materializes the first `size` people of the synthetic identity graph for identity matching (idempotent). */
export async function seedGraph(database: Database, size: number, log: (s: string) => void = () => {}): Promise<void> {
  const r = await database.query<{ n: string; mx: string | null }>('select count(*)::text as n, max(id)::text as mx from graph_persons');
  if (Number(r.rows[0].n) === size && Number(r.rows[0].mx) === size - 1) return;
  await database.query('truncate graph_persons');
  const width = GRAPH_TRAITS.length;
  let done = 0;
  for (const batch of generateGraph({ seed: GRAPH_SEED, count: size, batchSize: 20_000 })) {
    const rows: unknown[][] = batch.identities.map((id, i) => [
      id.graphId,
      normalizeEmail(id.email),
      id.firstName,
      id.lastName,
      id.street,
      id.city,
      id.state,
      id.postcode,
      nameKey(id.firstName, id.lastName),
      batch.traits.subarray(i * width, (i + 1) * width),
    ]);
    await bulkInsert(database, 'graph_persons', [...graphColumns], rows);
    done += batch.count;
    log(`  identity graph: ${done.toLocaleString('en-US')} / ${size.toLocaleString('en-US')}`);
  }
  await refreshStatistics(database, 'graph_persons', done);
}

/** Creates a user who can sign in with email and password, bypassing the sign-up flow (seed and tests). */
export async function createPasswordUser(
  database: Database,
  input: { email: string; password: string; name: string; accountId: string },
): Promise<string> {
  const userId = `u_${input.email.replace(/[^a-z0-9]/gi, '').slice(0, 20)}_${Math.random().toString(36).slice(2, 10)}`;
  const hash = await hashPassword(input.password);
  await database.query(`insert into users (id, name, email, email_verified) values ($1, $2, $3, true)`, [
    userId,
    input.name,
    input.email.toLowerCase(),
  ]);
  await database.query(
    `insert into auth_credentials (id, account_id, provider_id, user_id, password) values ($1, $2, 'credential', $2, $3)`,
    [`c_${userId}`, userId, hash],
  );
  await database.query(`insert into members (account_id, user_id, role) values ($1, $2, 'owner')`, [input.accountId, userId]);
  return userId;
}

/**
 * Seeds the demo account: graph, catalog, a demo brand's people and orders, cohorts with history.
 * Idempotent: a finished seed is left alone; an unfinished one (crash midway) is removed and redone.
 */
export async function seedDemo(database: Database, opts: SeedOptions = {}): Promise<{ seeded: boolean; accountId: string }> {
  const log = opts.log ?? (() => {});
  const peopleCount = opts.people ?? 50_000;
  const graphSize = Math.max(opts.graphSize ?? 200_000, peopleCount * 2);
  const today = opts.today ?? new Date();

  const existing = await database.db.select().from(accounts).where(eq(accounts.slug, DEMO_ACCOUNT_SLUG)).limit(1);
  if (existing.length && existing[0].seededAt) return { seeded: false, accountId: existing[0].id };
  if (existing.length) {
    log('removing an unfinished demo seed');
    await database.query(
      `delete from users where id in (select user_id from members where account_id = $1)`,
      [existing[0].id],
    );
    await database.query('delete from assignments where account_id = $1', [existing[0].id]);
    await database.query('delete from orders where account_id = $1', [existing[0].id]);
    await database.query('delete from people where account_id = $1', [existing[0].id]);
    await database.query('delete from accounts where id = $1', [existing[0].id]);
  }

  const t0 = Date.now();
  log('trait catalog');
  await seedTraitCatalog(database);
  log(`identity graph (${graphSize.toLocaleString('en-US')} people)`);
  await seedGraph(database, graphSize, log);

  const brand = generateDemoBrand({ seed: 7, people: peopleCount, graphSize, end: today, years: 3, graphSeed: GRAPH_SEED });
  const accountId = await database.transaction(async (tx) => {
    const [account] = await tx.db
      .insert(accounts)
      .values({ name: 'Juniper & Pine', slug: DEMO_ACCOUNT_SLUG, isDemo: true })
      .returning({ id: accounts.id });
    await createPasswordUser(tx, { email: DEMO_EMAIL, password: DEMO_PASSWORD, name: 'Dana Demo', accountId: account.id });
    return account.id;
  });

  log(`people (${brand.people.length.toLocaleString('en-US')})`);
  const width = GRAPH_TRAITS.length;
  const personRows = brand.people.map((p) => {
    const g = generateGraphBatch({ seed: GRAPH_SEED, start: p.graphId, count: 1 });
    return [
      accountId,
      p.externalId,
      p.email,
      p.email ? normalizeEmail(p.email) : null,
      p.firstName,
      p.lastName,
      p.street,
      p.city,
      p.state,
      p.postcode,
      p.phone,
      p.graphId,
      p.email ? 'email' : 'name_address',
      g.traits.subarray(0, width),
      p.isLead,
      p.createdAt,
    ];
  });
  const peopleWritten = await bulkInsert(
    database,
    'people',
    [
      ...PERSON_IDENTITY_COLUMNS,
      { name: 'graph_id', type: 'int4' },
      { name: 'match_method', type: 'text' },
      { name: 'graph_traits', type: 'float4[]' },
      { name: 'is_lead', type: 'bool' },
      { name: 'created_at', type: 'timestamptz' },
    ],
    personRows,
  );
  await refreshStatistics(database, 'people', peopleWritten);

  const ids = await database.query<{ id: string; external_id: string }>(
    'select id::text as id, external_id from people where account_id = $1',
    [accountId],
  );
  const idOf = new Map(ids.rows.map((r) => [r.external_id, Number(r.id)]));
  log(`orders (${brand.orders.length.toLocaleString('en-US')})`);
  const ordersWritten = await bulkInsert(
    database,
    'orders',
    [
      { name: 'account_id', type: 'uuid' },
      { name: 'person_id', type: 'int8' },
      { name: 'external_order_id', type: 'text' },
      { name: 'ordered_at', type: 'timestamptz' },
      { name: 'amount', type: 'float8' },
      { name: 'product', type: 'text' },
      { name: 'category', type: 'text' },
      { name: 'quantity', type: 'int4' },
    ],
    brand.orders.map((o) => [
      accountId,
      idOf.get(o.externalPersonId),
      o.externalOrderId,
      o.orderedAt,
      o.amount,
      o.product,
      o.category,
      o.quantity,
    ]),
  );
  await refreshStatistics(database, 'orders', ordersWritten);

  for (const c of DEMO_COHORTS) {
    const r = await database.query<{ id: string }>(
      `insert into cohorts (account_id, name, description, definition) values ($1, $2, $3, $4::jsonb) returning id`,
      [accountId, c.name, c.description, JSON.stringify(c.definition)],
    );
    const res = await recomputeCohort(tenantOf(database, accountId), r.rows[0].id, { today });
    log(`cohort ${c.name}: ${res.members.toLocaleString('en-US')} members`);
  }
  await database.query('update accounts set seeded_at = now() where id = $1', [accountId]);
  log(`demo account ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { seeded: true, accountId };
}

/**
 * An account whose one cohort ("Everyone") holds the first `members` people of the identity graph, for
 * benchmarks and fault tests. Returns the account and cohort ids.
 */
export async function seedLargeAccount(
  database: Database,
  members: number,
  slug = 'large',
): Promise<{ accountId: string; cohortId: string }> {
  await seedTraitCatalog(database);
  await seedGraph(database, members);
  const a = await database.query<{ id: string }>(`insert into accounts (name, slug) values ($1, $2) returning id`, [`Large ${slug}`, slug]);
  const accountId = a.rows[0].id;
  await database.query(
    `insert into people (account_id, external_id, graph_id, graph_traits, created_at)
     select $1, 'g' || id, id, traits, now() - interval '400 days' from graph_persons where id < $2`,
    [accountId, members],
  );
  const c = await database.query<{ id: string }>(
    `insert into cohorts (account_id, name, definition, member_count) values ($1, 'Everyone', '{"events":[],"traits":[]}', $2) returning id`,
    [accountId, members],
  );
  await database.query(
    `insert into cohort_memberships (account_id, cohort_id, person_id, entered_on)
     select $1, $2, id, (now() - interval '400 days')::date from people where account_id = $1`,
    [accountId, c.rows[0].id],
  );
  return { accountId, cohortId: c.rows[0].id };
}
