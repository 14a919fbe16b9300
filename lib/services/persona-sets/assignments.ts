// Publishing a build (its personas, model and every member's assignment, recorded contacts re-scored alongside, in
// one transaction) and the assignment history writes builds and scoring share: a current row per member, closed and
// reopened only on a change.
import 'server-only';
import type { TraitSelection } from '@/db/json';
import { bulkColumns, bulkInsert, refreshStatistics } from '@/db/bulk';
import { CopyBinaryWriter, uuidBytes } from '@/db/copy-binary';
import { assignRows, encodeTable, type PersonaModel } from '@/lib/clustering';
import type { Tenant } from '../tenant';
import { emptySnapshot, getCurrentBuildSet } from './build';
import { BuildSupersededError, ofMembers, withStepProgress } from './build-progress';
import { resolveTraitColumns } from '../trait-reader';
import { loadMemberMatrix, matrixKeys, rememberedAssignment, snapshotMatrix } from './member-matrix';
import type { BuildRef } from './types';

export interface Labels {
  labels: Int32Array;
  distances: Float32Array;
  runnerUp: Int32Array;
  margins: Float32Array;
}

export interface AssignmentCounts {
  assigned: number;
  changed: number;
  added: number;
  removed: number;
}

const PERSONA_COLUMNS = bulkColumns({
  id: 'uuid', account_id: 'uuid', persona_set_id: 'uuid', position: 'int4', name: 'text', short_name: 'text', avatar: 'jsonb',
  size: 'int4', share: 'float4', centre: 'jsonb', centroid: 'float4[]', salient: 'jsonb', cohesion: 'float4',
});
const ASSIGNMENT_COLUMNS = 'account_id, persona_set_id, person_id, persona_id, distance, runner_up_persona_id, margin, scoring_run_id';

/**
 * Publishes the draft: personas, the model, and the assignment of every member and of every contact recorded by
 * real-time assignment outside the cohort, in one transaction. History rows
 * are closed and opened only where a member's persona changed. Idempotent: running it again changes nothing.
 */
export async function publishAssignments(
  tenant: Tenant,
  build: BuildRef,
  selection: Omit<TraitSelection, 'traits'>,
): Promise<AssignmentCounts> {
  const set = await getCurrentBuildSet(tenant, build);
  const draft = set.draft;
  if (!draft || draft.buildVersion !== build.buildVersion) throw new Error('the fitted personas of this build are missing');
  const { mt, a, recorded } = await withStepProgress(tenant, build, 'Assigning members', [0.55, 0.6], async (progress) => {
    progress.report(0, draft.members, ofMembers(0, draft.members, 'loaded'));
    const mt = await snapshotMatrix(tenant, build, matrixKeys(draft.traits), (n) => progress.report(n, draft.members, ofMembers(n, draft.members, 'loaded')));
    progress.mark('load');
    // an empty or changed snapshot would close every current assignment it lacks: refuse to publish it
    if (mt.table.n === 0) throw emptySnapshot();
    if (mt.table.n !== draft.members)
      throw new Error(`the build's member snapshot has ${mt.table.n} members, but the personas were fitted on ${draft.members}`);
    // fitting the personas assigned every member already when it ran in this process
    const a = rememberedAssignment(build, draft.model, mt.table.n) ?? (await assignRows(draft.model, encodeTable(draft.model.encoder, mt.table).matrix, mt.table.n));
    progress.mark('assign');
    const recorded = await scoreRecordedContacts(tenant, build.personaSetId, set.cohortId, draft.model);
    progress.mark('recorded contacts');
    return { mt, a, recorded };
  });
  const ids = draft.personas.map((p) => p.id);
  const stored: TraitSelection = { traits: draft.traits, ...selection };
  return withStepProgress(tenant, build, 'Writing assignments', [0.6, 0.85], (progress) => tenant.db.transaction(async (tx) => {
    const onRows = (n: number) => progress.report(n, mt.table.n, ofMembers(n, mt.table.n, 'written'));
    onRows(0);
    await bulkInsert(
      tx,
      'personas',
      PERSONA_COLUMNS,
      draft.personas.map((p) => [
        p.id, tenant.accountId, build.personaSetId, p.position, p.name, p.shortName, p.avatar, p.size, p.share, p.centre,
        p.centroid, p.salient, p.cohesion,
      ]),
      {
        onConflict: `on conflict (id) do update set position = excluded.position, name = excluded.name, short_name = excluded.short_name,
          avatar = excluded.avatar, size = excluded.size, share = excluded.share, centre = excluded.centre, centroid = excluded.centroid,
          salient = excluded.salient, cohesion = excluded.cohesion, retired_at = null, updated_at = now()`,
      },
    );
    if (draft.retiredIds.length)
      await tx.query('update personas set retired_at = now() where persona_set_id = $1 and account_id = $2 and id = any($3::uuid[])', [
        build.personaSetId,
        tenant.accountId,
        draft.retiredIds,
      ]);
    progress.mark('personas');
    const everyone = recorded ? joinLabels([mt.personIds, a], [recorded.personIds, recorded.a]) : { personIds: mt.personIds, a };
    const counts = await writeAssignments({ ...tenant, db: tx }, build.personaSetId, everyone.personIds, everyone.a, ids, null, {
      closeOthers: true,
      onRows,
      onPhase: (phase) => progress.mark(phase),
    });
    // the progress writes go through the pool: none may wait on the row lock this update takes
    await progress.flush();
    const published = await tx.query(
      `update persona_sets set model = $1::jsonb, k = $2, quality = $3::jsonb, selection = $4::jsonb, member_count = $5,
         progress = greatest(progress, 0.85), current_step = 'Computing analysis', step_detail = null, updated_at = now()
       where id = $6 and account_id = $7 and build_version = $8 returning id`,
      [JSON.stringify(draft.model), draft.model.k, JSON.stringify(draft.quality), JSON.stringify(stored), mt.table.n, build.personaSetId, tenant.accountId, build.buildVersion],
    );
    // a newer request came in meanwhile: roll all of it back, the newer build publishes its own
    if (!published.rows.length) throw new BuildSupersededError(build);
    return counts;
  }));
}

/**
 * Contacts recorded by real-time assignment (assigned in the set, never members of its cohort) scored against the new
 * personas: a rebuild re-scores them with the members rather than closing their assignment, so each keeps a current
 * persona of the set (the same one, without a new history row, when the new model agrees).
 */
async function scoreRecordedContacts(tenant: Tenant, personaSetId: string, cohortId: string, model: PersonaModel) {
  const columns = await resolveTraitColumns(tenant, model.encoder.specs.map((s) => s.key));
  const mt = await loadMemberMatrix(tenant, columns, { kind: 'recorded', personaSetId, cohortId });
  if (!mt.table.n) return null;
  const { matrix } = encodeTable(model.encoder, mt.table);
  return { personIds: mt.personIds, a: await assignRows(model, matrix, mt.table.n) };
}

function joinLabels(...parts: [Float64Array, Labels][]): { personIds: Float64Array; a: Labels } {
  const n = parts.reduce((s, [ids]) => s + ids.length, 0);
  const out = { personIds: new Float64Array(n), a: { labels: new Int32Array(n), distances: new Float32Array(n), runnerUp: new Int32Array(n), margins: new Float32Array(n) } };
  let at = 0;
  for (const [ids, a] of parts) {
    out.personIds.set(ids, at);
    out.a.labels.set(a.labels, at);
    out.a.distances.set(a.distances, at);
    out.a.runnerUp.set(a.runnerUp, at);
    out.a.margins.set(a.margins, at);
    at += ids.length;
  }
  return out;
}

/** A distance or margin as stored: NaN kept, an infinite one (no runner-up) null. */
const real = (w: CopyBinaryWriter, v: number) => (Number.isFinite(v) || Number.isNaN(v) ? w.float4(v) : w.nul());

/** Copies the labels into the per-connection scratch table the history statements join (binary COPY, then its key). */
async function stageLabels(tenant: Tenant, personIds: Float64Array, a: Labels, personaIds: string[], tick: (i: number) => void): Promise<void> {
  const tx = tenant.db;
  await tx.query('drop table if exists facet_labels');
  await tx.query('create temp table facet_labels (person_id bigint not null, persona_id uuid, distance real, runner_up uuid, margin real)');
  const personas = personaIds.map(uuidBytes);
  await tx.copyIn(
    (src) => `copy facet_labels (person_id, persona_id, distance, runner_up, margin) from ${src} with (format binary)`,
    (function* () {
      const w = new CopyBinaryWriter();
      for (let i = 0; i < personIds.length; i++, tick(i)) {
        real(w.row(5).int8(personIds[i]).uuid(personas[a.labels[i]]), a.distances[i]).uuid(a.runnerUp[i] >= 0 ? personas[a.runnerUp[i]] : null);
        real(w, a.margins[i]);
        const chunk = w.take();
        if (chunk) yield chunk;
      }
      yield w.end();
    })(),
  );
  // the key is built once over the sorted rows, not maintained row by row
  await tx.query('alter table facet_labels add primary key (person_id)');
  await tx.query('analyze facet_labels');
}

/**
 * Writes assignments for the given people: closes current rows whose persona changed (and, with closeOthers,
 * rows of people not in this batch), opens rows for new or changed people. Must run inside a transaction.
 */
export async function writeAssignments(
  tenant: Tenant,
  personaSetId: string,
  personIds: Float64Array,
  a: Labels,
  personaIds: string[],
  scoringRunId: string | null,
  opts: { closeOthers: boolean; range?: [number, number]; onRows?: (written: number) => void; onPhase?: (phase: string) => void },
): Promise<AssignmentCounts> {
  const { db: tx, accountId } = tenant;
  if (opts.closeOthers && personIds.length === 0) throw new Error('refusing to write an empty assignment set: it would close every current assignment');
  const tick = (i: number) => {
    if (opts.onRows && i % 10_000 === 0) opts.onRows(i);
  };
  const existing = await tx.query<{ any: boolean }>(
    'select exists (select 1 from assignments where persona_set_id = $1 and valid_to is null) as any',
    [personaSetId],
  );
  if (!existing.rows[0].any) {
    // nothing assigned yet (a first build): every row is new, appended with one binary COPY in (set, person) order
    const account = uuidBytes(accountId);
    const set = uuidBytes(personaSetId);
    const run = scoringRunId ? uuidBytes(scoringRunId) : null;
    const personas = personaIds.map(uuidBytes);
    await tx.copyIn(
      (src) => `copy assignments (${ASSIGNMENT_COLUMNS}) from ${src} with (format binary)`,
      (function* () {
        const w = new CopyBinaryWriter();
        for (let i = 0; i < personIds.length; i++, tick(i)) {
          w.row(8).uuid(account).uuid(set).int8(personIds[i]).uuid(personas[a.labels[i]]);
          real(w, a.distances[i]).uuid(a.runnerUp[i] >= 0 ? personas[a.runnerUp[i]] : null);
          real(w, a.margins[i]).uuid(run);
          const chunk = w.take();
          if (chunk) yield chunk;
        }
        yield w.end();
      })(),
    );
    opts.onRows?.(personIds.length);
    opts.onPhase?.('copy');
    // the analysis steps join these rows next: plan them on statistics that know they exist
    await refreshStatistics(tx, 'assignments', personIds.length);
    opts.onPhase?.('statistics');
    return { assigned: personIds.length, changed: 0, added: personIds.length, removed: 0 };
  }
  await stageLabels(tenant, personIds, a, personaIds, tick);
  opts.onRows?.(personIds.length);
  opts.onPhase?.('stage labels');
  const scope = opts.range ? 'and a.person_id between $2 and $3' : '';
  const scopeParams = opts.range ? [Math.floor(opts.range[0]), Math.floor(opts.range[1])] : [];
  const removed = opts.closeOthers
    ? await tx.query<{ n: string }>(
        `with c as (update assignments a set valid_to = now() where a.persona_set_id = $1 and a.valid_to is null ${scope}
           and not exists (select 1 from facet_labels t where t.person_id = a.person_id) returning 1)
         select count(*)::text as n from c`,
        [personaSetId, ...scopeParams],
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
  await tx.query('drop table facet_labels');
  opts.onPhase?.('history');
  const nChanged = Number(changed.rows[0].n);
  return {
    assigned: personIds.length,
    changed: nChanged,
    added: Number(inserted.rows[0].n) - nChanged,
    removed: Number(removed.rows[0].n),
  };
}

/** Persona sizes and shares, and the set's member count, from its current assignments. */
export async function refreshPersonaSizes({ db, accountId }: Tenant, personaSetId: string): Promise<void> {
  await db.query(
    `update personas p set size = (select count(*) from assignments a
       where a.persona_set_id = $1 and a.valid_to is null and a.persona_id = p.id)
     where p.persona_set_id = $1 and p.account_id = $2 and p.retired_at is null`,
    [personaSetId, accountId],
  );
  await db.query(
    `update personas p set share = case when t.total > 0 then p.size::real / t.total else 0 end
     from (select sum(size) as total from personas where persona_set_id = $1 and retired_at is null) t
     where p.persona_set_id = $1 and p.account_id = $2 and p.retired_at is null`,
    [personaSetId, accountId],
  );
}
