import crypto from 'node:crypto';
import { ticks } from 'd3';
import type { Database } from '@/db/client';
import { bulkInsert, refreshStatistics } from '@/db/bulk';
import {
  buildPersonaSet as clusterTable,
  assignRows,
  encodeTable,
  matchPersonas,
  selectTraits,
  type PersonaModel,
  type TraitTable,
} from '@/lib/clustering';
import { ANALYSIS_TRAIT_KEYS, GRAPH_TRAITS, GRAPH_TRAIT_INDEX, STATES } from '@/lib/identity-graph/catalog';
import { dayToIso, toDay } from '@/lib/cohorts/timeline';
import { ServiceError, notFound } from './errors';
import type { DimensionAnalysis, FlowAnalysis, GeoAnalysis, RevenueAnalysis } from './persona-sets';
import { loadMemberTable, loadReferenceTable, resolveTraitColumns, type MemberTable, type TraitColumn } from './trait-tables';

/** Traits never chosen automatically: location is shown on the map, not used to define who people are. */
const NOT_FOR_CLUSTERING = new Set(['state', 'latitude', 'longitude']);
/** Traits loaded beside the clustering traits so personas can be described, drawn and mapped. */
const DESCRIBE_KEYS = ['age', 'gender', 'marital_status', 'household_size', 'has_children', 'income', 'homeowner', 'urbanicity', 'state'];
// trait selection looks at this many members (the selection itself samples 20k)
const SELECT_SAMPLE = 20_000;

export interface BuildContext {
  accountId: string;
  personaSetId: string;
  buildVersion: number;
}

interface SetRow {
  id: string;
  account_id: string;
  cohort_id: string;
  build_version: number;
  trait_keys: string[] | null;
  requested_k: number | null;
  model: PersonaModel | null;
  draft: BuildDraft | null;
  status: string;
}

export interface DraftPersona {
  id: string;
  position: number;
  name: string;
  shortName: string;
  avatar: unknown;
  size: number;
  share: number;
  centre: unknown;
  centroid: number[];
  salient: { key: string }[];
  cohesion: number;
}

export interface BuildDraft {
  buildVersion: number;
  model: PersonaModel;
  traits: string[];
  personas: DraftPersona[];
  retiredIds: string[];
  quality: Record<string, unknown>;
  members: number;
}

async function getSet(database: Database, ctx: BuildContext): Promise<SetRow> {
  const r = await database.query<SetRow>(
    `select id, account_id, cohort_id, build_version, trait_keys, requested_k, model, draft, status
     from persona_sets where id = $1 and account_id = $2`,
    [ctx.personaSetId, ctx.accountId],
  );
  if (!r.rows.length) throw notFound('Persona set');
  return r.rows[0];
}

export async function setProgress(database: Database, ctx: BuildContext, progress: number, step: string): Promise<void> {
  await database.query(
    `update persona_sets set status = 'building', progress = $1, current_step = $2, updated_at = now()
     where id = $3 and build_version = $4 and status in ('queued', 'building')`,
    [progress, step, ctx.personaSetId, ctx.buildVersion],
  );
}

/** Whether this build is still the set's current one (a newer rebuild supersedes it). */
export async function startBuild(database: Database, ctx: BuildContext): Promise<{ current: boolean }> {
  const set = await getSet(database, ctx);
  if (set.build_version !== ctx.buildVersion) return { current: false };
  await setProgress(database, ctx, 0.02, 'Starting');
  return { current: true };
}

/** Fixes the cohort members this build works on. Idempotent. */
export async function snapshotMembers(database: Database, ctx: BuildContext): Promise<{ members: number }> {
  const set = await getSet(database, ctx);
  await setProgress(database, ctx, 0.04, 'Taking the cohort snapshot');
  await database.transaction(async (tx) => {
    await tx.query('delete from build_snapshots where persona_set_id = $1', [ctx.personaSetId]);
    await tx.query(
      `insert into build_snapshots (persona_set_id, build_version, person_id)
       select $1, $2, person_id from cohort_memberships where cohort_id = $3 and account_id = $4 and exited_on is null`,
      [ctx.personaSetId, ctx.buildVersion, set.cohort_id, ctx.accountId],
    );
  });
  const r = await database.query<{ n: string }>(
    'select count(*)::text as n from build_snapshots where persona_set_id = $1 and build_version = $2',
    [ctx.personaSetId, ctx.buildVersion],
  );
  const members = Number(r.rows[0].n);
  if (members === 0) throw new ServiceError('invalid', 'The cohort has no members today, so there is nobody to cluster.');
  if (members < 20) throw new ServiceError('invalid', `The cohort has only ${members} members; a persona set needs at least 20.`);
  return { members };
}

function snapshotSource(ctx: BuildContext, stride?: number) {
  return {
    sql: `select person_id from build_snapshots where persona_set_id = $2 and build_version = $3`,
    params: [ctx.personaSetId, ctx.buildVersion],
    personaSetId: ctx.personaSetId,
    stride,
  };
}

/** The cohort's members today, optionally within a person id range (scoring chunks). */
export function cohortSource(personaSetId: string, cohortId: string, range?: [number, number]) {
  return {
    sql: `select person_id from cohort_memberships where cohort_id = $2 and exited_on is null${
      range ? ` and person_id between ${Math.floor(range[0])} and ${Math.floor(range[1])}` : ''
    }`,
    params: [cohortId],
    personaSetId,
  };
}

async function candidateKeys(database: Database, accountId: string): Promise<string[]> {
  const custom = await database.query<{ key: string }>(
    `select key from traits where account_id = $1 and source = 'custom' and type in ('numeric', 'ordinal', 'boolean', 'categorical')`,
    [accountId],
  );
  return [...GRAPH_TRAITS.map((t) => t.key).filter((k) => !NOT_FOR_CLUSTERING.has(k)), ...custom.rows.map((r) => r.key)];
}

/** Chooses the clustering traits on a sample of the members (or takes the analyst's). Small output. */
export async function chooseTraits(
  database: Database,
  ctx: BuildContext,
  members: number,
): Promise<{ traits: string[]; chosenBy: 'analyst' | 'automatic'; report: unknown[] }> {
  const set = await getSet(database, ctx);
  await setProgress(database, ctx, 0.08, 'Choosing traits');
  if (set.trait_keys?.length) return { traits: set.trait_keys, chosenBy: 'analyst', report: [] };
  const columns = await resolveTraitColumns(database, ctx.accountId, await candidateKeys(database, ctx.accountId));
  const stride = Math.max(1, Math.floor(members / SELECT_SAMPLE));
  const sample = await loadMemberTable(database, ctx.accountId, columns, snapshotSource(ctx, stride));
  const table = sample.table.n >= 20 ? sample.table : (await loadMemberTable(database, ctx.accountId, columns, snapshotSource(ctx))).table;
  const reference = await loadReferenceTable(database, columns);
  const selection = selectTraits(table, { reference, seed: 17 });
  if (!selection.selected.length) throw new ServiceError('invalid', 'No trait separates this cohort: every trait is missing or the same for everyone.');
  return { traits: selection.selected, chosenBy: 'automatic', report: selection.report };
}

/* The members' table is large; the steps of one build share it in memory when they run in the same process. */
const tableCache = new Map<string, MemberTable & { keys: string[] }>();
const cacheKey = (ctx: BuildContext) => `${ctx.personaSetId}:${ctx.buildVersion}`;

async function memberTable(
  database: Database,
  ctx: BuildContext,
  keys: string[],
  source: 'snapshot' | { cohortId: string } = 'snapshot',
): Promise<MemberTable & { columns: TraitColumn[] }> {
  const columns = await resolveTraitColumns(database, ctx.accountId, keys);
  if (source !== 'snapshot') {
    const loaded = await loadMemberTable(database, ctx.accountId, columns, cohortSource(ctx.personaSetId, source.cohortId));
    return { ...loaded, columns };
  }
  const cached = tableCache.get(cacheKey(ctx));
  if (cached && keys.every((k) => cached.keys.includes(k))) {
    // project the cached columns onto the requested keys
    const idx = keys.map((k) => cached.keys.indexOf(k));
    return {
      ...cached,
      table: { n: cached.table.n, traits: idx.map((i) => cached.table.traits[i]), columns: idx.map((i) => cached.table.columns[i]) as Float64Array[] },
      columns,
    };
  }
  const loaded = await loadMemberTable(database, ctx.accountId, columns, snapshotSource(ctx));
  tableCache.clear();
  tableCache.set(cacheKey(ctx), { ...loaded, keys });
  return { ...loaded, columns };
}

export function forgetBuildCache(ctx: BuildContext): void {
  tableCache.delete(cacheKey(ctx));
}

function loadKeys(traits: string[]): string[] {
  return [...new Set([...traits, ...DESCRIBE_KEYS, ...ANALYSIS_TRAIT_KEYS])].filter(
    (k) => GRAPH_TRAIT_INDEX[k] !== undefined || traits.includes(k),
  );
}

/**
 * Fits the personas on the members and decides their ids (keeping the ids of matching personas from the
 * previous build). Stores the result as the set's draft; nothing is visible until it is published.
 */
export async function fitPersonas(
  database: Database,
  ctx: BuildContext,
  traits: string[],
  onProgress?: (fraction: number, stage: string) => Promise<void> | void,
): Promise<{ k: number; personaIds: string[]; silhouette: number; stability: number; warnings: string[] }> {
  const set = await getSet(database, ctx);
  await setProgress(database, ctx, 0.12, 'Loading traits');
  const keys = loadKeys(traits);
  const mt = await memberTable(database, ctx, keys);
  await setProgress(database, ctx, 0.2, 'Finding personas');
  let last = 0;
  const result = await clusterTable(mt.table, {
    traits,
    k: set.requested_k ?? undefined,
    seed: 1234 + ctx.buildVersion,
    onProgress: (f, stage) => {
      const now = Date.now();
      if (now - last > 700 && onProgress) {
        last = now;
        void onProgress(0.2 + f * 0.35, stage);
      }
    },
  });

  // Ids stay stable: place the previous personas in the new space as the mean of their current members.
  const d = result.model.encoder.d;
  const old = await database.query<{ id: string; name: string; name_edited: boolean }>(
    `select id, name, name_edited from personas where persona_set_id = $1 and retired_at is null order by position`,
    [ctx.personaSetId],
  );
  const oldIndex = new Map(old.rows.map((r, i) => [r.id, i]));
  let matches = result.model.centroids.map(() => -1);
  if (old.rows.length) {
    const { matrix } = encodeTable(result.model.encoder, mt.table);
    const sums = old.rows.map(() => new Float64Array(d));
    const counts = old.rows.map(() => 0);
    mt.currentPersona.forEach((pid, i) => {
      const j = pid ? oldIndex.get(pid) : undefined;
      if (j === undefined) return;
      counts[j]++;
      for (let t = 0; t < d; t++) sums[j][t] += matrix[i * d + t];
    });
    const present = old.rows.map((_, j) => counts[j] > 0);
    const oldCentres = sums.filter((_, j) => present[j]).map((s, jj) => {
      const j = present.map((p, i) => (p ? i : -1)).filter((i) => i >= 0)[jj];
      return Array.from(s, (v) => v / counts[j]);
    });
    const presentIdx = present.map((p, i) => (p ? i : -1)).filter((i) => i >= 0);
    matches = matchPersonas(oldCentres, result.model.centroids).map((m) => (m < 0 ? -1 : presentIdx[m]));
  }
  const personas: DraftPersona[] = result.personas.map((p, j) => {
    const m = matches[j];
    const prev = m >= 0 ? old.rows[m] : null;
    return {
      id: prev?.id ?? crypto.randomUUID(),
      position: j,
      name: prev?.name_edited ? prev.name : p.name,
      shortName: p.shortName,
      avatar: p.avatar,
      size: p.size,
      share: p.share,
      centre: p.centre,
      centroid: result.model.centroids[j],
      salient: p.salient,
      cohesion: p.cohesion,
    };
  });
  const keptIds = new Set(personas.map((p) => p.id));
  const draft: BuildDraft = {
    buildVersion: ctx.buildVersion,
    model: result.model,
    traits: result.traits,
    personas,
    retiredIds: old.rows.map((r) => r.id).filter((id) => !keptIds.has(id)),
    quality: {
      silhouette: result.quality.silhouette,
      stability: result.quality.stability,
      cohesion: result.quality.cohesion,
      inertia: result.inertia,
      kCandidates: result.kCandidates,
      kReason: result.kReason,
      warnings: result.warnings,
      timings: result.timings,
    },
    members: mt.table.n,
  };
  await database.query('update persona_sets set draft = $1::jsonb where id = $2 and build_version = $3', [
    JSON.stringify(draft),
    ctx.personaSetId,
    ctx.buildVersion,
  ]);
  return {
    k: result.k,
    personaIds: personas.map((p) => p.id),
    silhouette: result.quality.silhouette,
    stability: result.quality.stability,
    warnings: result.warnings,
  };
}

/**
 * Publishes the draft: personas, the model, and every member's assignment, in one transaction. History rows
 * are closed and opened only where a member's persona changed. Idempotent: running it again changes nothing.
 */
export async function publishAssignments(
  database: Database,
  ctx: BuildContext,
  selection: { chosenBy: string; report: unknown[] },
): Promise<{ assigned: number; changed: number; added: number; removed: number }> {
  const set = await getSet(database, ctx);
  const draft = set.draft;
  if (!draft || draft.buildVersion !== ctx.buildVersion) throw new Error('the fitted personas of this build are missing');
  await setProgress(database, ctx, 0.6, 'Assigning members');
  const keys = loadKeys(draft.traits);
  const mt = await memberTable(database, ctx, keys);
  const { matrix } = encodeTable(draft.model.encoder, mt.table);
  const a = await assignRows(draft.model, matrix, mt.table.n);
  const ids = draft.personas.map((p) => p.id);
  await setProgress(database, ctx, 0.7, 'Writing assignments');
  return database.transaction(async (tx) => {
    await bulkInsert(
      tx,
      'personas',
      [
        { name: 'id', type: 'uuid' },
        { name: 'account_id', type: 'uuid' },
        { name: 'persona_set_id', type: 'uuid' },
        { name: 'position', type: 'int4' },
        { name: 'name', type: 'text' },
        { name: 'short_name', type: 'text' },
        { name: 'avatar', type: 'jsonb' },
        { name: 'size', type: 'int4' },
        { name: 'share', type: 'float4' },
        { name: 'centre', type: 'jsonb' },
        { name: 'centroid', type: 'float4[]' },
        { name: 'salient', type: 'jsonb' },
        { name: 'cohesion', type: 'float4' },
      ],
      draft.personas.map((p) => [
        p.id, ctx.accountId, ctx.personaSetId, p.position, p.name, p.shortName, p.avatar, p.size, p.share, p.centre,
        p.centroid, p.salient, p.cohesion,
      ]),
      {
        onConflict: `on conflict (id) do update set position = excluded.position, name = excluded.name, short_name = excluded.short_name,
          avatar = excluded.avatar, size = excluded.size, share = excluded.share, centre = excluded.centre, centroid = excluded.centroid,
          salient = excluded.salient, cohesion = excluded.cohesion, retired_at = null, updated_at = now()`,
      },
    );
    if (draft.retiredIds.length)
      await tx.query('update personas set retired_at = now() where persona_set_id = $1 and id = any($2::uuid[])', [
        ctx.personaSetId,
        draft.retiredIds,
      ]);
    const counts = await writeAssignments(tx, ctx.accountId, ctx.personaSetId, mt.personIds, a, ids, null, { closeOthers: true });
    await tx.query(
      `update persona_sets set model = $1::jsonb, k = $2, quality = $3::jsonb, selection = $4::jsonb, member_count = $5,
         progress = 0.85, current_step = 'Computing analysis', updated_at = now() where id = $6`,
      [
        JSON.stringify(draft.model),
        draft.model.k,
        JSON.stringify(draft.quality),
        JSON.stringify({ traits: draft.traits, ...selection }),
        mt.table.n,
        ctx.personaSetId,
      ],
    );
    return counts;
  });
}

/**
 * Writes assignments for the given people: closes current rows whose persona changed (and, with closeOthers,
 * rows of people not in this batch), opens rows for new or changed people. Must run inside a transaction.
 */
export async function writeAssignments(
  tx: Database,
  accountId: string,
  personaSetId: string,
  personIds: Float64Array,
  a: { labels: Int32Array; distances: Float32Array; runnerUp: Int32Array; margins: Float32Array },
  personaIds: string[],
  scoringRunId: string | null,
  opts: { closeOthers: boolean; range?: [number, number] },
): Promise<{ assigned: number; changed: number; added: number; removed: number }> {
  const existing = await tx.query<{ any: boolean }>(
    'select exists (select 1 from assignments where persona_set_id = $1 and valid_to is null) as any',
    [personaSetId],
  );
  if (!existing.rows[0].any) {
    // nothing assigned yet (a first build): every row is new, written straight in with COPY
    await bulkInsert(
      tx,
      'assignments',
      [
        { name: 'account_id', type: 'uuid' },
        { name: 'persona_set_id', type: 'uuid' },
        { name: 'person_id', type: 'int8' },
        { name: 'persona_id', type: 'uuid' },
        { name: 'distance', type: 'float4' },
        { name: 'runner_up_persona_id', type: 'uuid' },
        { name: 'margin', type: 'float4' },
        { name: 'scoring_run_id', type: 'uuid' },
      ],
      (function* () {
        for (let i = 0; i < personIds.length; i++)
          yield [
            accountId,
            personaSetId,
            personIds[i],
            personaIds[a.labels[i]],
            a.distances[i],
            a.runnerUp[i] >= 0 ? personaIds[a.runnerUp[i]] : null,
            a.margins[i],
            scoringRunId,
          ];
      })(),
      { batchSize: 50_000 },
    );
    // the analysis steps join these rows next: plan them on statistics that know they exist
    await refreshStatistics(tx, 'assignments', personIds.length);
    return { assigned: personIds.length, changed: 0, added: personIds.length, removed: 0 };
  }
  await tx.query(
    `create temp table if not exists facet_labels (person_id bigint primary key, persona_id uuid, distance real, runner_up uuid, margin real)`,
  );
  await tx.query('truncate facet_labels');
  const rows = function* () {
    for (let i = 0; i < personIds.length; i++)
      yield [personIds[i], personaIds[a.labels[i]], a.distances[i], a.runnerUp[i] >= 0 ? personaIds[a.runnerUp[i]] : null, a.margins[i]];
  };
  await bulkInsert(
    tx,
    'facet_labels',
    [
      { name: 'person_id', type: 'int8' },
      { name: 'persona_id', type: 'uuid' },
      { name: 'distance', type: 'float4' },
      { name: 'runner_up', type: 'uuid' },
      { name: 'margin', type: 'float4' },
    ],
    rows(),
    { batchSize: 50_000 },
  );
  await tx.query('analyze facet_labels');
  const scope = opts.range ? `and a.person_id between ${Math.floor(opts.range[0])} and ${Math.floor(opts.range[1])}` : '';
  const removed = opts.closeOthers
    ? await tx.query<{ n: string }>(
        `with c as (update assignments a set valid_to = now() where a.persona_set_id = $1 and a.valid_to is null ${scope}
           and not exists (select 1 from facet_labels t where t.person_id = a.person_id) returning 1)
         select count(*)::text as n from c`,
        [personaSetId],
      )
    : { rows: [{ n: '0' }] };
  const changed = await tx.query<{ n: string }>(
    `with c as (update assignments a set valid_to = now() from facet_labels t
       where a.persona_set_id = $1 and a.valid_to is null and a.person_id = t.person_id and a.persona_id <> t.persona_id returning 1)
     select count(*)::text as n from c`,
    [personaSetId],
  );
  await tx.query(
    `update assignments a set distance = t.distance, runner_up_persona_id = t.runner_up, margin = t.margin
     from facet_labels t where a.persona_set_id = $1 and a.valid_to is null and a.person_id = t.person_id
       and (a.distance <> t.distance or a.runner_up_persona_id is distinct from t.runner_up)`,
    [personaSetId],
  );
  const inserted = await tx.query<{ n: string }>(
    `with i as (insert into assignments (account_id, persona_set_id, person_id, persona_id, distance, runner_up_persona_id, margin, scoring_run_id)
       select $2, $1, t.person_id, t.persona_id, t.distance, t.runner_up, t.margin, $3 from facet_labels t
       where not exists (select 1 from assignments a where a.persona_set_id = $1 and a.person_id = t.person_id and a.valid_to is null)
       returning 1)
     select count(*)::text as n from i`,
    [personaSetId, accountId, scoringRunId],
  );
  await tx.query('truncate facet_labels');
  const nChanged = Number(changed.rows[0].n);
  return {
    assigned: personIds.length,
    changed: nChanged,
    added: Number(inserted.rows[0].n) - nChanged,
    removed: Number(removed.rows[0].n),
  };
}

/* ---------- analysis aggregates ---------- */

function dimensionOf(
  column: TraitColumn,
  values: Float64Array,
  labels: Int32Array,
  personaIds: string[],
  salientKeys: Set<string>[],
  clustering: boolean,
): DimensionAnalysis {
  const spec = column.spec;
  const k = personaIds.length;
  const n = values.length;
  let bins: { label: string; lo?: number; hi?: number }[];
  let binOf: (v: number) => number;
  if (spec.type === 'boolean') {
    bins = [{ label: 'No' }, { label: 'Yes' }];
    binOf = (v) => (v >= 0.5 ? 1 : 0);
  } else if (spec.type === 'categorical' || spec.type === 'ordinal') {
    const cats = spec.categories ?? [];
    bins = cats.map((c) => ({ label: c }));
    binOf = (v) => (Number.isInteger(v) && v >= 0 && v < cats.length ? v : -1);
  } else {
    const known: number[] = [];
    const step = Math.max(1, Math.floor(n / 20_000));
    for (let i = 0; i < n; i += step) if (!Number.isNaN(values[i])) known.push(values[i]);
    known.sort((x, y) => x - y);
    const lo = known.length ? known[Math.floor(known.length * 0.01)] : 0;
    const hi = known.length ? known[Math.floor(known.length * 0.99)] : 1;
    const edges = hi > lo ? ticks(lo, hi, 7) : [lo];
    const cuts = edges.filter((e) => e > lo && e < hi);
    const fmt = (x: number) =>
      Math.abs(x) >= 1e6 ? `${+(x / 1e6).toFixed(1)}M` : Math.abs(x) >= 1000 ? `${Math.round(x / 1000)}k` : String(+x.toFixed(2));
    bins = [];
    const bounds = [-Infinity, ...cuts, Infinity];
    for (let b = 0; b < bounds.length - 1; b++) {
      const a = bounds[b], c = bounds[b + 1];
      bins.push({
        label: a === -Infinity ? `< ${fmt(c)}` : c === Infinity ? `≥ ${fmt(a)}` : `${fmt(a)}–${fmt(c)}`,
        lo: Number.isFinite(a) ? a : undefined,
        hi: Number.isFinite(c) ? c : undefined,
      });
    }
    binOf = (v) => {
      let b = 0;
      while (b < cuts.length && v >= cuts[b]) b++;
      return b;
    };
  }
  const m = bins.length;
  const counts = Array.from({ length: k + 1 }, () => new Float64Array(m));
  const sum = new Float64Array(k + 1), sum2 = new Float64Array(k + 1), cnt = new Float64Array(k + 1);
  let known = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    known++;
    const p = labels[i];
    const b = binOf(v);
    if (b >= 0) {
      counts[p][b]++;
      counts[k][b]++;
    }
    sum[p] += v; sum2[p] += v * v; cnt[p]++;
    sum[k] += v; sum2[k] += v * v; cnt[k]++;
  }
  const norm = (c: Float64Array) => {
    const t = c.reduce((s, x) => s + x, 0);
    return Array.from(c, (x) => (t ? x / t : 0));
  };
  const cohort = norm(counts[k]);
  const cohortMean = cnt[k] ? sum[k] / cnt[k] : 0;
  const cohortSd = cnt[k] ? Math.sqrt(Math.max(0, sum2[k] / cnt[k] - cohortMean * cohortMean)) : 0;
  const numericLike = spec.type !== 'categorical';
  return {
    key: spec.key,
    label: spec.label,
    type: spec.type,
    unit: spec.unit,
    clustering,
    coverage: n ? known / n : 0,
    bins,
    cohort,
    cohortMean: numericLike ? cohortMean : undefined,
    personas: personaIds.map((personaId, p) => {
      const shares = norm(counts[p]);
      const mean = cnt[p] ? sum[p] / cnt[p] : 0;
      return {
        personaId,
        shares,
        index: shares.map((s, b) => (cohort[b] > 0 ? Math.round((s / cohort[b]) * 100) : 0)),
        mean: numericLike ? mean : undefined,
        z: numericLike && cohortSd > 0 ? (mean - cohortMean) / cohortSd : undefined,
        salient: salientKeys[p]?.has(spec.key) ?? false,
      };
    }),
  };
}

/** Computes and stores what the Analysis, Flow and Explore views read. */
export async function computeAnalysis(
  database: Database,
  ctx: BuildContext,
  source: 'snapshot' | 'cohort' = 'snapshot',
): Promise<{ dimensions: number; days: number }> {
  const set = await getSet(database, ctx);
  if (!set.model) throw new Error('the set has no published model');
  if (source === 'snapshot') await setProgress(database, ctx, 0.86, 'Computing analysis');
  const personaRows = await database.query<{ id: string; position: number; salient: { key: string }[] }>(
    `select id, position, salient from personas where persona_set_id = $1 and retired_at is null order by position`,
    [ctx.personaSetId],
  );
  const personaIds = personaRows.rows.map((r) => r.id);
  const pos = new Map(personaIds.map((id, i) => [id, i]));
  const clusteringKeys = set.model.encoder.specs.map((s) => s.key);
  const keys = loadKeys(clusteringKeys);
  const mt = await memberTable(database, ctx, keys, source === 'snapshot' ? 'snapshot' : { cohortId: set.cohort_id });
  // labels from the published assignments (the source of truth)
  let labels: Int32Array;
  const fromDb = mt.currentPersona.every((p) => p !== null && pos.has(p));
  if (fromDb) labels = Int32Array.from(mt.currentPersona, (p) => pos.get(p!)!);
  else {
    const { matrix } = encodeTable(set.model.encoder, mt.table);
    labels = (await assignRows(set.model, matrix, mt.table.n)).labels;
  }
  const salientKeys = personaRows.rows.map((r) => new Set((r.salient ?? []).map((s) => s.key)));
  const dims: DimensionAnalysis[] = [];
  mt.columns.forEach((c, j) => {
    if (c.key === 'state' || c.key === 'latitude' || c.key === 'longitude') return;
    dims.push(dimensionOf(c, mt.table.columns[j] as Float64Array, labels, personaIds, salientKeys, clusteringKeys.includes(c.key)));
  });

  // where members live
  const geo: GeoAnalysis = { states: [] };
  const stateCol = mt.columns.findIndex((c) => c.key === 'state');
  if (stateCol >= 0) {
    const stateCats = mt.columns[stateCol].spec.categories ?? STATES.map((s) => s.code);
    const per = new Map<string, { total: number; counts: Record<string, number> }>();
    const col = mt.table.columns[stateCol];
    for (let i = 0; i < mt.table.n; i++) {
      const code = stateCats[col[i]];
      if (!code) continue;
      let e = per.get(code);
      if (!e) per.set(code, (e = { total: 0, counts: {} }));
      e.total++;
      const pid = personaIds[labels[i]];
      e.counts[pid] = (e.counts[pid] ?? 0) + 1;
    }
    geo.states = [...per.entries()].map(([state, e]) => ({ state, ...e })).sort((a, b) => a.state.localeCompare(b.state));
  }

  const revenue = await revenueAnalysis(database, ctx, personaIds);
  const flow = await flowAnalysis(database, ctx, set.cohort_id, personaIds);
  await database.transaction(async (tx) => {
    await tx.query('delete from persona_set_analyses where persona_set_id = $1', [ctx.personaSetId]);
    await bulkInsert(
      tx,
      'persona_set_analyses',
      [
        { name: 'persona_set_id', type: 'uuid' },
        { name: 'kind', type: 'text' },
        { name: 'key', type: 'text' },
        { name: 'data', type: 'jsonb' },
      ],
      [
        ...dims.map((d) => [ctx.personaSetId, 'dimension', d.key, d]),
        [ctx.personaSetId, 'revenue', 'summary', revenue],
        [ctx.personaSetId, 'flow', 'daily', flow],
        [ctx.personaSetId, 'geo', 'state', geo],
      ],
    );
  });
  return { dimensions: dims.length, days: flow.days.length };
}

async function revenueAnalysis(database: Database, ctx: BuildContext, personaIds: string[]): Promise<RevenueAnalysis> {
  const r = await database.query<{ persona_id: string; members: string; customers: string; orders: string; revenue: string }>(
    `with cur as (select person_id, persona_id from assignments where persona_set_id = $1 and valid_to is null),
          spend as (select person_id, count(*) as orders, sum(amount) as revenue from orders where account_id = $2 group by person_id)
     select c.persona_id, count(*)::text as members, count(s.person_id)::text as customers,
            coalesce(sum(s.orders), 0)::text as orders, coalesce(sum(s.revenue), 0)::text as revenue
     from cur c left join spend s on s.person_id = c.person_id group by c.persona_id`,
    [ctx.personaSetId, ctx.accountId],
  );
  const top = await database.query<{ persona_id: string; product: string; category: string | null; revenue: string; orders: string }>(
    `with cur as (select person_id, persona_id from assignments where persona_set_id = $1 and valid_to is null)
     select c.persona_id, o.product, max(o.category) as category, sum(o.amount)::text as revenue, count(*)::text as orders
     from cur c join orders o on o.person_id = c.person_id and o.account_id = $2 where o.product is not null
     group by c.persona_id, o.product`,
    [ctx.personaSetId, ctx.accountId],
  );
  const byPersona = new Map(r.rows.map((x) => [x.persona_id, x]));
  const totalRevenue = r.rows.reduce((s, x) => s + Number(x.revenue), 0);
  const totalOrders = r.rows.reduce((s, x) => s + Number(x.orders), 0);
  return {
    totalRevenue,
    totalOrders,
    customers: r.rows.reduce((s, x) => s + Number(x.customers), 0),
    personas: personaIds.map((personaId) => {
      const x = byPersona.get(personaId);
      const revenue = Number(x?.revenue ?? 0), orders = Number(x?.orders ?? 0), customers = Number(x?.customers ?? 0);
      const products = top.rows
        .filter((t) => t.persona_id === personaId)
        .map((t) => ({ product: t.product, category: t.category, revenue: Number(t.revenue), orders: Number(t.orders), share: 0 }))
        .sort((a, b) => b.revenue - a.revenue)
        .slice(0, 5)
        .map((t) => ({ ...t, share: revenue ? t.revenue / revenue : 0 }));
      return {
        personaId,
        revenue,
        revenueShare: totalRevenue ? revenue / totalRevenue : 0,
        orders,
        customers,
        members: Number(x?.members ?? 0),
        aov: orders ? revenue / orders : 0,
        ordersPerCustomer: customers ? orders / customers : 0,
        revenuePerCustomer: customers ? revenue / customers : 0,
        topProducts: products,
      };
    }),
  };
}

/** Each persona's membership per day over the cohort's history (today's personas projected over the history). */
async function flowAnalysis(database: Database, ctx: BuildContext, cohortId: string, personaIds: string[]): Promise<FlowAnalysis> {
  const r = await database.query<{ persona_id: string; d: string; delta: string }>(
    `with cur as (select person_id, persona_id from assignments where persona_set_id = $1 and valid_to is null)
     select c.persona_id, to_char(m.d, 'YYYY-MM-DD') as d, sum(m.delta)::text as delta from (
       select person_id, entered_on as d, 1 as delta from cohort_memberships where cohort_id = $2
       union all
       select person_id, exited_on, -1 from cohort_memberships where cohort_id = $2 and exited_on is not null
     ) m join cur c on c.person_id = m.person_id group by c.persona_id, m.d`,
    [ctx.personaSetId, cohortId],
  );
  const today = toDay(new Date());
  let first = today;
  const deltas = new Map<string, Map<number, number>>();
  for (const row of r.rows) {
    const day = toDay(row.d);
    first = Math.min(first, day);
    let m = deltas.get(row.persona_id);
    if (!m) deltas.set(row.persona_id, (m = new Map()));
    m.set(day, (m.get(day) ?? 0) + Number(row.delta));
  }
  const days: string[] = [];
  for (let d = first; d <= today; d++) days.push(dayToIso(d));
  return {
    days,
    personas: personaIds.map((personaId) => {
      const m = deltas.get(personaId) ?? new Map<number, number>();
      let running = 0;
      const counts = days.map((_, i) => (running += m.get(first + i) ?? 0));
      return { personaId, counts };
    }),
  };
}

export async function markReady(database: Database, ctx: BuildContext): Promise<{ personas: { name: string; size: number }[] }> {
  await database.query(
    `update persona_sets set status = 'ready', progress = 1, current_step = null, error = null, draft = null,
       built_at = now(), last_scored_at = now(), updated_at = now() where id = $1 and build_version = $2`,
    [ctx.personaSetId, ctx.buildVersion],
  );
  await database.query('delete from build_snapshots where persona_set_id = $1', [ctx.personaSetId]);
  forgetBuildCache(ctx);
  const r = await database.query<{ name: string; size: number }>(
    'select name, size from personas where persona_set_id = $1 and retired_at is null order by position',
    [ctx.personaSetId],
  );
  return { personas: r.rows };
}

/** After the last retry: the set shows the reason and can be retried. */
export async function markErrored(database: Database, ctx: BuildContext, reason: string): Promise<void> {
  await database.query(
    `update persona_sets set status = 'errored', error = $1, current_step = null, updated_at = now()
     where id = $2 and build_version = $3`,
    [reason.slice(0, 500), ctx.personaSetId, ctx.buildVersion],
  );
  forgetBuildCache(ctx);
}

/** A reason a person understands, from whatever a step threw. */
export function explainBuildError(err: unknown): string {
  const msg = err instanceof Error ? err.message : typeof err === 'string' ? err : String((err as { message?: string })?.message ?? err);
  if (/no usable traits|missing everywhere|constant/i.test(msg))
    return 'The chosen traits carry no information for this cohort (missing or the same for everyone). Choose other traits and retry.';
  if (/fewer rows than|at least \d+ members|no members|has no rows/i.test(msg)) return msg.endsWith('.') ? msg : `${msg}.`;
  if (/ECONNREFUSED|connection|terminat/i.test(msg)) return 'The database could not be reached during the build. Retry in a moment.';
  return `The build failed: ${msg.slice(0, 300)}`;
}
