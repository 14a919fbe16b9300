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
export async function listSetsWithChanges({ db, accountId }: Tenant, cohortId: string): Promise<{ due: string[]; busy: string[] }> {
  const r = await db.query<{ id: string; busy: boolean }>(
    `select s.id, s.status <> 'ready' or exists (select 1 from scoring_runs r where r.persona_set_id = s.id and r.status in ('queued', 'running')) as busy
     from persona_sets s
     where s.account_id = $1 and s.cohort_id = $2 and s.status in ('ready', 'queued', 'building') and s.archived_at is null
       and (s.status <> 'ready' or (s.model is not null and (exists (select 1 from cohort_memberships m join people p on p.id = m.person_id and p.account_id = s.account_id
                    where m.cohort_id = s.cohort_id and m.exited_on is null
                      and (p.updated_at > coalesce(s.last_scored_at, s.built_at)
                           or not exists (select 1 from assignments a where a.persona_set_id = s.id and a.person_id = m.person_id and a.valid_to is null)))
            or exists (select 1 from assignments a where a.persona_set_id = s.id and a.valid_to is null
                       and exists (select 1 from cohort_memberships m where m.cohort_id = s.cohort_id and m.person_id = a.person_id)
                       and not exists (select 1 from cohort_memberships m where m.cohort_id = s.cohort_id and m.person_id = a.person_id and m.exited_on is null)))))
     order by s.id`,
    [accountId, cohortId],
  );
  return { due: r.rows.filter((x) => !x.busy).map((x) => x.id), busy: r.rows.filter((x) => x.busy).map((x) => x.id) };
}
