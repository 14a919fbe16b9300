// Scoring runs: today's cohort members assigned to a built set's personas (ad hoc, API or on schedule), in
// person-id chunks that larger cohorts fan out over; then sizes and analysis refreshed once every chunk is in.
import 'server-only';
import { parsePersonaModel } from '@/db/json';
import { assignRows, encodeTable, type PersonaModel } from '@/lib/clustering';
import { notFound } from '../errors';
import type { Tenant } from '../tenant';
import { resolveTraitColumns } from '../trait-reader';
import { computeAnalysis } from './analysis';
import { refreshPersonaSizes, writeAssignments } from './assignments';
import { loadMemberMatrix } from './member-matrix';

/** Members scored per chunk; larger cohorts fan out into one function run per chunk. */
export const SCORING_CHUNK = 100_000;

interface ScoringSet {
  cohortId: string;
  model: PersonaModel;
  buildVersion: number;
}

async function getScoringSet({ db, accountId }: Tenant, personaSetId: string): Promise<ScoringSet> {
  const r = await db.query<{ cohort_id: string; model: unknown; build_version: number }>(
    'select cohort_id, model, build_version from persona_sets where id = $1 and account_id = $2',
    [personaSetId, accountId],
  );
  if (!r.rows.length) throw notFound('Persona set');
  const row = r.rows[0];
  if (!row.model) throw new Error('the persona set has not been built yet');
  return { cohortId: row.cohort_id, model: parsePersonaModel(row.model), buildVersion: row.build_version };
}

/** Starts a run: closes the assignments of people who left the cohort and plans the chunks. */
export async function startScoringRun(
  tenant: Tenant,
  personaSetId: string,
  runId: string,
): Promise<{ members: number; chunks: [number, number][]; removed: number }> {
  const { db, accountId } = tenant;
  const set = await getScoringSet(tenant, personaSetId);
  const removed = await db.query<{ n: string }>(
    `with c as (update assignments a set valid_to = now(), scoring_run_id = $3
       where a.persona_set_id = $1 and a.valid_to is null
         and not exists (select 1 from cohort_memberships m where m.cohort_id = $2 and m.person_id = a.person_id and m.exited_on is null)
       returning 1)
     select count(*)::text as n from c`,
    [personaSetId, set.cohortId, runId],
  );
  const ids = await db.queryArrays(
    `select person_id::float8 from cohort_memberships where cohort_id = $1 and account_id = $2 and exited_on is null order by person_id`,
    [set.cohortId, accountId],
  );
  const chunks: [number, number][] = [];
  for (let i = 0; i < ids.length; i += SCORING_CHUNK) {
    const last = Math.min(ids.length, i + SCORING_CHUNK) - 1;
    chunks.push([ids[i][0] as number, ids[last][0] as number]);
  }
  await db.query(
    `update scoring_runs set status = 'running', started_at = coalesce(started_at, now()), chunks_total = $1, removed = $2 where id = $3 and account_id = $4`,
    [chunks.length, Number(removed.rows[0].n), runId, accountId],
  );
  return { members: ids.length, chunks, removed: Number(removed.rows[0].n) };
}

/** Scores the cohort's current members in one person id range; idempotent for a given run and range. */
export async function scoreChunk(
  tenant: Tenant,
  personaSetId: string,
  runId: string,
  range: [number, number],
): Promise<{ scored: number; changed: number; added: number }> {
  const { model, cohortId } = await getScoringSet(tenant, personaSetId);
  const columns = await resolveTraitColumns(tenant, model.encoder.specs.map((s) => s.key));
  const mt = await loadMemberMatrix(tenant, columns, { kind: 'cohort', personaSetId, cohortId, range });
  const { matrix } = encodeTable(model.encoder, mt.table);
  const a = await assignRows(model, matrix, mt.table.n);
  const personas = await tenant.db.query<{ id: string }>(
    'select id from personas where persona_set_id = $1 and account_id = $2 and retired_at is null order by position',
    [personaSetId, tenant.accountId],
  );
  const ids = personas.rows.map((p) => p.id);
  return tenant.db.transaction(async (tx) => {
    const counts = await writeAssignments({ ...tenant, db: tx }, personaSetId, mt.personIds, a, ids, runId, { closeOthers: false, range });
    await tx.query(
      `update scoring_runs set scored = scored + $1, changed = changed + $2, added = added + $3, chunks_done = chunks_done + 1
       where id = $4 and account_id = $5`,
      [counts.assigned, counts.changed, counts.added, runId, tenant.accountId],
    );
    return { scored: counts.assigned, changed: counts.changed, added: counts.added };
  });
}

/** When every chunk is in: persona sizes, analysis, and the run's end. Returns whether the run finished now. */
export async function finishScoringRunIfComplete(tenant: Tenant, personaSetId: string, runId: string): Promise<{ finished: boolean }> {
  const { db, accountId } = tenant;
  const claimed = await db.query<{ id: string }>(
    `update scoring_runs set status = 'done', finished_at = now()
     where id = $1 and account_id = $2 and status = 'running' and chunks_done >= chunks_total returning id`,
    [runId, accountId],
  );
  if (!claimed.rows.length) return { finished: false };
  await refreshPersonaSizes(tenant, personaSetId);
  const set = await getScoringSet(tenant, personaSetId);
  await computeAnalysis(tenant, { personaSetId, buildVersion: set.buildVersion }, 'cohort');
  await db.query(
    `update persona_sets set last_scored_at = now(),
       member_count = (select count(*) from assignments where persona_set_id = $1 and valid_to is null) where id = $1 and account_id = $2`,
    [personaSetId, accountId],
  );
  return { finished: true };
}

export async function failScoringRun({ db, accountId }: Tenant, runId: string, reason: string): Promise<void> {
  await db.query(`update scoring_runs set status = 'errored', error = $1, finished_at = now() where id = $2 and account_id = $3`, [
    reason.slice(0, 500),
    runId,
    accountId,
  ]);
}

/** Sets of every account whose schedule is due: daily after 24 h, weekly after 7 days since the last scoring. */
export async function dueScheduledSets({ db }: Pick<Tenant, 'db'>): Promise<{ accountId: string; personaSetId: string }[]> {
  const r = await db.query<{ account_id: string; id: string }>(
    `select account_id, id from persona_sets
     where status = 'ready' and archived_at is null and model is not null and (
       (schedule = 'daily' and (last_scored_at is null or last_scored_at < now() - interval '23 hours 50 minutes')) or
       (schedule = 'weekly' and (last_scored_at is null or last_scored_at < now() - interval '6 days 23 hours 50 minutes')))`,
  );
  return r.rows.map((x) => ({ accountId: x.account_id, personaSetId: x.id }));
}
