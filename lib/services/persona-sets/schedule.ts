// Scoring that runs by itself: each set's schedule (off, daily, weekly), which sets are due at a given instant
// (the cron job passes its own tick, so tests inject time), and the runs a set's page lists.
import 'server-only';
import { and, desc, eq } from 'drizzle-orm';
import { personaSets, scoringRuns, type PersonaSet, type ScoringRun } from '@/db/schema';
import { ServiceError } from '../errors';
import { getPersonaSetOrThrow } from './sets';
import type { Tenant } from '../tenant';

export const SCORING_SCHEDULES = ['off', 'daily', 'weekly'] as const;
export type ScoringSchedule = (typeof SCORING_SCHEDULES)[number];

const HOUR = 3_600_000;
/**
 * How long after the last scoring a schedule is due. The cron ticks hourly, so each period is shortened by
 * ten minutes: a set scored at 09:05 is due again at the 09:05 tick of the next day, not at 10:05.
 */
export const SCHEDULE_PERIOD_MS: Record<Exclude<ScoringSchedule, 'off'>, number> = {
  daily: 24 * HOUR - 10 * 60_000,
  weekly: 7 * 24 * HOUR - 10 * 60_000,
};

export function parseSchedule(value: unknown): ScoringSchedule {
  if (typeof value === 'string' && (SCORING_SCHEDULES as readonly string[]).includes(value)) return value as ScoringSchedule;
  throw new ServiceError('invalid', 'The schedule is off, daily or weekly', { schedule: ['Choose off, daily or weekly'] });
}

export async function setScoringSchedule(tenant: Tenant, personaSetId: string, schedule: unknown): Promise<PersonaSet> {
  const { db, accountId } = tenant;
  const value = parseSchedule(schedule);
  await getPersonaSetOrThrow(tenant, personaSetId);
  const [set] = await db.db
    .update(personaSets)
    .set({ schedule: value })
    .where(and(eq(personaSets.accountId, accountId), eq(personaSets.id, personaSetId)))
    .returning();
  return set;
}

/**
 * Sets of every account whose schedule is due at `at`: ready, not archived, last scored a period or more before,
 * and with no run of theirs still queued or running (a slow run is not queued twice).
 */
export async function dueScheduledSets({ db }: Pick<Tenant, 'db'>, at: Date): Promise<{ accountId: string; personaSetId: string }[]> {
  const r = await db.query<{ account_id: string; id: string }>(
    `select s.account_id, s.id from persona_sets s
     where s.status = 'ready' and s.archived_at is null and s.model is not null and s.schedule <> 'off'
       and (s.last_scored_at is null
            or s.last_scored_at <= $1::timestamptz - (case s.schedule when 'daily' then $2::float8 else $3::float8 end) * interval '1 millisecond')
       and not exists (select 1 from scoring_runs r where r.persona_set_id = s.id and r.status in ('queued', 'running'))
     order by s.account_id, s.id`,
    [at.toISOString(), SCHEDULE_PERIOD_MS.daily, SCHEDULE_PERIOD_MS.weekly],
  );
  return r.rows.map((x) => ({ accountId: x.account_id, personaSetId: x.id }));
}

/** The set's latest scoring runs, newest first. */
export async function listScoringRuns(tenant: Tenant, personaSetId: string, limit = 10): Promise<ScoringRun[]> {
  const { db, accountId } = tenant;
  await getPersonaSetOrThrow(tenant, personaSetId);
  return db.db
    .select()
    .from(scoringRuns)
    .where(and(eq(scoringRuns.accountId, accountId), eq(scoringRuns.personaSetId, personaSetId)))
    .orderBy(desc(scoringRuns.createdAt))
    .limit(Math.max(1, Math.min(100, limit)));
}

/**
 * The built sets of a cohort with something for a 'changes' run to do: a current member written since the set was
 * last scored (or built) or not assigned yet, or an assigned member who left. `busy` sets are building or have a run
 * queued or running (the caller waits for them, as their run or build may predate the changes); a ready set with
 * nothing changed is in neither list, so an identical file re-scores nobody.
 */
export async function listSetsWithChanges(tenant: Tenant, cohortId: string): Promise<{ due: string[]; busy: string[] }> {
  const { db, accountId } = tenant;
  const sets = await db.query<{ id: string; busy: boolean; built: boolean; since: Date | null }>(
    `select s.id, s.status <> 'ready' or exists (select 1 from scoring_runs r where r.persona_set_id = s.id and r.status in ('queued', 'running')) as busy,
       s.model is not null as built, coalesce(s.last_scored_at, s.built_at) as since
     from persona_sets s
     where s.account_id = $1 and s.cohort_id = $2 and s.status in ('ready', 'queued', 'building') and s.archived_at is null
     order by s.id`,
    [accountId, cohortId],
  );
  const due: string[] = [];
  const busy: string[] = [];
  for (const s of sets.rows) {
    if (s.busy) busy.push(s.id);
    else if (s.built && (await hasChangesToScore(tenant, s.id, cohortId, s.since))) due.push(s.id);
  }
  return { due, busy };
}

/**
 * One question per kind of change, each shaped to probe indexes (a set's own parameters, no correlation with an
 * outer set row): 0.2 s in all with nothing changed at 200k members on PostgreSQL.
 */
async function hasChangesToScore({ db, accountId }: Tenant, personaSetId: string, cohortId: string, since: Date | null): Promise<boolean> {
  const sinceIso = since ? new Date(since).toISOString() : new Date(0).toISOString();
  const ask = async (sql: string, params: unknown[]) => (await db.query<{ any: boolean }>(`select exists (${sql}) as any`, params)).rows[0].any;
  // a member written since
  if (
    await ask(
      `select 1 from people p where p.account_id = $1 and p.updated_at > $2::timestamptz
         and exists (select 1 from cohort_memberships m where m.cohort_id = $3 and m.person_id = p.id and m.exited_on is null)`,
      [accountId, sinceIso, cohortId],
    )
  )
    return true;
  // a member not assigned yet
  if (
    await ask(
      `select 1 from cohort_memberships m where m.cohort_id = $1 and m.exited_on is null
         and not exists (select 1 from assignments a where a.persona_set_id = $2 and a.person_id = m.person_id and a.valid_to is null)`,
      [cohortId, personaSetId],
    )
  )
    return true;
  // an assigned member who left since (and has not come back); a day early, whatever the zone the day was taken in
  return ask(
    `select 1 from cohort_memberships m where m.cohort_id = $1 and m.exited_on >= $3::timestamptz::date - 1
       and exists (select 1 from assignments a where a.persona_set_id = $2 and a.person_id = m.person_id and a.valid_to is null)
       and (select count(*) from cohort_memberships c where c.cohort_id = $1 and c.person_id = m.person_id and c.exited_on is null) = 0`,
    [cohortId, personaSetId, sinceIso],
  );
}
