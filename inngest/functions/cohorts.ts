import { getDatabase } from '@/db/client';
import { listTimeDependentCohorts, recomputeCohort } from '@/lib/services/cohorts';
import { listCohortIds } from '@/lib/services/datasets';
import { listSetsWithChanges, requestScoring } from '@/lib/services/persona-sets';
import { tenantOf } from '@/lib/services/tenant';
import { cohortRecomputed, cohortRecomputeRequested, inngest } from '../client';

/**
 * Re-scoring after uploads and recomputes waits for this quiet period per cohort (the latest event restarts it), so a
 * burst of uploads makes one scoring run that covers all of their changes; never longer than the timeout after the first.
 */
export const SCORE_CHANGES_DEBOUNCE = { period: '2m', timeout: '30m' } as const;

/** The event that tells a cohort's persona sets to score what changed; `at` is the sender's memoized time. */
export const recomputedEvent = (accountId: string, cohortId: string, at: number) =>
  cohortRecomputed.create({ accountId, cohortId }, { id: `cohort-recomputed-${cohortId}-${at}` });

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

/** Rounds of waiting for a set whose scoring run is queued or running before its changes are left to the next event. */
const BUSY_ROUNDS = 10;

/**
 * After recomputes (uploads, edits, the daily one), debounced per cohort: each built set of the cohort with changed,
 * new or departed members scores only those; a set busy with a run is waited for, as that run may predate the changes.
 */
export const scoreChangedMembers = inngest.createFunction(
  {
    id: 'score-changed-members',
    name: 'Score changed cohort members',
    retries: 2,
    concurrency: [{ key: 'event.data.cohortId', limit: 1 }],
    debounce: { key: 'event.data.cohortId', ...SCORE_CHANGES_DEBOUNCE },
    triggers: [cohortRecomputed],
  },
  async ({ event, step }) => {
    const { accountId, cohortId } = event.data;
    const tenant = async () => tenantOf(await getDatabase(), accountId);
    let queued = 0;
    for (let round = 0; round <= BUSY_ROUNDS; round++) {
      const sets = await step.run(`list-sets-${round}`, async () => listSetsWithChanges(await tenant(), cohortId));
      for (const personaSetId of sets.due)
        await step.run(`queue-${personaSetId}-${round}`, async () => ({ scoringRunId: (await requestScoring(await tenant(), personaSetId, 'changes')).id }));
      queued += sets.due.length;
      if (!sets.busy.length || round === BUSY_ROUNDS) return { sets: queued, busy: sets.busy.length };
      await step.sleep(`wait-for-busy-${round}`, '1m');
    }
    return { sets: queued, busy: 0 };
  },
);

export const cohortFunctions = [recomputeCohortOnRequest, recomputeTimeCohortsDaily, scoreChangedMembers];
