import { getDatabase } from '@/db/client';
import { recomputeCohort } from '@/lib/services/cohorts';
import {
  getDatasetOrThrow,
  ingestDatasetRows,
  listCohortIds,
  explainDatasetError,
  markDatasetErrored,
  markDatasetReady,
  matchDatasetPeople,
  removeStaleUploads,
} from '@/lib/services/datasets';
import { tenantOf } from '@/lib/services/tenant';
import { datasetMappingConfirmed, inngest } from '../client';
import { recomputedEvent } from './cohorts';

/**
 * Processes an uploaded dataset: streams the file into people or orders (upserts, row errors by line),
 * matches people to the identity graph, recomputes the account's cohorts, and marks the dataset ready.
 * One dataset of an account at a time, so that upserts by email never race.
 */
export const ingestDataset = inngest.createFunction(
  {
    id: 'ingest-dataset',
    name: 'Ingest a dataset',
    triggers: [datasetMappingConfirmed],
    concurrency: { key: 'event.data.accountId', limit: 1 },
    retries: 2,
    onFailure: async ({ event, error }) => {
      const data = (event.data as { event?: { data?: { accountId?: string; datasetId?: string } } }).event?.data;
      if (!data?.accountId || !data.datasetId) return;
      await markDatasetErrored(tenantOf(await getDatabase(), data.accountId), data.datasetId, explainDatasetError(error));
    },
  },
  async ({ event, step }) => {
    const { accountId, datasetId } = event.data;
    // the account's tenant; no person acts in a job
    const tenant = async () => tenantOf(await getDatabase(), accountId);
    const ingested = await step.run('ingest-rows', async () => {
      const s = await ingestDatasetRows(await tenant(), datasetId);
      return { rows: s.rows, ok: s.ok, errors: s.errors, seconds: s.seconds };
    });
    const match = await step.run('match-identities', async () => {
      const t = await tenant();
      if ((await getDatasetOrThrow(t, datasetId)).kind !== 'people') return null;
      const s = await matchDatasetPeople(t, datasetId);
      return { people: s.people, matched: s.matched };
    });
    const cohortIds = await step.run('list-cohorts', async () => listCohortIds(await tenant()));
    for (const cohortId of cohortIds) {
      await step.run(`recompute-cohort-${cohortId}`, async () => {
        const r = await recomputeCohort(await tenant(), cohortId);
        return { members: r.members };
      });
    }
    // the sets of every recomputed cohort score the people this upload changed (one event per cohort and window)
    const at = await step.run('note-time', async () => Date.now());
    if (cohortIds.length) await step.sendEvent('announce-recomputed', cohortIds.map((cohortId) => recomputedEvent(accountId, cohortId, at)));
    await step.run('mark-ready', async () => markDatasetReady(await tenant(), datasetId));
    return { datasetId, ingested, match, cohorts: cohortIds.length };
  },
);

/** Daily: files of uploads that never finished, or that no dataset owns, are removed once a day old. */
export const removeStaleUploadsDaily = inngest.createFunction(
  { id: 'remove-stale-uploads-daily', name: 'Daily removal of stale uploads', retries: 2, triggers: [{ cron: '50 3 * * *' }] },
  async ({ event, step }) => {
    // the tick's own time: a late or replayed tick removes the same files
    const now = typeof event.ts === 'number' ? event.ts : Date.now();
    return step.run('remove-stale-uploads', async () => removeStaleUploads({ db: await getDatabase() }, { now }));
  },
);

export const datasetFunctions = [ingestDataset, removeStaleUploadsDaily];
