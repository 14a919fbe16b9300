// Pipelines: a population (cohorts) and a payload (persona sets, optional traits), read in keyset pages on
// person id so that a reader paging through while assignments change neither repeats nor skips anyone.
import 'server-only';
import { and, desc, eq, inArray } from 'drizzle-orm';
import { cohorts, personaSets, personas, pipelines, type Pipeline } from '@/db/schema';
import { GRAPH_TRAITS } from '@/lib/identity-graph/catalog';
import { assertNotReadOnlyDemo } from './account-guards';
import { ServiceError, isUniqueViolation, notFound } from './errors';
import { isUuid } from './ids';
import type { Tenant } from './tenant';
import { resolveTraitColumns, type TraitColumn } from './trait-reader';


export async function listPipelines({ db, accountId }: Tenant): Promise<Pipeline[]> {
  return db.db.select().from(pipelines).where(eq(pipelines.accountId, accountId)).orderBy(desc(pipelines.createdAt));
}

export async function getPipelineOrThrow({ db, accountId }: Tenant, id: string): Promise<Pipeline> {
  if (!isUuid(id)) throw notFound('Pipeline');
  const rows = await db.db
    .select()
    .from(pipelines)
    .where(and(eq(pipelines.accountId, accountId), eq(pipelines.id, id)))
    .limit(1);
  if (!rows.length) throw notFound('Pipeline');
  return rows[0];
}

export interface CreatePipelineInput {
  name: string;
  cohortIds: string[];
  personaSetIds: string[];
  traitKeys?: string[];
}

export async function createPipeline(tenant: Tenant, input: CreatePipelineInput): Promise<Pipeline> {
  await assertNotReadOnlyDemo(tenant, 'pipelines');
  const { db: database, accountId } = tenant;
  const name = input.name.trim();
  const fieldErrors: Record<string, string[]> = {};
  if (!name || name.length > 100) fieldErrors.name = ['1 to 100 characters'];
  const cohortIds = [...new Set(input.cohortIds)];
  const setIds = [...new Set(input.personaSetIds)];
  const traitKeys = [...new Set(input.traitKeys ?? [])];
  if (!cohortIds.length) fieldErrors.cohortIds = ['Choose at least one cohort'];
  if (!setIds.length) fieldErrors.personaSetIds = ['Choose at least one persona set'];
  const validCohorts = cohortIds.filter((id) => isUuid(id));
  const validSets = setIds.filter((id) => isUuid(id));
  const [ownCohorts, ownSets] = await Promise.all([
    validCohorts.length
      ? database.db.select({ id: cohorts.id }).from(cohorts).where(and(eq(cohorts.accountId, accountId), inArray(cohorts.id, validCohorts)))
      : [],
    validSets.length
      ? database.db
          .select({ id: personaSets.id })
          .from(personaSets)
          .where(and(eq(personaSets.accountId, accountId), inArray(personaSets.id, validSets)))
      : [],
  ]);
  if (cohortIds.length && ownCohorts.length !== cohortIds.length) fieldErrors.cohortIds = ['Choose among your cohorts'];
  if (setIds.length && ownSets.length !== setIds.length) fieldErrors.personaSetIds = ['Choose among your persona sets'];
  if (traitKeys.length) {
    try {
      await resolveTraitColumns(tenant, traitKeys);
    } catch {
      fieldErrors.traitKeys = ['Unknown trait'];
    }
  }
  if (Object.keys(fieldErrors).length) throw new ServiceError('invalid', 'Please check the pipeline', fieldErrors);
  try {
    const [row] = await database.db
      .insert(pipelines)
      .values({ accountId, name, cohortIds, personaSetIds: setIds, traitKeys })
      .returning();
    return row;
  } catch (err) {
    if (isUniqueViolation(err)) throw new ServiceError('conflict', 'A pipeline with this name already exists', { name: ['Already used'] });
    throw err;
  }
}

export async function deletePipeline(tenant: Tenant, id: string): Promise<void> {
  await assertNotReadOnlyDemo(tenant, 'pipelines');
  const { db, accountId } = tenant;
  await getPipelineOrThrow(tenant, id);
  await db.db.delete(pipelines).where(and(eq(pipelines.accountId, accountId), eq(pipelines.id, id)));
}

/* ---------- payload ---------- */

export type PayloadCell = string | number | boolean | null;

export interface PayloadPlan {
  pipeline: Pipeline;
  columns: string[];
  sql: string;
  params: unknown[];
  /**
   * The whole payload from a person id on as one SELECT for COPY ... TO STDOUT: final CSV text cells (formula-escaped),
   * or one column holding each row's JSON object as the NDJSON stream writes it
   */
  copySelect: (after: number, format?: 'csv' | 'ndjson') => string;
  /** turns a raw SQL row into cells in column order */
  decode: (raw: unknown[]) => PayloadCell[];
}

// a text cell a spreadsheet would run as a formula (= + - @ tab CR) gets a leading quote, as in lib/api/csv-stream
const safe = (x: string) => `case when (${x}) ~ '^[-=+@\t\r]' then '''' || (${x}) else (${x}) end`;
// a value as JSON text, null included
const json = (x: string) => `coalesce(to_json(${x})::text, 'null')`;

/** SQL for one trait's final CSV text and its JSON text, decoded like traitDecoder. */
function traitCopyExprs(c: TraitColumn): { csv: string; json: string } {
  if (c.source === 'custom') return { csv: safe(c.sql), json: json(c.sql) };
  const def = GRAPH_TRAITS.find((t) => t.key === c.key)!;
  // NaN and the infinities are no number (traitDecoder reads them as missing)
  const v = `nullif(nullif(nullif(${c.sql}, 'NaN'::real), 'Infinity'::real), '-Infinity'::real)`;
  if (def.type === 'boolean') {
    const b = (missing: string) => `case when ${v} is null then ${missing} when ${v} <> 0 then 'true' else 'false' end`;
    return { csv: b('null'), json: b(`'null'`) };
  }
  if ((def.type === 'categorical' || def.type === 'ordinal') && def.categories) {
    const label = `(array[${def.categories.map((x) => `'${x.replace(/'/g, "''")}'`).join(',')}]::text[])[(${v})::int + 1]`;
    return { csv: safe(label), json: json(label) };
  }
  const n = `trim_scale(round((${v})::text::numeric, 6))`;
  return { csv: n, json: `coalesce(${n}::text, 'null')` };
}

function traitDecoder(c: TraitColumn): (v: unknown) => PayloadCell {
  if (c.source === 'custom') return (v) => (v === null || v === undefined ? null : String(v));
  const def = GRAPH_TRAITS.find((t) => t.key === c.key)!;
  return (v) => {
    if (v === null || v === undefined) return null;
    const n = Number(v);
    if (!Number.isFinite(n)) return null;
    if (def.type === 'boolean') return n !== 0;
    if ((def.type === 'categorical' || def.type === 'ordinal') && def.categories) return def.categories[n] ?? null;
    return Math.round(n * 1e6) / 1e6;
  };
}

const columnSlug = (slug: string) => slug.replace(/[^a-z0-9]+/gi, '_').replace(/^_+|_+$/g, '').toLowerCase() || 'set';

/** The payload's columns and the keyset query reading it (params: after person id, then limit appended by the reader). */
export async function planPayload(tenant: Tenant, pipelineId: string): Promise<PayloadPlan> {
  const { db: database, accountId } = tenant;
  const pipeline = await getPipelineOrThrow(tenant, pipelineId);
  const sets = pipeline.personaSetIds.length
    ? await database.db
        .select({ id: personaSets.id, slug: personaSets.slug })
        .from(personaSets)
        .where(and(eq(personaSets.accountId, accountId), inArray(personaSets.id, pipeline.personaSetIds)))
    : [];
  const bySetId = new Map(sets.map((s) => [s.id, s]));
  const orderedSets = pipeline.personaSetIds.map((id) => bySetId.get(id)).filter((s): s is { id: string; slug: string } => !!s);
  const names = new Map<string, string>();
  const personasOfSet = new Map<string, { id: string; name: string }[]>();
  if (orderedSets.length) {
    const rows = await database.db
      .select({ id: personas.id, name: personas.name, setId: personas.personaSetId })
      .from(personas)
      .where(and(eq(personas.accountId, accountId), inArray(personas.personaSetId, orderedSets.map((s) => s.id))));
    for (const r of rows) {
      names.set(r.id, r.name);
      personasOfSet.set(r.setId, [...(personasOfSet.get(r.setId) ?? []), r]);
    }
  }
  const traitCols = pipeline.traitKeys.length ? await resolveTraitColumns(tenant, pipeline.traitKeys) : [];
  const columns = ['person_id', 'external_id', 'email'];
  const usedSlugs = new Set<string>();
  for (const s of orderedSets) {
    let slug = columnSlug(s.slug);
    while (usedSlugs.has(slug)) slug += '_';
    usedSlugs.add(slug);
    columns.push(`persona_set_${slug}_persona_id`, `persona_set_${slug}_persona_name`);
  }
  for (const t of traitCols) columns.push(t.key);

  // $1 account, $2 cohorts, $3 after, $4 limit, $5.. sets
  const params: unknown[] = [accountId, pipeline.cohortIds];
  const joins = orderedSets
    .map((s, i) => {
      params.push(s.id);
      return `left join assignments a${i} on a${i}.persona_set_id = $${i + 5} and a${i}.person_id = p.id and a${i}.valid_to is null and a${i}.account_id = $1`;
    })
    .join('\n');
  const selects = [
    'p.id::float8',
    'p.external_id',
    'p.email',
    ...orderedSets.map((_, i) => `a${i}.persona_id`),
    ...traitCols.map((t) => t.sql),
  ];
  // drive from the cohorts' membership index (cohort_id, person_id), ordered by person id: each batch is an
  // index range scan plus nested-loop lookups, whatever the payload's size
  const sqlText = `select ${selects.join(', ')} from (
      select distinct m.person_id from cohort_memberships m
      where m.cohort_id = any($2::uuid[]) and m.exited_on is null and m.account_id = $1 and m.person_id > $3
      order by m.person_id limit $4
    ) ids
    join people p on p.id = ids.person_id and p.account_id = $1
    ${joins}
    order by p.id`;
  const decoders = traitCols.map(traitDecoder);
  const nSets = orderedSets.length;
  const copySelect = (after: number, format: 'csv' | 'ndjson' = 'csv') => {
    const lit = (v: string) => `'${v.replace(/'/g, "''")}'`;
    const ids = (list: string[]) => `array[${list.map(lit).join(',')}]::uuid[]`;
    const cells: { csv: string; json: string }[] = [
      { csv: 'p.id', json: 'p.id::text' },
      { csv: safe('p.external_id'), json: json('p.external_id') },
      { csv: safe('p.email'), json: json('p.email') },
      ...orderedSets.flatMap((s, i) => {
        // a set's few persona names as constants (escaped once, when the statement is planned): no join per row
        const name = (value: (name: string) => string) =>
          `case a${i}.persona_id ${(personasOfSet.get(s.id) ?? []).map((p) => `when ${lit(p.id)}::uuid then ${value(`${lit(p.name)}::text`)}`).join(' ')} end`;
        return [
          { csv: `a${i}.persona_id`, json: json(`a${i}.persona_id`) },
          { csv: personasOfSet.get(s.id)?.length ? name(safe) : 'null', json: personasOfSet.get(s.id)?.length ? `coalesce(${name(json)}, 'null')` : `'null'` },
        ];
      }),
      ...traitCols.map(traitCopyExprs),
    ];
    const select =
      format === 'csv'
        ? cells.map((c, i) => `${c.csv} as "${columns[i]}"`).join(', ')
        : // keys as JSON.stringify writes them, values in PostgreSQL's own JSON
          `${cells.map((c, i) => `${lit(`${i ? ',' : '{'}${JSON.stringify(columns[i])}:`)} || ${c.json}`).join(' || ')} || '}'`;
    const copyJoins = orderedSets
      .map(
        (s, i) =>
          `left join assignments a${i} on a${i}.persona_set_id = ${lit(s.id)} and a${i}.person_id = p.id and a${i}.valid_to is null and a${i}.account_id = ${lit(accountId)}`,
      )
      .join('\n');
    // a cohort's current members are unique (cohort_id, person_id) and come in person order from that index: with one
    // cohort, no distinct and no sort, and the rows stream from the first one on
    const one = pipeline.cohortIds.length === 1;
    const members = `select ${one ? '' : 'distinct '}m.person_id from cohort_memberships m
        where m.cohort_id ${one ? `= ${lit(pipeline.cohortIds[0])}::uuid` : `= any(${ids(pipeline.cohortIds)})`} and m.exited_on is null
          and m.account_id = ${lit(accountId)} and m.person_id > ${Math.floor(after)}`;
    return `select ${select} from (${members}) ids
      join people p on p.id = ids.person_id and p.account_id = ${lit(accountId)}
      ${copyJoins}
      order by p.id`;
  };
  const decode = (raw: unknown[]): PayloadCell[] => {
    const out: PayloadCell[] = [raw[0] as number, (raw[1] as string | null) ?? null, (raw[2] as string | null) ?? null];
    for (let i = 0; i < nSets; i++) {
      const pid = raw[3 + i] as string | null;
      out.push(pid ?? null, pid ? (names.get(pid) ?? null) : null);
    }
    for (let t = 0; t < decoders.length; t++) out.push(decoders[t](raw[3 + nSets + t]));
    return out;
  };
  return { pipeline, columns, sql: sqlText, params, decode, copySelect };
}

/** One keyset batch of raw rows after the given person id (of a plan made for the same tenant). */
export async function readPayloadBatch({ db, accountId }: Tenant, plan: PayloadPlan, after: number, limit: number): Promise<unknown[][]> {
  if (plan.pipeline.accountId !== accountId) throw notFound('Pipeline');
  const [, cohortIds, ...sets] = plan.params;
  return db.queryArrays(plan.sql, [accountId, cohortIds, after, limit, ...sets]);
}

export interface PayloadPage {
  columns: string[];
  rows: PayloadCell[][];
  /** person id of the last row, or null when this page is the last */
  nextAfter: number | null;
}

export async function readPayloadPage(tenant: Tenant, pipelineId: string, opts: { after: number; limit: number }): Promise<PayloadPage> {
  const plan = await planPayload(tenant, pipelineId);
  const raw = await readPayloadBatch(tenant, plan, opts.after, opts.limit + 1);
  const more = raw.length > opts.limit;
  const rows = raw.slice(0, opts.limit).map(plan.decode);
  return { columns: plan.columns, rows, nextAfter: more && rows.length ? (rows[rows.length - 1][0] as number) : null };
}

/** Batches of decoded rows from `after` on, at most `limit` rows in all (Infinity = everything). */
export async function* payloadBatches(
  tenant: Tenant,
  plan: PayloadPlan,
  opts: { after: number; limit: number; batchSize?: number },
): AsyncGenerator<PayloadCell[][]> {
  const batchSize = opts.batchSize ?? 10_000;
  let after = opts.after;
  let left = opts.limit;
  while (left > 0) {
    const want = Math.min(batchSize, left);
    const raw = await readPayloadBatch(tenant, plan, after, want);
    if (!raw.length) return;
    left -= raw.length;
    after = raw[raw.length - 1][0] as number;
    yield raw.map(plan.decode);
    if (raw.length < want) return;
  }
}
