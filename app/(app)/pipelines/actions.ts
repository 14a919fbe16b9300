'use server';

import { revalidatePath } from 'next/cache';
import { getDatabase } from '@/db/client';
import { authedAction } from '@/lib/action';
import { createPipeline, deletePipeline } from '@/lib/services/pipelines';
import { createPipelineSchema, pipelineIdSchema } from './schema';

export const createPipelineAction = authedAction(createPipelineSchema, async (viewer, input) => {
  const p = await createPipeline(await getDatabase(), viewer.accountId, input);
  revalidatePath('/pipelines');
  return { id: p.id };
});

export const deletePipelineAction = authedAction(pipelineIdSchema, async (viewer, { id }) => {
  await deletePipeline(await getDatabase(), viewer.accountId, id);
  revalidatePath('/pipelines');
  return { id };
});
