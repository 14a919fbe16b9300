'use server';

import { revalidatePath } from 'next/cache';
import { authedAction } from '@/lib/action';
import { createCohort, previewCohortSize, updateCohort } from '@/lib/services/cohorts';
import { cohortInputSchema, previewCohortSchema, updateCohortSchema } from './schema';

export const createCohortAction = authedAction(cohortInputSchema, async (_viewer, input, tenant) => {
  const cohort = await createCohort(tenant, input);
  revalidatePath('/cohorts');
  return { id: cohort.id, members: cohort.memberCount };
});

export const updateCohortAction = authedAction(updateCohortSchema, async (_viewer, { cohortId, ...input }, tenant) => {
  const cohort = await updateCohort(tenant, cohortId, input);
  revalidatePath('/cohorts');
  revalidatePath(`/cohorts/${cohortId}`);
  return { id: cohort.id, members: cohort.memberCount };
});

/** Live size preview while a cohort is being defined: how many people would be in it today. */
export const previewCohortAction = authedAction(previewCohortSchema, async (_viewer, input, tenant) => {
  return { members: await previewCohortSize(tenant, input.definition) };
});
