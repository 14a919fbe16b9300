import { getDatabase } from '@/db/client';
import { listTimeDependentCohorts, recomputeCohort } from '@/lib/services/cohorts';
import { listCohortIds } from '@/lib/services/datasets';
import { listScorableSetsOfCohort, requestScoring } from '@/lib/services/persona-sets';
import { tenantOf } from '@/lib/services/tenant';
import { cohortRecomputed, cohortRecomputeRequested, inngest } from '../client';

/** Bursts of recomputes of one cohort within this window start one scoring of its changes. */
const COALESCE_MS = 5 * 60_000;

/** The event that tells a cohort's persona sets to score what changed; one id per cohort and window. */
export const recomputedEvent = (accountId: string, cohortId: string, at: number) =>
  cohortRecomputed.create({ accountId, cohortId }, { id: `cohort-recomputed-${cohortId}-${Math.floor(at / COALESCE_MS)}` });

/** Recomputes one cohort (or every cohort of the account) on request, then announces it. */
export const recomputeCohortOnRequest = inngest.createFunction(
  {
    id: 'recompute-cohort-on-request',
    name: 'Recompute cohort',
    retries: 2,
    concurrency: [{ key: 'event.data.accountId', limit: 1 }],
    triggers: [cohortRecomputeRequested],
  },
  async ({ event, step }) => {
    const { accountId } = event.data;
    const tenant = async () => tenantOf(await getDatabase(), accountId);
    const cohortIds = event.data.cohortId ? [event.data.cohortId] : await step.run('list-cohorts', async () => listCohortIds(await tenant()));
    for (const cohortId of cohortIds)
      await step.run(`recompute-${cohortId}`, async () => ({ members: (await recomputeCohort(await tenant(), cohortId)).members }));
    const at = await step.run('note-time', async () => Date.now());
    if (cohortIds.length) await step.sendEvent('announce-recomputed', cohortIds.map((cohortId) => recomputedEvent(accountId, cohortId, at)));
    return { cohorts: cohortIds.length };
  },
);

/** Daily: cohorts whose membership follows the calendar ("no order in 365 days") are recomputed. */
export const recomputeTimeCohortsDaily = inngest.createFunction(
  { id: 'recompute-time-cohorts-daily', name: 'Daily recompute of calendar cohorts', retries: 2, triggers: [{ cron: '20 2 * * *' }] },
  async ({ event, step }) => {
    const day = new Date(typeof event.ts === 'number' ? event.ts : Date.now()).toISOString().slice(0, 10);
    const cohorts = await step.run('list-time-cohorts', async () => listTimeDependentCohorts({ db: await getDatabase() }));
    if (cohorts.length)
      await step.sendEvent(
        'request-recomputes',
        cohorts.map((c) => cohortRecomputeRequested.create({ accountId: c.accountId, cohortId: c.cohortId }, { id: `cohort-daily-${c.cohortId}-${day}` })),
      );
    return { cohorts: cohorts.length, day };
  },
);

/** After a recompute (an upload, an edit, the daily one): each built set of the cohort scores only what changed. */
export const scoreChangedMembers = inngest.createFunction(
  {
    id: 'score-changed-members',
    name: 'Score changed cohort members',
    retries: 2,
    concurrency: [{ key: 'event.data.cohortId', limit: 1 }],
    triggers: [cohortRecomputed],
  },
  async ({ event, step }) => {
    const { accountId, cohortId } = event.data;
    const sets = await step.run('list-sets', async () => listScorableSetsOfCohort(tenantOf(await getDatabase(), accountId), cohortId));
    for (const personaSetId of sets)
      await step.run(`queue-${personaSetId}`, async () => ({ scoringRunId: (await requestScoring(tenantOf(await getDatabase(), accountId), personaSetId, 'changes')).id }));
    return { sets: sets.length };
  },
);

export const cohortFunctions = [recomputeCohortOnRequest, recomputeTimeCohortsDaily, scoreChangedMembers];
