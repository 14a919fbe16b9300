'use server';

import { revalidatePath } from 'next/cache';
import { getDatabase } from '@/db/client';
import { authedAction } from '@/lib/action';
import {
  createPersonaSet,
  deletePersonaSet,
  renamePersona,
  requestRebuild,
  setPersonaSetArchived,
  updatePersonaSet,
} from '@/lib/services/persona-sets';
import {
  archiveSchema,
  createPersonaSetSchema,
  personaSetIdSchema,
  renamePersonaSchema,
  renamePersonaSetSchema,
  showInExploreSchema,
} from './schema';

function revalidateSet(id?: string) {
  revalidatePath('/persona-sets');
  revalidatePath('/explore');
  if (id) revalidatePath(`/persona-sets/${id}`);
}

export const createPersonaSetAction = authedAction(createPersonaSetSchema, async (viewer, input) => {
  const set = await createPersonaSet(await getDatabase(), viewer.accountId, viewer.userId, input);
  revalidateSet(set.id);
  return { id: set.id };
});

export const renamePersonaSetAction = authedAction(renamePersonaSetSchema, async (viewer, { id, name }) => {
  const set = await updatePersonaSet(await getDatabase(), viewer.accountId, id, { name });
  revalidateSet(id);
  return { id: set.id, name: set.name };
});

export const setShowInExploreAction = authedAction(showInExploreSchema, async (viewer, { id, showInExplore }) => {
  const set = await updatePersonaSet(await getDatabase(), viewer.accountId, id, { showInExplore });
  revalidateSet(id);
  return { id: set.id, showInExplore: set.showInExplore };
});

/** Rebuild, and Retry after an error. */
export const rebuildPersonaSetAction = authedAction(personaSetIdSchema, async (viewer, { id }) => {
  const set = await requestRebuild(await getDatabase(), viewer.accountId, id, viewer.userId);
  revalidateSet(id);
  return { id: set.id, status: set.status };
});

export const archivePersonaSetAction = authedAction(archiveSchema, async (viewer, { id, archived }) => {
  const set = await setPersonaSetArchived(await getDatabase(), viewer.accountId, id, archived);
  revalidateSet(id);
  return { id: set.id, archived: set.archivedAt !== null };
});

export const deletePersonaSetAction = authedAction(personaSetIdSchema, async (viewer, { id }) => {
  await deletePersonaSet(await getDatabase(), viewer.accountId, id);
  revalidateSet();
  return { id };
});

export const renamePersonaAction = authedAction(renamePersonaSchema, async (viewer, { personaSetId, personaId, name }) => {
  const persona = await renamePersona(await getDatabase(), viewer.accountId, personaId, name);
  if (persona.personaSetId !== personaSetId) revalidateSet(persona.personaSetId);
  revalidateSet(personaSetId);
  return { id: persona.id, name: persona.name };
});
