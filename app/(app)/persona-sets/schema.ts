import { z } from 'zod';

const id = z.string().uuid('Unknown id');
const traitKey = z.string().regex(/^[a-z0-9_.:-]{1,80}$/i, 'Unknown trait');

export const createPersonaSetSchema = z.object({
  name: z.string().trim().min(1, 'Enter a name').max(100, 'Use at most 100 characters'),
  cohortId: z.string().uuid('Choose a cohort'),
  /** null = the engine chooses the traits */
  traitKeys: z.array(traitKey).min(2, 'Choose at least two traits').max(40, 'Choose at most 40 traits').nullable(),
  /** null = automatic */
  k: z.number().int('A whole number').min(2, 'At least 2').max(20, 'At most 20').nullable(),
});

export const personaSetIdSchema = z.object({ id });

export const renamePersonaSetSchema = z.object({
  id,
  name: z.string().trim().min(1, 'Enter a name').max(100, 'Use at most 100 characters'),
});

export const showInExploreSchema = z.object({ id, showInExplore: z.boolean() });

export const archiveSchema = z.object({ id, archived: z.boolean() });

export const renamePersonaSchema = z.object({
  personaSetId: id,
  personaId: id,
  name: z.string().trim().min(1, 'Enter a name').max(80, 'Use at most 80 characters'),
});
