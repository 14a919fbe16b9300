import { apiRoute, json } from '@/lib/api/handler';
import { operations } from '@/lib/api/operations';
import { presentPersona } from '@/lib/api/present';
import { getPersonaSetOrThrow, renamePersona } from '@/lib/services/persona-sets';
import { notFound } from '@/lib/services/errors';
import { forgetPersonaSetModel } from '@/lib/services/realtime';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const PATCH = apiRoute(operations.renamePersona, async ({ database, caller, params, body }) => {
  await getPersonaSetOrThrow(database, caller.accountId, params.id);
  const persona = await renamePersona(database, caller.accountId, params.personaId, body.name);
  if (persona.personaSetId !== params.id) throw notFound('Persona');
  forgetPersonaSetModel(params.id);
  return json(presentPersona(persona));
});
