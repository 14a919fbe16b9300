import { z } from 'zod';

const id = z.string().uuid('Unknown id');

export const createPipelineSchema = z.object({
  name: z.string().trim().min(1, 'Enter a name').max(100, 'At most 100 characters'),
  cohortIds: z.array(id).min(1, 'Choose at least one cohort').max(20),
  personaSetIds: z.array(id).min(1, 'Choose at least one persona set').max(20),
  traitKeys: z.array(z.string().regex(/^[a-z0-9_.:-]{1,80}$/i, 'Unknown trait')).max(60).default([]),
});
export const pipelineIdSchema = z.object({ id });
