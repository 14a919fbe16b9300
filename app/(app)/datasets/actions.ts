'use server';

import { revalidatePath } from 'next/cache';
import { authedAction } from '@/lib/action';
import { confirmDatasetMapping, deleteDataset, proposeDatasetMapping } from '@/lib/services/datasets';
import { confirmMappingSchema, datasetIdSchema, proposeMappingSchema } from './schema';

/** Saves the confirmed column mapping and starts processing the file in the background. */
export const confirmMappingAction = authedAction(confirmMappingSchema, async (_viewer, input, tenant) => {
  const dataset = await confirmDatasetMapping(tenant, input.datasetId, input);
  revalidatePath('/datasets');
  revalidatePath(`/datasets/${dataset.id}`);
  return { id: dataset.id };
});

export const proposeMappingAction = authedAction(proposeMappingSchema, async (_viewer, input, tenant) => {
  return proposeDatasetMapping(tenant, input.datasetId, input.kind);
});

export const deleteDatasetAction = authedAction(datasetIdSchema, async (_viewer, input, tenant) => {
  await deleteDataset(tenant, input.datasetId);
  revalidatePath('/datasets');
  return { id: input.datasetId };
});
