import { getDatabase } from '@/db/client';
import { recomputeCohort } from '@/lib/services/cohorts';
import {
  ingestDatasetRows,
  listCohortIds,
  markDatasetErrored,
  markDatasetReady,
  matchDatasetPeople,
} from '@/lib/services/datasets';
import { datasetMappingConfirmed, inngest } from '../client';

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
      const database = await getDatabase();
      await markDatasetErrored(database, data.accountId, data.datasetId, error?.message || 'Processing failed');
    },
  },
  async ({ event, step }) => {
    const { accountId, datasetId } = event.data;
    const ingested = await step.run('ingest-rows', async () => {
      const s = await ingestDatasetRows(await getDatabase(), accountId, datasetId);
      return { rows: s.rows, ok: s.ok, errors: s.errors, seconds: s.seconds };
    });
    const match = await step.run('match-identities', async () => {
      const database = await getDatabase();
      const r = await database.query<{ kind: string }>('select kind from datasets where id = $1 and account_id = $2', [datasetId, accountId]);
      if (r.rows[0]?.kind !== 'people') return null;
      const s = await matchDatasetPeople(database, accountId, datasetId);
      return { people: s.people, matched: s.matched };
    });
    const cohortIds = await step.run('list-cohorts', async () => listCohortIds(await getDatabase(), accountId));
    for (const cohortId of cohortIds) {
      await step.run(`recompute-cohort-${cohortId}`, async () => {
        const r = await recomputeCohort(await getDatabase(), accountId, cohortId);
        return { members: r.members };
      });
    }
    await step.run('mark-ready', async () => markDatasetReady(await getDatabase(), accountId, datasetId));
    return { datasetId, ingested, match, cohorts: cohortIds.length };
  },
);

export const datasetFunctions = [ingestDataset];
