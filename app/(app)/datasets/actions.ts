'use server';

import { revalidatePath } from 'next/cache';
import { getDatabase } from '@/db/client';
import { sendEvent } from '@/inngest/client';
import { authedAction } from '@/lib/action';
import {
  confirmDatasetMapping,
  deleteDataset,
  markDatasetErrored,
  proposeDatasetMapping,
} from '@/lib/services/datasets';
import { ServiceError } from '@/lib/services/errors';
import { confirmMappingSchema, datasetIdSchema, proposeMappingSchema } from './schema';

/** Saves the confirmed column mapping and starts processing the file in the background. */
export const confirmMappingAction = authedAction(confirmMappingSchema, async (viewer, input) => {
  const database = await getDatabase();
  const dataset = await confirmDatasetMapping(database, viewer.accountId, input.datasetId, input);
  try {
    await sendEvent('dataset/mapping-confirmed', { accountId: viewer.accountId, datasetId: dataset.id });
  } catch (err) {
    // surfaced, not swallowed: the dataset says why it did not start and can be confirmed again
    console.error('[facet] could not queue dataset processing:', err);
    await markDatasetErrored(database, viewer.accountId, dataset.id, 'Processing could not be started. Confirm the mapping again.');
    throw new ServiceError('unavailable', 'Processing could not be started. Please try again.');
  }
  revalidatePath('/datasets');
  revalidatePath(`/datasets/${dataset.id}`);
  return { id: dataset.id };
});

export const proposeMappingAction = authedAction(proposeMappingSchema, async (viewer, input) => {
  return proposeDatasetMapping(await getDatabase(), viewer.accountId, input.datasetId, input.kind);
});

export const deleteDatasetAction = authedAction(datasetIdSchema, async (viewer, input) => {
  await deleteDataset(await getDatabase(), viewer.accountId, input.datasetId);
  revalidatePath('/datasets');
  return { id: input.datasetId };
});
