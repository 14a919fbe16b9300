import type { Database } from '@/db/client';
import type { TraitSpec, TraitTable } from '@/lib/clustering/types';
import { GRAPH_TRAITS, GRAPH_TRAIT_INDEX } from '@/lib/identity-graph/catalog';
import { ServiceError } from './errors';

/** A trait as a column of the people table: its spec, the SQL that reads it from `p`, and how to decode the value. */
export interface TraitColumn {
  key: string;
  spec: TraitSpec;
  source: 'graph' | 'custom';
  sql: string;
  decode: (v: unknown) => number;
}

const toNumber = (v: unknown): number => {
  if (v === null || v === undefined || v === '') return NaN;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : NaN;
};

/** Resolves trait keys (graph catalog or the account's custom traits) to readable columns. */
export async function resolveTraitColumns(database: Database, accountId: string, keys: string[]): Promise<TraitColumn[]> {
  const customKeys = keys.filter((k) => GRAPH_TRAIT_INDEX[k] === undefined);
  const custom = new Map<string, { type: TraitSpec['type']; label: string; categories: string[] | null; unit: string | null }>();
  if (customKeys.length) {
    const r = await database.query<{ key: string; type: TraitSpec['type']; label: string; categories: string[] | null; unit: string | null }>(
      `select key, type, label, categories, unit from traits where account_id = $1 and key = any($2::text[])`,
      [accountId, customKeys],
    );
    for (const row of r.rows) custom.set(row.key, row);
  }
  return keys.map((key): TraitColumn => {
    const pos = GRAPH_TRAIT_INDEX[key];
    if (pos !== undefined) {
      return { key, spec: GRAPH_TRAITS[pos], source: 'graph', sql: `p.graph_traits[${pos + 1}]`, decode: toNumber };
    }
    const c = custom.get(key);
    if (!c || !/^[a-z0-9_]+$/.test(key)) throw new ServiceError('invalid', `Unknown trait ${key}`);
    const spec: TraitSpec = { key, label: c.label, type: c.type, unit: c.unit ?? undefined, categories: c.categories ?? undefined };
    const sqlText = `p.custom_traits->>'${key}'`;
    if (c.type === 'categorical' || c.type === 'ordinal') {
      const index = new Map((c.categories ?? []).map((v, i) => [v, i]));
      return { key, spec, source: 'custom', sql: sqlText, decode: (v) => (v === null || v === undefined ? NaN : (index.get(String(v)) ?? NaN)) };
    }
    if (c.type === 'boolean') {
      return {
        key,
        spec,
        source: 'custom',
        sql: sqlText,
        decode: (v) => {
          const s = String(v ?? '').toLowerCase();
          return s === 'true' || s === '1' || s === 'yes' || s === 'y' ? 1 : s === 'false' || s === '0' || s === 'no' || s === 'n' ? 0 : NaN;
        },
      };
    }
    return { key, spec, source: 'custom', sql: sqlText, decode: toNumber };
  });
}

export interface MemberTable {
  table: TraitTable;
  personIds: Float64Array;
  /** each member's current persona in the set (null when unassigned) */
  currentPersona: (string | null)[];
}

const BATCH = 50_000;

/**
 * Loads trait columns for a set of people into typed arrays, in keyset-paged batches.
 * `members` is SQL yielding `person_id` for the people wanted, with $1 = account id and further params.
 */
export async function loadMemberTable(
  database: Database,
  accountId: string,
  columns: TraitColumn[],
  members: { sql: string; params: unknown[]; personaSetId?: string; stride?: number },
): Promise<MemberTable> {
  const cols = columns.map((c, i) => `, ${c.sql} as t${i}`).join('');
  const setParam = members.params.length + 3;
  const assignmentJoin = members.personaSetId
    ? `left join assignments a on a.persona_set_id = $${setParam} and a.person_id = m.person_id and a.valid_to is null`
    : '';
  const stride = members.stride && members.stride > 1 ? ` and m.person_id % ${Math.floor(members.stride)} = 0` : '';
  const text = `select m.person_id::float8, ${members.personaSetId ? 'a.persona_id' : 'null'}${cols}
    from (${members.sql}) m join people p on p.id = m.person_id and p.account_id = $1 ${assignmentJoin}
    where m.person_id > $${members.params.length + 2}${stride} order by m.person_id limit ${BATCH}`;
  let cap = 1 << 16;
  let ids = new Float64Array(cap);
  let data = columns.map(() => new Float64Array(cap));
  const persona: (string | null)[] = [];
  let n = 0;
  const grow = () => {
    cap *= 2;
    const bigger = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    ids = bigger(ids);
    data = data.map(bigger);
  };
  let after = -1;
  for (;;) {
    const params = [accountId, ...members.params, after, ...(members.personaSetId ? [members.personaSetId] : [])];
    const rows = await database.queryArrays(text, params);
    for (const r of rows) {
      if (n === cap) grow();
      ids[n] = r[0] as number;
      persona.push((r[1] as string | null) ?? null);
      for (let c = 0; c < columns.length; c++) data[c][n] = columns[c].decode(r[c + 2]);
      n++;
    }
    if (rows.length < BATCH) break;
    after = rows[rows.length - 1][0] as number;
  }
  return {
    table: { n, traits: columns.map((c) => c.spec), columns: data.map((d) => d.slice(0, n)) },
    personIds: ids.slice(0, n),
    currentPersona: persona,
  };
}

/** A uniform sample of the identity graph, the reference population for trait selection. */
export async function loadReferenceTable(database: Database, columns: TraitColumn[], sample = 20_000): Promise<TraitTable | undefined> {
  const graphCols = columns.filter((c) => c.source === 'graph');
  if (!graphCols.length) return undefined;
  const total = await database.query<{ n: string }>('select count(*)::text as n from graph_persons');
  const n = Number(total.rows[0].n);
  if (!n) return undefined;
  const stride = Math.max(1, Math.floor(n / sample));
  const rows = await database.queryArrays(
    `select ${graphCols.map((c) => c.sql.replace('p.graph_traits', 'g.traits')).join(', ')} from graph_persons g where g.id % ${stride} = 0 limit ${sample}`,
  );
  const data = graphCols.map((c, j) => Float64Array.from(rows, (r) => c.decode(r[j])));
  return { n: rows.length, traits: graphCols.map((c) => c.spec), columns: data };
}
