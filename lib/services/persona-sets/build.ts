// A build's state and its fitting steps: start, snapshot the cohort, choose the traits, fit the personas into a
// draft, then ready or errored. Publishing the draft is ./assignments; the analysis is ./analysis.
import 'server-only';
import crypto from 'node:crypto';
import { parseBuildDraft, parsePersonaModel, type BuildDraft, type BuildQuality, type DraftPersona } from '@/db/json';
import {
  buildPersonaSet as clusterTable,
  forEachEncodedBlock,
  matchPersonas,
  selectTraits,
  type PersonaModel,
  type PersonaSetResult,
  type SelectionReportRow,
} from '@/lib/clustering';
import { GRAPH_TRAITS } from '@/lib/identity-graph/catalog';
import { ServiceError, notFound } from '../errors';
import { explainFailure, type KnownFailure } from '../failures';
import type { Tenant } from '../tenant';
import { resolveTraitColumns } from '../trait-reader';
import { BuildSupersededError, ofMembers, setProgress, withStepProgress } from './build-progress';
import { forgetSnapshotMatrix, loadMemberMatrix, loadReferenceTable, matrixKeys, rememberAssignment, snapshotMatrix } from './member-matrix';
import type { BuildRef } from './types';

export { BuildSupersededError, setProgress } from './build-progress';

/** Traits never chosen automatically: location is shown on the map, not used to define who people are. */
const NOT_FOR_CLUSTERING = new Set(['state', 'latitude', 'longitude']);
// trait selection looks at this many members (the selection itself samples 20k)
const SELECT_SAMPLE = 20_000;

export interface BuildSet {
  id: string;
  cohortId: string;
  buildVersion: number;
  traitKeys: string[] | null;
  requestedK: number | null;
  model: PersonaModel | null;
  draft: BuildDraft | null;
}

/** The set a build works on, with its stored JSON parsed. */
export async function getBuildSet({ db, accountId }: Tenant, personaSetId: string): Promise<BuildSet> {
  const r = await db.query<{ id: string; cohort_id: string; build_version: number; trait_keys: string[] | null; requested_k: number | null; model: unknown; draft: unknown }>(
    `select id, cohort_id, build_version, trait_keys, requested_k, model, draft from persona_sets where id = $1 and account_id = $2`,
    [personaSetId, accountId],
  );
  if (!r.rows.length) throw notFound('Persona set');
  const row = r.rows[0];
  return {
    id: row.id,
    cohortId: row.cohort_id,
    buildVersion: row.build_version,
    traitKeys: row.trait_keys,
    requestedK: row.requested_k,
    model: row.model ? parsePersonaModel(row.model) : null,
    draft: row.draft ? parseBuildDraft(row.draft) : null,
  };
}

/** The set a build works on, when that build is still the set's current one; else BuildSupersededError. */
export async function getCurrentBuildSet(tenant: Tenant, build: BuildRef): Promise<BuildSet> {
  const set = await getBuildSet(tenant, build.personaSetId);
  if (set.buildVersion !== build.buildVersion) throw new BuildSupersededError(build);
  return set;
}

/** Whether this build is still the set's current one (a newer rebuild supersedes it). */
export async function startBuild(tenant: Tenant, build: BuildRef): Promise<{ current: boolean }> {
  const set = await getBuildSet(tenant, build.personaSetId);
  if (set.buildVersion !== build.buildVersion) return { current: false };
  await setProgress(tenant, build, 0.02, 'Starting');
  return { current: true };
}

/**
 * Fixes the cohort members this build works on, in the build's own rows of build_snapshots (a logged table: a
 * step resumed after a crash finds them), as one ordered array. Idempotent: a retry replaces this build's row, and
 * only this build's.
 */
export async function snapshotMembers(tenant: Tenant, build: BuildRef): Promise<{ members: number; takenAt: string }> {
  const { db, accountId } = tenant;
  const set = await getCurrentBuildSet(tenant, build);
  // the database's clock, before the first member is read: what is written after it counts as changed for the set
  const takenAt = new Date((await db.query<{ at: Date }>('select now() as at')).rows[0].at).toISOString();
  const members = await withStepProgress(tenant, build, 'Taking the cohort snapshot', [0.02, 0.08], async (progress) => {
    progress.report(0, 1, 'taking every member of the cohort');
    // a retry replaces this build's row
    const r = await db.query<{ n: number }>(
      `insert into build_snapshots (persona_set_id, build_version, person_ids)
       select $1, $2, coalesce(array_agg(person_id order by person_id), '{}') from cohort_memberships
       where cohort_id = $3 and account_id = $4 and exited_on is null
       on conflict (persona_set_id, build_version) do update set person_ids = excluded.person_ids
       returning cardinality(person_ids) as n`,
      [build.personaSetId, build.buildVersion, set.cohortId, accountId],
    );
    const taken = r.rows[0].n;
    progress.mark('copy members');
    progress.report(1, 1, ofMembers(taken, taken, 'taken'));
    return taken;
  });
  if (members === 0) throw new ServiceError('invalid', 'The cohort has no members today, so there is nobody to cluster.');
  if (members < 20) throw new ServiceError('invalid', `The cohort has only ${members} members; a persona set needs at least 20.`);
  return { members, takenAt };
}

async function candidateKeys({ db, accountId }: Tenant): Promise<string[]> {
  const custom = await db.query<{ key: string }>(
    `select key from traits where account_id = $1 and source = 'custom' and type in ('numeric', 'ordinal', 'boolean', 'categorical')`,
    [accountId],
  );
  return [...GRAPH_TRAITS.map((t) => t.key).filter((k) => !NOT_FOR_CLUSTERING.has(k)), ...custom.rows.map((r) => r.key)];
}

/** Chooses the clustering traits on a sample of the members (or takes the analyst's). Small output. */
export async function chooseTraits(
  tenant: Tenant,
  build: BuildRef,
  members: number,
): Promise<{ traits: string[]; chosenBy: 'analyst' | 'automatic'; report: SelectionReportRow[] }> {
  const set = await getCurrentBuildSet(tenant, build);
  if (set.traitKeys?.length) {
    await setProgress(tenant, build, 0.12, 'Choosing traits', 'chosen by the analyst');
    return { traits: set.traitKeys, chosenBy: 'analyst', report: [] };
  }
  return withStepProgress(tenant, build, 'Choosing traits', [0.08, 0.12], async (progress) => {
    const columns = await resolveTraitColumns(tenant, await candidateKeys(tenant));
    const stride = Math.max(1, Math.floor(members / SELECT_SAMPLE));
    const sample = await loadMemberMatrix(tenant, columns, { kind: 'snapshot', build, stride });
    const table = sample.table.n >= 20 ? sample.table : (await loadMemberMatrix(tenant, columns, { kind: 'snapshot', build })).table;
    progress.mark('load sample');
    progress.report(1, 2, `${columns.length} traits compared on ${table.n.toLocaleString('en-US')} members`);
    const reference = await loadReferenceTable(tenant.db, columns);
    progress.mark('load reference');
    const selection = selectTraits(table, { reference, seed: 17 });
    progress.mark('select');
    if (!selection.selected.length) throw new ServiceError('invalid', 'No trait separates this cohort: every trait is missing or the same for everyone.');
    return { traits: selection.selected, chosenBy: 'automatic' as const, report: selection.report };
  });
}

/** The trait report with the traits the fit left out (they split every persona the same way) marked as not chosen. */
export function withLeftOut(report: SelectionReportRow[], leftOut: { key: string; reason: string }[] = []): SelectionReportRow[] {
  return report.map((r) => {
    const out = leftOut.find((l) => l.key === r.key);
    return out ? { ...r, chosen: false, reason: out.reason } : r;
  });
}

/** What persona_sets.quality keeps of a fit: how well the personas separate, and how k was chosen. */
export function qualityOf(result: PersonaSetResult): BuildQuality {
  return {
    silhouette: result.quality.silhouette,
    stability: result.quality.stability,
    cohesion: result.quality.cohesion,
    inertia: result.inertia,
    kCandidates: result.kCandidates,
    kReason: result.kReason,
    warnings: result.warnings,
    timings: result.timings,
  };
}

/** Fitted persona `j` as the draft keeps it, under the id (new by default) and name it is published with. */
export function draftPersona(result: PersonaSetResult, j: number, id: string = crypto.randomUUID(), name?: string): DraftPersona {
  const p = result.personas[j];
  return {
    id,
    position: j,
    name: name ?? p.name,
    shortName: p.shortName,
    avatar: p.avatar,
    size: p.size,
    share: p.share,
    centre: p.centre,
    centroid: result.model.centroids[j],
    salient: p.salient,
    cohesion: p.cohesion,
  };
}

/**
 * Fits the personas on the members and decides their ids (keeping the ids of matching personas from the
 * previous build). Stores the result as the set's draft; nothing is visible until it is published.
 */
export async function fitPersonas(
  tenant: Tenant,
  build: BuildRef,
  traits: string[],
  chosenBy: 'analyst' | 'automatic' = 'analyst',
): Promise<{ k: number; personaIds: string[]; silhouette: number; stability: number; warnings: string[]; leftOut: { key: string; reason: string }[] }> {
  const set = await getCurrentBuildSet(tenant, build);
  const members = await snapshotSize(tenant, build);
  const mt = await withStepProgress(tenant, build, 'Loading traits', [0.12, 0.2], (progress) => {
    progress.report(0, members, ofMembers(0, members, 'loaded'));
    return snapshotMatrix(tenant, build, matrixKeys(traits), (n) => progress.report(n, members, ofMembers(n, members, 'loaded')));
  });
  if (mt.table.n === 0) throw emptySnapshot();
  // the engine reports its stages ("trying k = 5"); the heartbeat adds how long it has been at it
  const result = await withStepProgress(tenant, build, 'Finding personas', [0.2, 0.55], async (progress) => {
    progress.report(0, 1, 'starting');
    const fitted = await clusterTable(mt.table, {
      traits,
      k: set.requestedK ?? undefined,
      seed: 1234 + build.buildVersion,
      // a trait Facet chose that only splits every persona the same way is left out; the analyst's traits stay
      leaveOutSplits: chosenBy === 'automatic',
      // between the engine's stages, the fit stops for a newer build of the set
      onProgress: (f, stage) => {
        progress.report(f, 1, stage);
        progress.stopIfSuperseded();
      },
    });
    // the engine's own stages (encoding, choice of k, the final fit, ...)
    for (const [stage, seconds] of Object.entries(fitted.timings)) if (stage !== 'total') progress.mark(stage, seconds * 1000);
    return fitted;
  });
  rememberAssignment(build, result.model, { labels: result.labels, distances: result.distances, runnerUp: result.runnerUp, margins: result.margins });

  // Ids stay stable: place the previous personas in the new space as the mean of their current members.
  const d = result.model.encoder.d;
  const old = await tenant.db.query<{ id: string; name: string; name_edited: boolean }>(
    `select id, name, name_edited from personas where persona_set_id = $1 and account_id = $2 and retired_at is null order by position`,
    [build.personaSetId, tenant.accountId],
  );
  let matches = result.model.centroids.map(() => -1);
  if (old.rows.length) {
    const oldIndex = new Map(old.rows.map((r, i) => [r.id, i]));
    const sums = old.rows.map(() => new Float64Array(d));
    const counts = old.rows.map(() => 0);
    const oldOf = mt.currentPersona.map((pid) => (pid ? (oldIndex.get(pid) ?? -1) : -1));
    // summed a block of encoded rows at a time: the whole matrix is not needed again
    forEachEncodedBlock(result.model.encoder, mt.table, (block, from, to) => {
      for (let i = from; i < to; i++) {
        const j = oldOf[i];
        if (j < 0) continue;
        counts[j]++;
        for (let t = 0, o = (i - from) * d; t < d; t++) sums[j][t] += block[o + t];
      }
    });
    const presentIdx = old.rows.map((_, j) => j).filter((j) => counts[j] > 0);
    const oldCentres = presentIdx.map((j) => Array.from(sums[j], (v) => v / counts[j]));
    matches = matchPersonas(oldCentres, result.model.centroids).map((m) => (m < 0 ? -1 : presentIdx[m]));
  }
  const personas = result.personas.map((p, j) => {
    const prev = matches[j] >= 0 ? old.rows[matches[j]] : null;
    return draftPersona(result, j, prev?.id, prev?.name_edited ? prev.name : undefined);
  });
  const keptIds = new Set(personas.map((p) => p.id));
  const draft: BuildDraft = {
    buildVersion: build.buildVersion,
    model: result.model,
    traits: result.traits,
    personas,
    retiredIds: old.rows.map((r) => r.id).filter((id) => !keptIds.has(id)),
    quality: qualityOf(result),
    members: mt.table.n,
  };
  const saved = await tenant.db.query(
    'update persona_sets set draft = $1::jsonb where id = $2 and account_id = $3 and build_version = $4 returning id',
    [JSON.stringify(draft), build.personaSetId, tenant.accountId, build.buildVersion],
  );
  if (!saved.rows.length) throw new BuildSupersededError(build);
  return {
    k: result.k,
    personaIds: personas.map((p) => p.id),
    silhouette: result.quality.silhouette,
    stability: result.quality.stability,
    leftOut: result.leftOut,
    warnings: result.warnings,
  };
}

async function currentPersonaSizes({ db, accountId }: Tenant, personaSetId: string): Promise<{ name: string; size: number }[]> {
  const r = await db.query<{ name: string; size: number }>(
    'select name, size from personas where persona_set_id = $1 and account_id = $2 and retired_at is null order by position',
    [personaSetId, accountId],
  );
  return r.rows;
}

/**
 * The build's end: ready, its snapshot (and any older build's) dropped. BuildSupersededError if a newer build was
 * requested. `scoredAsOf` (the snapshot's time) is where the next 'changes' run looks from.
 */
export async function markReady(tenant: Tenant, build: BuildRef, scoredAsOf?: string): Promise<{ personas: { name: string; size: number }[] }> {
  const r = await tenant.db.query(
    `update persona_sets set status = 'ready', progress = 1, current_step = null, step_detail = null, error = null, draft = null,
       built_at = now(), last_scored_at = coalesce($4::timestamptz, now()), updated_at = now()
     where id = $1 and account_id = $2 and build_version = $3 returning id`,
    [build.personaSetId, tenant.accountId, build.buildVersion, scoredAsOf ?? null],
  );
  if (!r.rows.length) throw new BuildSupersededError(build);
  await dropSnapshots(tenant, build);
  return { personas: await currentPersonaSizes(tenant, build.personaSetId) };
}

/** After the last retry: the set shows the reason and can be retried. `marked` false: a newer build superseded this one. */
export async function markErrored(tenant: Tenant, build: BuildRef, reason: string): Promise<{ marked: boolean }> {
  const r = await tenant.db.query(
    `update persona_sets set status = 'errored', error = $1, current_step = null, step_detail = null, updated_at = now()
     where id = $2 and account_id = $3 and build_version = $4 returning id`,
    [reason.slice(0, 500), build.personaSetId, tenant.accountId, build.buildVersion],
  );
  await dropSnapshots(tenant, build);
  return { marked: r.rows.length > 0 };
}

/** A finished build's snapshot and those of builds it superseded; never a newer build's. */
async function dropSnapshots({ db }: Tenant, build: BuildRef): Promise<void> {
  await db.query('delete from build_snapshots where persona_set_id = $1 and build_version <= $2', [build.personaSetId, build.buildVersion]);
  forgetSnapshotMatrix(build);
}

/** Members in this build's snapshot. */
export async function snapshotSize({ db }: Tenant, build: BuildRef): Promise<number> {
  const r = await db.query<{ n: string }>('select coalesce(sum(cardinality(person_ids)), 0)::text as n from build_snapshots where persona_set_id = $1 and build_version = $2', [
    build.personaSetId,
    build.buildVersion,
  ]);
  return Number(r.rows[0].n);
}

/** A step found the build's members gone: it refuses to go on rather than fit or publish nobody. */
export const emptySnapshot = () =>
  new ServiceError(
    'invalid',
    "The build's member snapshot is empty, so nothing was published and the current personas and assignments are kept. Rebuild the set.",
  );

const BUILD_FAILURES: KnownFailure[] = [
  {
    pattern: /no usable traits|missing everywhere|constant/i,
    say: 'The chosen traits carry no information for this cohort (missing or the same for everyone). Choose other traits and retry.',
  },
  { pattern: /no rows|no members|fewer (rows|members) than|exceeds the number of rows/i, say: 'The cohort has too few members for this many personas. Choose fewer personas or a larger cohort.' },
  { pattern: /unknown trait/i, say: 'A chosen trait is no longer available. Choose the traits again and retry.' },
];

/** A reason a person understands, from whatever a step threw (the raw error goes to the server log only). */
export function explainBuildError(err: unknown): string {
  return explainFailure(err, 'persona set build', BUILD_FAILURES, 'The build stopped on an unexpected error. Retry; if it fails again, contact support.');
}
