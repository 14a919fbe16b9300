import type { ServerAction } from '@/components/action-types';

/**
 * The persona-set server actions the persona components call, named as app/(app)/persona-sets/actions.ts exports
 * them so a page passes each one under its own name.
 */
export interface PersonaSetActions {
  createPersonaSetAction: ServerAction<{ name: string; cohortId: string; traitKeys: string[] | null; k: number | null }, { id: string }>;
  renamePersonaSetAction: ServerAction<{ id: string; name: string }, { id: string; name: string }>;
  setShowInExploreAction: ServerAction<{ id: string; showInExplore: boolean }, { id: string; showInExplore: boolean }>;
  rebuildPersonaSetAction: ServerAction<{ id: string }, { id: string; status: string }>;
  archivePersonaSetAction: ServerAction<{ id: string; archived: boolean }, { id: string; archived: boolean }>;
  deletePersonaSetAction: ServerAction<{ id: string }, { id: string }>;
  renamePersonaAction: ServerAction<{ personaSetId: string; personaId: string; name: string }, { id: string; name: string }>;
}

/** The actions a set's row (or page header) offers: its menu, its Explore switch and Retry. */
export type SetRowActions = Pick<
  PersonaSetActions,
  'renamePersonaSetAction' | 'setShowInExploreAction' | 'rebuildPersonaSetAction' | 'archivePersonaSetAction' | 'deletePersonaSetAction'
>;
