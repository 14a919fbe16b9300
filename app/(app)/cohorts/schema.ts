import { z } from 'zod';
import { cohortDefinitionSchema } from '@/lib/cohorts/definition';

const definition = cohortDefinitionSchema.refine((d) => d.events.length + d.traits.length <= 20, 'Use at most 20 conditions');

export const cohortInputSchema = z.object({
  name: z.string().trim().min(1, 'Give the cohort a name').max(80, 'Use at most 80 characters'),
  description: z.string().trim().max(500, 'Use at most 500 characters').default(''),
  definition,
});

export const updateCohortSchema = cohortInputSchema.extend({ cohortId: z.uuid('Unknown cohort') });

export const previewCohortSchema = z.object({ definition });
