'use server';

import { revalidatePath } from 'next/cache';
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

export const createPersonaSetAction = authedAction(createPersonaSetSchema, async (_viewer, input, tenant) => {
  const set = await createPersonaSet(tenant, input);
  revalidateSet(set.id);
  return { id: set.id };
});

export const renamePersonaSetAction = authedAction(renamePersonaSetSchema, async (_viewer, { id, name }, tenant) => {
  const set = await updatePersonaSet(tenant, id, { name });
  revalidateSet(id);
  return { id: set.id, name: set.name };
});

export const setShowInExploreAction = authedAction(showInExploreSchema, async (_viewer, { id, showInExplore }, tenant) => {
  const set = await updatePersonaSet(tenant, id, { showInExplore });
  revalidateSet(id);
  return { id: set.id, showInExplore: set.showInExplore };
});

/** Rebuild, and Retry after an error. */
export const rebuildPersonaSetAction = authedAction(personaSetIdSchema, async (_viewer, { id }, tenant) => {
  const set = await requestRebuild(tenant, id);
  revalidateSet(id);
  return { id: set.id, status: set.status };
});

export const archivePersonaSetAction = authedAction(archiveSchema, async (_viewer, { id, archived }, tenant) => {
  const set = await setPersonaSetArchived(tenant, id, archived);
  revalidateSet(id);
  return { id: set.id, archived: set.archivedAt !== null };
});

export const deletePersonaSetAction = authedAction(personaSetIdSchema, async (_viewer, { id }, tenant) => {
  await deletePersonaSet(tenant, id);
  revalidateSet();
  return { id };
});

export const renamePersonaAction = authedAction(renamePersonaSchema, async (_viewer, { personaSetId, personaId, name }, tenant) => {
  const persona = await renamePersona(tenant, personaSetId, personaId, name);
  revalidateSet(persona.personaSetId);
  return { id: persona.id, name: persona.name };
});
