// The one way a trait is read from a person row `p`: the SQL that selects it and how the value that comes back
// is decoded, as the engine's number (builds, scoring, analyses) or in its own form (cohort conditions).
import 'server-only';
import type { TraitSpec } from '@/lib/clustering/types';
import type { TraitValue } from '@/lib/cohorts/timeline';
import { GRAPH_TRAITS, GRAPH_TRAIT_INDEX, parseBooleanWord } from '@/lib/identity-graph/catalog';
import { ServiceError } from './errors';
import type { Tenant } from './tenant';

export interface TraitColumn {
  key: string;
  spec: TraitSpec;
  source: 'graph' | 'custom';
  /** reads the raw value from `p`: a real for graph traits, the JSON scalar as text for custom ones */
  sql: string;
  /** a graph trait's place in people.graph_traits (0 = graph_traits[1]) */
  position?: number;
  /** the engine's number: a category's index, 1 / 0 for yes / no, NaN when missing or unreadable */
  code: (raw: unknown) => number;
  /** the value in its own form (category label, boolean, number), null when missing or unreadable */
  value: (raw: unknown) => TraitValue;
}

const KEY = /^[a-z0-9_]+$/;

function toNumber(raw: unknown): number {
  if (raw === null || raw === undefined || raw === '' || typeof raw === 'boolean') return NaN;
  const n = typeof raw === 'number' ? raw : Number(raw);
  return Number.isFinite(n) ? n : NaN;
}

function toBoolean(raw: unknown): boolean | null {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw !== 0 : null;
  if (typeof raw === 'string') return parseBooleanWord(raw);
  return null;
}

const orNull = (n: number): number | null => (Number.isNaN(n) ? null : n);

/** A trait of the identity graph, read from people.graph_traits; undefined for a key the catalog lacks. */
export function graphTraitColumn(key: string): TraitColumn | undefined {
  const pos = GRAPH_TRAIT_INDEX[key];
  if (pos === undefined) return undefined;
  const spec = GRAPH_TRAITS[pos];
  return {
    key,
    spec,
    source: 'graph',
    sql: `p.graph_traits[${pos + 1}]`,
    position: pos,
    code: toNumber,
    value: (raw) => {
      const n = toNumber(raw);
      if (Number.isNaN(n)) return null;
      if (spec.type === 'categorical') return spec.categories?.[n] ?? null;
      if (spec.type === 'boolean') return n === 1;
      return n;
    },
  };
}

type CustomDef = Pick<TraitSpec, 'type' | 'label'> & { unit?: string | null; categories?: string[] | null };

/** A custom trait of the account, read from people.custom_traits; `def` null = not in the catalog (read as it is). */
export function customTraitColumn(key: string, def: CustomDef | null): TraitColumn {
  if (!KEY.test(key)) throw new ServiceError('invalid', `Unknown trait ${key}`);
  const sql = `(p.custom_traits ->> '${key}')`;
  if (!def) {
    // a cohort may name a column no upload declared: compare what is stored
    const spec: TraitSpec = { key, label: key, type: 'numeric' };
    const value = (raw: unknown): TraitValue => (raw === null || raw === undefined ? null : (raw as TraitValue));
    return { key, spec, source: 'custom', sql, code: toNumber, value };
  }
  const spec: TraitSpec = { key, label: def.label, type: def.type, unit: def.unit ?? undefined, categories: def.categories ?? undefined };
  const column = (code: TraitColumn['code'], value: TraitColumn['value']): TraitColumn => ({ key, spec, source: 'custom', sql, code, value });
  if (def.type === 'categorical' || def.type === 'ordinal') {
    const index = new Map((def.categories ?? []).map((v, i) => [v, i]));
    const label = (raw: unknown) => (raw === null || raw === undefined || raw === '' ? null : String(raw));
    return column((raw) => {
      const l = label(raw);
      return l === null ? NaN : (index.get(l) ?? NaN);
    }, label);
  }
  if (def.type === 'boolean')
    return column((raw) => {
      const b = toBoolean(raw);
      return b === null ? NaN : b ? 1 : 0;
    }, toBoolean);
  return column(toNumber, (raw) => orNull(toNumber(raw)));
}

/**
 * Resolves trait keys (the graph catalog, then the account's custom traits) to columns. A key that is neither is
 * refused, unless `undeclared: 'as-stored'` reads it as the raw JSON people carry (cohort conditions).
 */
export async function resolveTraitColumns(
  { db, accountId }: Tenant,
  keys: string[],
  opts: { undeclared?: 'refuse' | 'as-stored' } = {},
): Promise<TraitColumn[]> {
  const customKeys = keys.filter((k) => GRAPH_TRAIT_INDEX[k] === undefined);
  const custom = new Map<string, CustomDef>();
  if (customKeys.length) {
    const r = await db.query<{ key: string } & CustomDef>(
      `select key, type, label, categories, unit from traits where account_id = $1 and key = any($2::text[])`,
      [accountId, customKeys],
    );
    for (const row of r.rows) custom.set(row.key, row);
  }
  return keys.map((key) => {
    const graph = graphTraitColumn(key);
    if (graph) return graph;
    const def = custom.get(key);
    if (!def && opts.undeclared !== 'as-stored') throw new ServiceError('invalid', `Unknown trait ${key}`);
    return customTraitColumn(key, def ?? null);
  });
}
