import { apiRoute, json } from '@/lib/api/handler';
import { operations } from '@/lib/api/operations';
import { presentPersona } from '@/lib/api/present';
import { forgetPersonaSetModel, getPersonaSetOrThrow, renamePersona } from '@/lib/services/persona-sets';
import { notFound } from '@/lib/services/errors';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const PATCH = apiRoute(operations.renamePersona, async ({ tenant, params, body }) => {
  await getPersonaSetOrThrow(tenant, params.id);
  const persona = await renamePersona(tenant, params.personaId, body.name);
  if (persona.personaSetId !== params.id) throw notFound('Persona');
  forgetPersonaSetModel(params.id);
  return json(presentPersona(persona));
});
