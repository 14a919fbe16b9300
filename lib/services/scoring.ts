import type { Database } from '@/db/client';
import { assignRows, encodeTable, type PersonaModel } from '@/lib/clustering';
import { computeAnalysis, writeAssignments } from './persona-set-build';
import { notFound } from './errors';
import { loadMemberTable, resolveTraitColumns } from './trait-tables';
import { cohortSource } from './persona-set-build';

/** Members scored per chunk; larger cohorts fan out into one function run per chunk. */
export const SCORING_CHUNK = 100_000;

interface ScoringSet {
  id: string;
  cohort_id: string;
  model: PersonaModel | null;
  build_version: number;
}

async function getScoringSet(database: Database, accountId: string, personaSetId: string): Promise<ScoringSet> {
  const r = await database.query<ScoringSet>(
    'select id, cohort_id, model, build_version from persona_sets where id = $1 and account_id = $2',
    [personaSetId, accountId],
  );
  if (!r.rows.length) throw notFound('Persona set');
  if (!r.rows[0].model) throw new Error('the persona set has not been built yet');
  return r.rows[0];
}

/** Starts a run: closes the assignments of people who left the cohort and plans the chunks. */
export async function startScoringRun(
  database: Database,
  accountId: string,
  personaSetId: string,
  runId: string,
): Promise<{ members: number; chunks: [number, number][]; removed: number }> {
  const set = await getScoringSet(database, accountId, personaSetId);
  const removed = await database.query<{ n: string }>(
    `with c as (update assignments a set valid_to = now(), scoring_run_id = $3
       where a.persona_set_id = $1 and a.valid_to is null
         and not exists (select 1 from cohort_memberships m where m.cohort_id = $2 and m.person_id = a.person_id and m.exited_on is null)
       returning 1)
     select count(*)::text as n from c`,
    [personaSetId, set.cohort_id, runId],
  );
  const ids = await database.queryArrays(
    `select person_id::float8 from cohort_memberships where cohort_id = $1 and account_id = $2 and exited_on is null order by person_id`,
    [set.cohort_id, accountId],
  );
  const chunks: [number, number][] = [];
  for (let i = 0; i < ids.length; i += SCORING_CHUNK) {
    const last = Math.min(ids.length, i + SCORING_CHUNK) - 1;
    chunks.push([ids[i][0] as number, ids[last][0] as number]);
  }
  await database.query(
    `update scoring_runs set status = 'running', started_at = coalesce(started_at, now()), chunks_total = $1, removed = $2 where id = $3 and account_id = $4`,
    [chunks.length, Number(removed.rows[0].n), runId, accountId],
  );
  return { members: ids.length, chunks, removed: Number(removed.rows[0].n) };
}

/** Scores the cohort's current members in one person id range; idempotent for a given run and range. */
export async function scoreChunk(
  database: Database,
  accountId: string,
  personaSetId: string,
  runId: string,
  range: [number, number],
): Promise<{ scored: number; changed: number; added: number }> {
  const set = await getScoringSet(database, accountId, personaSetId);
  const model = set.model!;
  const columns = await resolveTraitColumns(database, accountId, model.encoder.specs.map((s) => s.key));
  const mt = await loadMemberTable(database, accountId, columns, cohortSource(personaSetId, set.cohort_id, range));
  const { matrix } = encodeTable(model.encoder, mt.table);
  const a = await assignRows(model, matrix, mt.table.n);
  const personas = await database.query<{ id: string }>(
    'select id from personas where persona_set_id = $1 and retired_at is null order by position',
    [personaSetId],
  );
  const ids = personas.rows.map((p) => p.id);
  return database.transaction(async (tx) => {
    const counts = await writeAssignments(tx, accountId, personaSetId, mt.personIds, a, ids, runId, { closeOthers: false, range });
    await tx.query(
      `update scoring_runs set scored = scored + $1, changed = changed + $2, added = added + $3, chunks_done = chunks_done + 1
       where id = $4`,
      [counts.assigned, counts.changed, counts.added, runId],
    );
    return { scored: counts.assigned, changed: counts.changed, added: counts.added };
  });
}

/** When every chunk is in: persona sizes, analysis, and the run's end. Returns whether the run finished now. */
export async function finishScoringRunIfComplete(
  database: Database,
  accountId: string,
  personaSetId: string,
  runId: string,
): Promise<{ finished: boolean }> {
  const claimed = await database.query<{ id: string }>(
    `update scoring_runs set status = 'done', finished_at = now()
     where id = $1 and account_id = $2 and status = 'running' and chunks_done >= chunks_total returning id`,
    [runId, accountId],
  );
  if (!claimed.rows.length) return { finished: false };
  await database.query(
    `update personas p set size = (select count(*) from assignments a
       where a.persona_set_id = $1 and a.valid_to is null and a.persona_id = p.id)
     where p.persona_set_id = $1 and p.retired_at is null`,
    [personaSetId],
  );
  await database.query(
    `update personas p set share = case when t.total > 0 then p.size::real / t.total else 0 end
     from (select sum(size) as total from personas where persona_set_id = $1 and retired_at is null) t
     where p.persona_set_id = $1 and p.retired_at is null`,
    [personaSetId],
  );
  const set = await getScoringSet(database, accountId, personaSetId);
  await computeAnalysis(database, { accountId, personaSetId, buildVersion: set.build_version }, 'cohort');
  await database.query(
    `update persona_sets set last_scored_at = now(), member_count = (select count(*) from assignments where persona_set_id = $1 and valid_to is null) where id = $1`,
    [personaSetId],
  );
  return { finished: true };
}

export async function failScoringRun(database: Database, runId: string, reason: string): Promise<void> {
  await database.query(`update scoring_runs set status = 'errored', error = $1, finished_at = now() where id = $2`, [reason.slice(0, 500), runId]);
}

/** Sets whose schedule is due: daily after 24 h, weekly after 7 days since the last scoring. */
export async function dueScheduledSets(database: Database): Promise<{ accountId: string; personaSetId: string }[]> {
  const r = await database.query<{ account_id: string; id: string }>(
    `select account_id, id from persona_sets
     where status = 'ready' and archived_at is null and model is not null and (
       (schedule = 'daily' and (last_scored_at is null or last_scored_at < now() - interval '23 hours 50 minutes')) or
       (schedule = 'weekly' and (last_scored_at is null or last_scored_at < now() - interval '6 days 23 hours 50 minutes')))`,
  );
  return r.rows.map((x) => ({ accountId: x.account_id, personaSetId: x.id }));
}
