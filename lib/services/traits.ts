// The account's trait catalog: the identity graph's traits and the account's custom traits, with coverage.
import 'server-only';
import { bulkInsert } from '@/db/bulk';
import { GRAPH_TRAITS } from '@/lib/identity-graph/catalog';
import type { CustomTraitType } from '@/lib/ingest/mapping';
import type { Tenant } from './tenant';

export interface CatalogTrait {
  key: string;
  label: string;
  category: string;
  type: 'numeric' | 'ordinal' | 'categorical' | 'boolean';
  unit: string | null;
  description: string;
  categories: string[] | null;
  source: 'graph' | 'custom';
  /** share of the account's people with a value (0..1) */
  coverage: number;
  min?: number;
  max?: number;
}

const KEY_RE = /^[a-z0-9_]+$/;

/** Adds or updates custom traits of an account (made from dataset columns). */
export async function upsertCustomTraits(
  { db: database, accountId }: Tenant,
  defs: { key: string; label: string; type: CustomTraitType; description?: string }[],
): Promise<void> {
  const clean = defs.filter((d) => KEY_RE.test(d.key));
  if (!clean.length) return;
  await bulkInsert(
    database,
    'traits',
    [
      { name: 'account_id', type: 'uuid' },
      { name: 'key', type: 'text' },
      { name: 'label', type: 'text' },
      { name: 'category', type: 'text' },
      { name: 'type', type: 'text' },
      { name: 'description', type: 'text' },
      { name: 'source', type: 'text' },
    ],
    clean.map((d) => [accountId, d.key, d.label, 'custom', d.type, d.description ?? `From your datasets (column "${d.label}").`, 'custom']),
    {
      onConflict: `on conflict (account_id, key) where account_id is not null do update set
        label = excluded.label, type = excluded.type, description = excluded.description`,
    },
  );
}

/**
 * Recomputes the coverage (and the values of categorical ones) of an account's custom traits: one pass over the
 * account's people for the count and the other traits' coverage, one per categorical trait for its values, side by side.
 */
export async function refreshCustomTraitStats({ db: database, accountId }: Tenant): Promise<void> {
  const traits = await database.query<{ key: string; type: string }>(
    `select key, type from traits where account_id = $1 and source = 'custom' order by key`,
    [accountId],
  );
  if (!traits.rows.length) return;
  const categorical = traits.rows.filter((t) => t.type === 'categorical').map((t) => t.key);
  const others = traits.rows.filter((t) => t.type !== 'categorical').map((t) => t.key);
  // a key holding JSON null does not count as a value
  const present = (i: number) => `custom_traits ? $${2 * i + 2}::text and not custom_traits @> $${2 * i + 3}::jsonb`;
  // the passes run side by side (each on its own connection with PostgreSQL)
  const [counts, ...values] = await Promise.all([
    database.query<Record<string, number>>(
      `select count(*)::int as total${others.map((_, i) => `, count(*) filter (where ${present(i)})::int as c${i}`).join('')}
       from people where account_id = $1`,
      [accountId, ...others.flatMap((k) => [k, JSON.stringify({ [k]: null })])],
    ),
    ...categorical.map((key) =>
      database.query<{ v: string; covered: number }>(
        `select v, sum(n) over ()::int as covered from (
           select custom_traits ->> $2 as v, count(*) as n from people where account_id = $1 and custom_traits ? $2 group by 1
         ) x where v is not null order by n desc, v limit 50`,
        [accountId, key],
      ),
    ),
  ]);
  const total = Number(counts.rows[0]?.total ?? 0);
  const coverage = new Map<string, number>(others.map((k, i) => [k, Number(counts.rows[0]?.[`c${i}`] ?? 0)]));
  const cats = new Map<string, string[]>();
  categorical.forEach((key, i) => {
    coverage.set(key, Number(values[i].rows[0]?.covered ?? 0));
    cats.set(key, values[i].rows.map((x) => x.v));
  });
  const keys = traits.rows.map((t) => t.key);
  await database.query(
    `update traits t set coverage = u.coverage, categories = case when t.type = 'categorical' then u.categories::jsonb else t.categories end
     from unnest($2::text[], $3::float8[], $4::text[]) as u(key, coverage, categories)
     where t.account_id = $1 and t.key = u.key`,
    [
      accountId,
      keys,
      keys.map((k) => (total ? (coverage.get(k) ?? 0) / total : 0)),
      keys.map((k) => JSON.stringify(cats.get(k) ?? [])),
    ],
  );
}

/** Every trait the account can use (graph first, in catalog order, then custom), with coverage over its people. */
export async function listAccountTraits({ db: database, accountId }: Tenant): Promise<CatalogTrait[]> {
  const agg = GRAPH_TRAITS.map((_, i) => `count(*) filter (where graph_traits[${i + 1}] <> 'NaN'::real)::int as c${i}`).join(', ');
  const cov = await database.query<Record<string, number>>(
    `select count(*)::int as total, ${agg} from people where account_id = $1`,
    [accountId],
  );
  const row = cov.rows[0] ?? { total: 0 };
  const total = Number(row.total) || 0;
  const graph: CatalogTrait[] = GRAPH_TRAITS.map((t, i) => ({
    key: t.key,
    label: t.label,
    category: t.category,
    type: t.type,
    unit: t.unit ?? null,
    description: t.description,
    categories: t.categories ?? null,
    source: 'graph',
    coverage: total ? Number(row[`c${i}`]) / total : 0,
    min: t.min,
    max: t.max,
  }));
  const custom = await database.query<{
    key: string;
    label: string;
    category: string;
    type: CatalogTrait['type'];
    unit: string | null;
    description: string;
    categories: string[] | null;
    coverage: number | null;
  }>(
    `select key, label, category, type, unit, description, categories, coverage from traits
     where account_id = $1 and source = 'custom' order by label`,
    [accountId],
  );
  return [
    ...graph,
    ...custom.rows.map((t) => ({ ...t, source: 'custom' as const, coverage: t.coverage ?? 0 })),
  ];
}
