// Scoring runs: today's cohort members assigned to a built set's personas (ad hoc, API or on schedule), in
// person-id chunks that larger cohorts fan out over; then sizes and analysis refreshed once every chunk is in.
import 'server-only';
import { parsePersonaModel } from '@/db/json';
import { assignRows, encodeTable, type PersonaModel } from '@/lib/clustering';
import { ServiceError, notFound } from '../errors';
import { explainFailure } from '../failures';
import type { Tenant } from '../tenant';
import { resolveTraitColumns } from '../trait-reader';
import { computeAnalysis } from './analysis';
import { refreshPersonaSizes, writeAssignments } from './assignments';
import { loadMemberIds, loadMemberMatrix } from './member-matrix';

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
  if (!row.model) throw new ServiceError('invalid', 'This persona set has not been built yet');
  return { cohortId: row.cohort_id, model: parsePersonaModel(row.model), buildVersion: row.build_version };
}

/**
 * Starts a run: closes the assignments of people who left the cohort and plans the chunks. A run of trigger
 * 'changes' scores only the members written since the set was last scored (or built) or not assigned yet
 * (`changedSince`, which its chunks carry). People who never were in the cohort (contacts recorded in real time) keep theirs.
 */
export async function startScoringRun(
  tenant: Tenant,
  personaSetId: string,
  runId: string,
): Promise<{ members: number; chunks: [number, number][]; removed: number; changedSince?: string }> {
  const { db, accountId } = tenant;
  const set = await getScoringSet(tenant, personaSetId);
  // the start is noted before the plan is read: the next 'changes' run looks from here
  await db.query('update scoring_runs set started_at = coalesce(started_at, now()) where id = $1 and account_id = $2', [runId, accountId]);
  const run = await db.query<{ trigger: string; since: Date | null }>(
    `select r.trigger, coalesce(s.last_scored_at, s.built_at) as since from scoring_runs r join persona_sets s on s.id = r.persona_set_id
     where r.id = $1 and r.account_id = $2`,
    [runId, accountId],
  );
  const changedSince = run.rows[0]?.trigger === 'changes' && run.rows[0].since ? new Date(run.rows[0].since).toISOString() : undefined;
  const ids = (await loadMemberIds(tenant, { personaSetId, cohortId: set.cohortId, changedSince })).map((id) => [id]);
  const chunks: [number, number][] = [];
  for (let i = 0; i < ids.length; i += SCORING_CHUNK) {
    const last = Math.min(ids.length, i + SCORING_CHUNK) - 1;
    chunks.push([ids[i][0] as number, ids[last][0] as number]);
  }
  // one transaction: a retry after a crash finds either nothing closed yet or the count of the first try kept
  const removed = await db.transaction(async (tx) => {
    const r = await tx.query<{ n: string }>(
      `with c as (update assignments a set valid_to = now(), scoring_run_id = $3
         where a.persona_set_id = $1 and a.valid_to is null
           and exists (select 1 from cohort_memberships m where m.cohort_id = $2 and m.person_id = a.person_id)
           and not exists (select 1 from cohort_memberships m where m.cohort_id = $2 and m.person_id = a.person_id and m.exited_on is null)
         returning 1)
       select count(*)::text as n from c`,
      [personaSetId, set.cohortId, runId],
    );
    const u = await tx.query<{ removed: number }>(
      `update scoring_runs set status = 'running', started_at = coalesce(started_at, now()), chunks_total = $1, removed = greatest(removed, $2)
       where id = $3 and account_id = $4 returning removed`,
      [chunks.length, Number(r.rows[0].n), runId, accountId],
    );
    return u.rows[0]?.removed ?? Number(r.rows[0].n);
  });
  return { members: ids.length, chunks, removed, ...(changedSince ? { changedSince } : {}) };
}

/** Scores the cohort's current members in one person id range; idempotent for a given run and range. */
export async function scoreChunk(
  tenant: Tenant,
  personaSetId: string,
  runId: string,
  range: [number, number],
  opts: { changedSince?: string } = {},
): Promise<{ scored: number; changed: number; added: number }> {
  const { model, cohortId } = await getScoringSet(tenant, personaSetId);
  const columns = await resolveTraitColumns(tenant, model.encoder.specs.map((s) => s.key));
  const mt = await loadMemberMatrix(tenant, columns, { kind: 'cohort', personaSetId, cohortId, range, changedSince: opts.changedSince });
  const { matrix } = encodeTable(model.encoder, mt.table);
  const a = await assignRows(model, matrix, mt.table.n);
  const personas = await tenant.db.query<{ id: string }>(
    'select id from personas where persona_set_id = $1 and account_id = $2 and retired_at is null order by position',
    [personaSetId, tenant.accountId],
  );
  const ids = personas.rows.map((p) => p.id);
  return tenant.db.transaction(async (tx) => {
    const counts = await writeAssignments({ ...tenant, db: tx }, personaSetId, mt.personIds, a, ids, runId, { closeOthers: false, range });
    // chunks of one run commit their counts one at a time: without the lock, two chunks finishing together each
    // counted only their own row, and the run never read as complete
    await tx.query('select id from scoring_runs where id = $1 and account_id = $2 for update', [runId, tenant.accountId]);
    // the chunk's first result stands (a retry of a committed chunk changes nothing and would count 0 moves);
    // the run's counters are the sums over its chunks, so a chunk counts once however often it runs
    const chunk = await tx.query<{ scored: number; changed: number; added: number }>(
      `with ins as (
         insert into scoring_run_chunks (scoring_run_id, from_person_id, to_person_id, scored, changed, added)
         select $1, $2, $3, $4, $5, $6 where exists (select 1 from scoring_runs where id = $1 and account_id = $7)
         on conflict (scoring_run_id, from_person_id) do nothing returning scored, changed, added)
       select scored, changed, added from ins
       union all select scored, changed, added from scoring_run_chunks where scoring_run_id = $1 and from_person_id = $2
       limit 1`,
      [runId, Math.floor(range[0]), Math.floor(range[1]), counts.assigned, counts.changed, counts.added, tenant.accountId],
    );
    await tx.query(
      `update scoring_runs r set scored = c.scored, changed = c.changed, added = c.added, chunks_done = c.n
       from (select coalesce(sum(scored), 0)::int as scored, coalesce(sum(changed), 0)::int as changed, coalesce(sum(added), 0)::int as added,
                    count(*)::int as n from scoring_run_chunks where scoring_run_id = $1) c
       where r.id = $1 and r.account_id = $2`,
      [runId, tenant.accountId],
    );
    const stood = chunk.rows[0] ?? { scored: counts.assigned, changed: counts.changed, added: counts.added };
    return { scored: stood.scored, changed: stood.changed, added: stood.added };
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
    // scored as of the run's start: what was written while it ran is still "changed" for the next run
    `update persona_sets set last_scored_at = coalesce((select started_at from scoring_runs where id = $3), now()),
       member_count = (select count(*) from assignments where persona_set_id = $1 and valid_to is null) where id = $1 and account_id = $2`,
    [personaSetId, accountId, runId],
  );
  return { finished: true };
}

/** A reason a person understands for a failed scoring run (the raw error goes to the server log only). */
export const explainScoringError = (err: unknown): string =>
  explainFailure(err, 'scoring run', [], 'Scoring stopped on an unexpected error. Score again; if it fails again, contact support.');

export async function failScoringRun({ db, accountId }: Tenant, runId: string, reason: string): Promise<void> {
  await db.query(`update scoring_runs set status = 'errored', error = $1, finished_at = now() where id = $2 and account_id = $3`, [
    reason.slice(0, 500),
    runId,
    accountId,
  ]);
}
