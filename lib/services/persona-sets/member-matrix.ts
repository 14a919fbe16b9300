// The members of a build, a cohort or a set's current assignments as typed-array trait columns (the engine's
// TraitTable), read by one binary COPY through the shared trait reader. All of the SQL, and its parameter
// numbering, is here.
import 'server-only';
import type { Database } from '@/db/client';
import { numberField, readCopyBinary, sqlLiteral, textField, uuidText, type BinaryTuple } from '@/db/copy-binary';
import type { Assignment, PersonaModel, TraitTable } from '@/lib/clustering';
import { ANALYSIS_TRAIT_KEYS, GRAPH_TRAIT_INDEX } from '@/lib/identity-graph/catalog';
import type { Tenant } from '../tenant';
import { resolveTraitColumns, type TraitColumn } from '../trait-reader';
import type { BuildRef } from './types';

/** Traits loaded beside the clustering traits so personas can be described, drawn and mapped. */
const DESCRIBE_KEYS = ['age', 'gender', 'marital_status', 'household_size', 'has_children', 'income', 'homeowner', 'urbanicity', 'state'];

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

/** $1 = account, $2 = unused (was a keyset cursor), $3 = persona set; a source's own parameters follow from $4. */
function membersOf(source: MemberSource): { sql: string; params: unknown[]; personaSetId: string; stride: number } {
  switch (source.kind) {
    case 'snapshot':
      return {
        sql: 'select unnest(person_ids) as person_id from build_snapshots where persona_set_id = $3 and build_version = $4',
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

// the bar moves after this many members read
const REPORT_EVERY = 50_000;
// members above which a snapshot's read is planned as one pass over people
const LARGE_READ = 20_000;

/** $n of a member source's SQL as literals (COPY takes no bind parameters): uuids, safe integers and instants, checked. */
function inlineParams(sql: string, params: unknown[]): string {
  return sql.replace(/\$(\d+)\b/g, (_, n: string) => {
    const v = params[Number(n) - 1];
    if (typeof v === 'string' && !/^[0-9a-f-]{36}$/i.test(v)) {
      const at = new Date(v);
      if (Number.isNaN(at.getTime())) throw new Error(`not a uuid or an instant: ${v}`);
      return `'${at.toISOString()}'::timestamptz`;
    }
    return sqlLiteral(v as string | number);
  });
}

/**
 * Reads the given trait columns of the source's members into typed arrays, in person id order, with one binary
 * COPY: graph traits as 4-byte reals, custom ones as their text. `onRows` hears the count as rows arrive.
 */
export async function loadMemberMatrix(
  tenant: Tenant,
  columns: TraitColumn[],
  source: MemberSource,
  onRows?: (loaded: number) => void,
): Promise<MemberMatrix> {
  const m = membersOf(source);
  const large = await isLargeSnapshot(tenant, source);
  // a first build's members have no current persona in the set yet: nothing to join
  const assigned = (await tenant.db.query<{ any: boolean }>(
    'select exists (select 1 from assignments where persona_set_id = $1 and valid_to is null) as any',
    [m.personaSetId],
  )).rows[0].any;
  const stride = m.stride > 1 ? ` and m.person_id % ${m.stride} = 0` : '';
  // graph traits come as the whole people.graph_traits array, one field, picked apart here: taking each element on
  // the server cost it more than the rest of the read (an array with nulls is walked from its start per element)
  const graphCols = columns.flatMap((c, j) => (c.source === 'graph' ? [{ q: c.position!, j }] : []));
  const anyGraph = graphCols.length > 0;
  const custom = columns.map((c, j) => ({ c, j })).filter(({ c }) => c.source !== 'graph');
  const query = inlineParams(
    `select m.person_id, ${assigned ? 'a.persona_id' : 'null::uuid'}${anyGraph ? ', p.graph_traits' : ''}${custom.map(({ c }) => `, (${c.sql})::text`).join('')}
    from (${m.sql}) m join people p on p.id = m.person_id and p.account_id = $1
    ${assigned ? 'left join assignments a on a.persona_set_id = $3 and a.person_id = m.person_id and a.valid_to is null' : ''}
    where true${stride}${large ? '' : ' order by m.person_id'}`,
    [tenant.accountId, -1, m.personaSetId, ...m.params],
  );
  const fields = 2 + (anyGraph ? 1 : 0) + custom.length;
  const graphValues = new Float64Array(graphCols.reduce((m, { q }) => Math.max(m, q + 1), 0));
  const firstCustom = 2 + (anyGraph ? 1 : 0);
  let cap = 1 << 16;
  let ids = new Float64Array(cap);
  let data = columns.map(() => new Float64Array(cap));
  let persona: (string | null)[] = [];
  const personaOf = new PersonaIdReader();
  let n = 0;
  let reported = 0;
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
  const onRow = (t: BinaryTuple) => {
    if (n === cap) grow();
    ids[n] = numberField(t, 0, 'int8');
    persona.push(personaOf.read(t, 1));
    if (anyGraph) {
      readFloat4Array(t, 2, graphValues);
      for (const { q, j } of graphCols) data[j][n] = graphValues[q];
    }
    for (let f = 0; f < custom.length; f++) data[custom[f].j][n] = custom[f].c.code(textField(t, firstCustom + f));
    n++;
  };
  const onChunk = (rows: number) => {
    if (onRows && rows - reported >= REPORT_EVERY) {
      reported = rows;
      onRows(rows);
    }
  };
  const copy = `copy (${query}) to stdout with (format binary)`;
  if (large) {
    // the planner cannot see how many ids the snapshot's array holds: joined one by one, a million members took
    // seconds of index lookups. Hashed in one pass over people, in memory, rows come in people's order (sorted below
    // when that is not the id order); a sort on the server spilled to disk.
    await tenant.db.transaction(async (tx) => {
      for (const setting of ['enable_nestloop = off', "work_mem = '256MB'", 'jit = off', 'max_parallel_workers_per_gather = 0'])
        await tx.query(`set local ${setting}`);
      await readCopyBinary(tx.copyOut(copy), fields, onRow, onChunk);
    });
  } else await readCopyBinary(tenant.db.copyOut(copy), fields, onRow, onChunk);
  onRows?.(n);
  ids = ids.slice(0, n);
  data = data.map((d) => d.slice(0, n));
  if (large) {
    const order = idOrder(ids);
    if (order) {
      ids = permuted(ids, order);
      data = data.map((d) => permuted(d, order));
      persona = Array.from(order, (i) => persona[i]);
    }
  }
  return { table: { n, traits: columns.map((c) => c.spec), columns: data }, columns, personIds: ids, currentPersona: persona };
}

const FLOAT4_OID = 700;

/**
 * The first `out.length` elements of a one-dimensional real[] field in COPY's binary form (NaN where null, absent
 * or not finite): ndim, has-nulls flag, element type, then per dimension its size and lower bound, then each
 * element as its length (-1 for null) and its 4 bytes.
 */
function readFloat4Array(t: BinaryTuple, f: number, out: Float64Array): void {
  out.fill(NaN);
  const len = t.lengths[f];
  if (len < 12) return; // null or an empty array
  const buf = t.buf;
  let p = t.offsets[f];
  const ndim = buf.readInt32BE(p);
  if (ndim === 0) return;
  if (ndim !== 1 || buf.readInt32BE(p + 8) !== FLOAT4_OID) throw new Error('graph_traits is not a one-dimensional real[]');
  const size = buf.readInt32BE(p + 12);
  const lower = buf.readInt32BE(p + 16);
  p += 20;
  for (let e = 0; e < size; e++) {
    const at = e + lower - 1; // graph_traits[1] is position 0
    const elen = buf.readInt32BE(p);
    p += 4;
    if (elen < 0) continue;
    if (at >= out.length) break;
    if (at >= 0 && elen === 4) {
      const v = buf.readFloatBE(p);
      out[at] = Number.isFinite(v) ? v : NaN;
    }
    p += elen;
  }
}

/** `src` in the given order (a plain loop: a typed array's from() with a map function costs ~25x as much). */
function permuted(src: Float64Array, order: Uint32Array): Float64Array<ArrayBuffer> {
  const out = new Float64Array(order.length);
  for (let i = 0; i < order.length; i++) out[i] = src[order[i]];
  return out;
}

/** The permutation that sorts `ids`, or null when they are sorted already. */
function idOrder(ids: Float64Array): Uint32Array | null {
  let sorted = true;
  for (let i = 1; i < ids.length && sorted; i++) sorted = ids[i - 1] < ids[i];
  if (sorted) return null;
  return Uint32Array.from({ length: ids.length }, (_, i) => i).sort((x, y) => ids[x] - ids[y]);
}

/** Whether a snapshot read covers enough members that joining them to people one at a time would be slow. */
async function isLargeSnapshot({ db }: Tenant, source: MemberSource): Promise<boolean> {
  if (source.kind !== 'snapshot') return false;
  const r = await db.query<{ n: number | null }>(
    'select cardinality(person_ids) as n from build_snapshots where persona_set_id = $1 and build_version = $2',
    [source.build.personaSetId, source.build.buildVersion],
  );
  return (r.rows[0]?.n ?? 0) / Math.max(1, Math.floor(source.stride ?? 1)) > LARGE_READ;
}

/** A set has a handful of personas: each uuid of the stream becomes one shared string, found without a string per row. */
class PersonaIdReader {
  private seen: { bytes: Buffer; id: string }[] = [];

  read(t: BinaryTuple, f: number): string | null {
    if (t.lengths[f] < 0) return null;
    const off = t.offsets[f];
    for (const s of this.seen) if (t.buf.compare(s.bytes, 0, 16, off, off + 16) === 0) return s.id;
    const entry = { bytes: Buffer.from(t.buf.subarray(off, off + 16)), id: uuidText(t.buf, off) };
    this.seen.push(entry);
    return entry.id;
  }
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

/*
 * The nearest persona of every snapshot member under a model, as the step that computed it left it: fitting the
 * personas assigns every row, and publishing them and their analysis need the same answer. Kept for one build, and
 * only handed back for the very model (its centres) it was computed with; after a restart it is computed again.
 */
let assigned: { key: string; centroids: number[][]; a: Assignment } | null = null;

export function rememberAssignment(build: BuildRef, model: PersonaModel, a: Assignment): void {
  assigned = { key: cacheKey(build), centroids: model.centroids, a };
}

export function rememberedAssignment(build: BuildRef, model: PersonaModel, n: number): Assignment | null {
  if (!assigned || assigned.key !== cacheKey(build) || assigned.a.labels.length !== n) return null;
  const mine = assigned.centroids;
  const same = mine.length === model.centroids.length && model.centroids.every((c, j) => c.length === mine[j].length && c.every((v, t) => v === mine[j][t]));
  return same ? assigned.a : null;
}

export function forgetSnapshotMatrix(build: BuildRef): void {
  if (assigned?.key === cacheKey(build)) assigned = null;
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
