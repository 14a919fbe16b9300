'use server';

import { revalidatePath } from 'next/cache';
import { getDatabase } from '@/db/client';
import { authedAction } from '@/lib/action';
import { createCohort, previewCohortSize, updateCohort } from '@/lib/services/cohorts';
import { cohortInputSchema, previewCohortSchema, updateCohortSchema } from './schema';

export const createCohortAction = authedAction(cohortInputSchema, async (viewer, input) => {
  const cohort = await createCohort(await getDatabase(), viewer.accountId, input);
  revalidatePath('/cohorts');
  return { id: cohort.id, members: cohort.memberCount };
});

export const updateCohortAction = authedAction(updateCohortSchema, async (viewer, { cohortId, ...input }) => {
  const cohort = await updateCohort(await getDatabase(), viewer.accountId, cohortId, input);
  revalidatePath('/cohorts');
  revalidatePath(`/cohorts/${cohortId}`);
  return { id: cohort.id, members: cohort.memberCount };
});

/** Live size preview while a cohort is being defined: how many people would be in it today. */
export const previewCohortAction = authedAction(previewCohortSchema, async (viewer, input) => {
  return { members: await previewCohortSize(await getDatabase(), viewer.accountId, input.definition) };
});
