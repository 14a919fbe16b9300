// The account's trait catalog: the identity graph's traits and the account's custom traits, with coverage.
import type { Database } from '@/db/client';
import { bulkInsert } from '@/db/bulk';
import { GRAPH_TRAITS } from '@/lib/identity-graph/catalog';
import type { CustomTraitType } from '@/lib/ingest/mapping';

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
  database: Database,
  accountId: string,
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

/** Recomputes the coverage (and the values of categorical ones) of an account's custom traits. */
export async function refreshCustomTraitStats(database: Database, accountId: string): Promise<void> {
  const traits = await database.query<{ key: string; type: string }>(
    `select key, type from traits where account_id = $1 and source = 'custom'`,
    [accountId],
  );
  if (!traits.rows.length) return;
  const keys = traits.rows.map((t) => t.key);
  const cov = await database.query<{ key: string; n: string; total: string }>(
    `select k.key, count(p.id) filter (where p.custom_traits ? k.key and p.custom_traits->k.key <> 'null'::jsonb)::text as n,
       (select count(*) from people where account_id = $1)::text as total
     from unnest($2::text[]) as k(key) left join people p on p.account_id = $1 and p.custom_traits ? k.key
     group by k.key`,
    [accountId, keys],
  );
  const categorical = traits.rows.filter((t) => t.type === 'categorical').map((t) => t.key);
  const cats = new Map<string, string[]>();
  if (categorical.length) {
    const r = await database.query<{ key: string; v: string; n: string }>(
      `select key, v, n::text from (
         select k.key, p.custom_traits->>k.key as v, count(*) as n,
           row_number() over (partition by k.key order by count(*) desc, p.custom_traits->>k.key) as rk
         from unnest($2::text[]) as k(key) join people p on p.account_id = $1 and p.custom_traits ? k.key
         where p.custom_traits->>k.key is not null
         group by k.key, p.custom_traits->>k.key
       ) x where rk <= 50 order by key, n::int desc`,
      [accountId, categorical],
    );
    for (const row of r.rows) {
      const list = cats.get(row.key) ?? [];
      list.push(row.v);
      cats.set(row.key, list);
    }
  }
  await database.query(
    `update traits t set coverage = u.coverage, categories = case when t.type = 'categorical' then u.categories::jsonb else t.categories end
     from unnest($2::text[], $3::float8[], $4::text[]) as u(key, coverage, categories)
     where t.account_id = $1 and t.key = u.key`,
    [
      accountId,
      cov.rows.map((r) => r.key),
      cov.rows.map((r) => (Number(r.total) ? Number(r.n) / Number(r.total) : 0)),
      cov.rows.map((r) => JSON.stringify(cats.get(r.key) ?? [])),
    ],
  );
}

/** Every trait the account can use (graph first, in catalog order, then custom), with coverage over its people. */
export async function listAccountTraits(database: Database, accountId: string): Promise<CatalogTrait[]> {
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
