'use server';

import { revalidatePath } from 'next/cache';
import { authedAction } from '@/lib/action';
import { createPipeline, deletePipeline } from '@/lib/services/pipelines';
import { createPipelineSchema, pipelineIdSchema } from './schema';

export const createPipelineAction = authedAction(createPipelineSchema, async (_viewer, input, tenant) => {
  const p = await createPipeline(tenant, input);
  revalidatePath('/pipelines');
  return { id: p.id };
});

export const deletePipelineAction = authedAction(pipelineIdSchema, async (_viewer, { id }, tenant) => {
  await deletePipeline(tenant, id);
  revalidatePath('/pipelines');
  return { id };
});
