// The members of a build, a cohort or a set's current assignments as typed-array trait columns (the engine's
// TraitTable), read in keyset-paged batches through the shared trait reader. All of the SQL, and its parameter
// numbering, is here.
import 'server-only';
import type { Database } from '@/db/client';
import type { TraitTable } from '@/lib/clustering';
import { ANALYSIS_TRAIT_KEYS, GRAPH_TRAIT_INDEX } from '@/lib/identity-graph/catalog';
import type { Tenant } from '../tenant';
import { resolveTraitColumns, type TraitColumn } from '../trait-reader';
import type { BuildRef } from './types';

/** Traits loaded beside the clustering traits so personas can be described, drawn and mapped. */
const DESCRIBE_KEYS = ['age', 'gender', 'marital_status', 'household_size', 'has_children', 'income', 'homeowner', 'urbanicity', 'state'];
const BATCH = 50_000;

export interface MemberMatrix {
  table: TraitTable;
  columns: TraitColumn[];
  personIds: Float64Array;
  /** each member's current persona in the set (null when unassigned) */
  currentPersona: (string | null)[];
}

/** Whose rows to read: a build's snapshot (every `stride`-th member), a cohort's members today, or a set's assigned people. */
export type MemberSource =
  | { kind: 'snapshot'; build: BuildRef; stride?: number }
  | { kind: 'cohort'; personaSetId: string; cohortId: string; range?: [number, number]; changedSince?: string }
  | { kind: 'assigned'; personaSetId: string }
  /** contacts recorded by real-time assignment: assigned in the set and never in its cohort */
  | { kind: 'recorded'; personaSetId: string; cohortId: string };

/** The clustering traits plus what describing, drawing, mapping and the default analysis need. */
export function matrixKeys(traits: string[]): string[] {
  return [...new Set([...traits, ...DESCRIBE_KEYS, ...ANALYSIS_TRAIT_KEYS])].filter(
    (k) => GRAPH_TRAIT_INDEX[k] !== undefined || traits.includes(k),
  );
}

/** $1 = account, $2 = keyset cursor, $3 = persona set; a source's own parameters follow from $4. */
function membersOf(source: MemberSource): { sql: string; params: unknown[]; personaSetId: string; stride: number } {
  switch (source.kind) {
    case 'snapshot':
      return {
        sql: 'select person_id from build_snapshots where persona_set_id = $3 and build_version = $4',
        params: [source.build.buildVersion],
        personaSetId: source.build.personaSetId,
        stride: Math.max(1, Math.floor(source.stride ?? 1)),
      };
    case 'cohort': {
      const params: unknown[] = [source.cohortId, ...(source.range ? [Math.floor(source.range[0]), Math.floor(source.range[1])] : [])];
      // changedSince: only members written since (an upload or a match) or not assigned in the set yet
      const changed = source.changedSince
        ? ` and (exists (select 1 from people c where c.id = cohort_memberships.person_id and c.account_id = $1 and c.updated_at > $${params.push(source.changedSince) + 3})
             or not exists (select 1 from assignments c where c.persona_set_id = $3 and c.person_id = cohort_memberships.person_id and c.valid_to is null))`
        : '';
      return {
        sql: `select person_id from cohort_memberships where cohort_id = $4 and exited_on is null${source.range ? ' and person_id between $5 and $6' : ''}${changed}`,
        params,
        personaSetId: source.personaSetId,
        stride: 1,
      };
    }
    case 'recorded':
      return {
        sql: `select person_id from assignments a where a.persona_set_id = $3 and a.account_id = $1 and a.valid_to is null
          and not exists (select 1 from cohort_memberships c where c.cohort_id = $4 and c.person_id = a.person_id)`,
        params: [source.cohortId],
        personaSetId: source.personaSetId,
        stride: 1,
      };
    case 'assigned':
      return {
        sql: 'select person_id from assignments where persona_set_id = $3 and account_id = $1 and valid_to is null',
        params: [],
        personaSetId: source.personaSetId,
        stride: 1,
      };
  }
}

/** Reads the given trait columns of the source's members into typed arrays; `onRows` hears the count after each batch. */
export async function loadMemberMatrix(
  tenant: Tenant,
  columns: TraitColumn[],
  source: MemberSource,
  onRows?: (loaded: number) => void,
): Promise<MemberMatrix> {
  const m = membersOf(source);
  const cols = columns.map((c, i) => `, ${c.sql} as t${i}`).join('');
  const stride = m.stride > 1 ? ` and m.person_id % ${m.stride} = 0` : '';
  const text = `select m.person_id::float8, a.persona_id${cols}
    from (${m.sql}) m join people p on p.id = m.person_id and p.account_id = $1
    left join assignments a on a.persona_set_id = $3 and a.person_id = m.person_id and a.valid_to is null
    where m.person_id > $2${stride} order by m.person_id limit ${BATCH}`;
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
    const rows = await tenant.db.queryArrays(text, [tenant.accountId, after, m.personaSetId, ...m.params]);
    for (const r of rows) {
      if (n === cap) grow();
      ids[n] = r[0] as number;
      persona.push((r[1] as string | null) ?? null);
      for (let c = 0; c < columns.length; c++) data[c][n] = columns[c].code(r[c + 2]);
      n++;
    }
    onRows?.(n);
    if (rows.length < BATCH) break;
    after = rows[rows.length - 1][0] as number;
  }
  return {
    table: { n, traits: columns.map((c) => c.spec), columns: data.map((d) => d.slice(0, n)) },
    columns,
    personIds: ids.slice(0, n),
    currentPersona: persona,
  };
}

/** The person ids of a cohort's members today (or of its changed members), in order: the plan of a scoring run. */
export async function loadMemberIds(
  tenant: Tenant,
  source: { personaSetId: string; cohortId: string; changedSince?: string },
): Promise<number[]> {
  const m = membersOf({ kind: 'cohort', ...source });
  const rows = await tenant.db.queryArrays(`select m.person_id::float8 from (${m.sql}) m join people p on p.id = m.person_id and p.account_id = $1
     where m.person_id > $2::float8 and $3::uuid is not null order by 1`, [
    tenant.accountId,
    -1,
    m.personaSetId,
    ...m.params,
  ]);
  return rows.map((r) => r[0] as number);
}

/* The snapshot's matrix is large; the steps of one build share it in memory when they run in the same process. */
const cache = new Map<string, MemberMatrix & { keys: string[] }>();
const cacheKey = (b: BuildRef) => `${b.personaSetId}:${b.buildVersion}`;

/** The build snapshot's members with these traits, from memory when an earlier step of the build loaded them. */
export async function snapshotMatrix(
  tenant: Tenant,
  build: BuildRef,
  keys: string[],
  onRows?: (loaded: number) => void,
): Promise<MemberMatrix> {
  const columns = await resolveTraitColumns(tenant, keys);
  const cached = cache.get(cacheKey(build));
  if (cached && keys.every((k) => cached.keys.includes(k))) {
    const idx = keys.map((k) => cached.keys.indexOf(k));
    return {
      ...cached,
      table: { n: cached.table.n, traits: idx.map((i) => cached.table.traits[i]), columns: idx.map((i) => cached.table.columns[i]) as Float64Array[] },
      columns,
    };
  }
  const loaded = await loadMemberMatrix(tenant, columns, { kind: 'snapshot', build }, onRows);
  cache.clear();
  cache.set(cacheKey(build), { ...loaded, keys });
  return loaded;
}

export function forgetSnapshotMatrix(build: BuildRef): void {
  cache.delete(cacheKey(build));
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
    `select ${graphCols.map((c) => c.sql.replace('p.graph_traits', 'g.traits')).join(', ')} from graph_persons g
     where g.id % $1 = 0 limit ${Math.floor(sample)}`,
    [stride],
  );
  const data = graphCols.map((c, j) => Float64Array.from(rows, (r) => c.code(r[j])));
  return { n: rows.length, traits: graphCols.map((c) => c.spec), columns: data };
}
