import { apiRoute, json } from '@/lib/api/handler';
import { operations } from '@/lib/api/operations';
import { presentPersona } from '@/lib/api/present';
import { forgetPersonaSetModel, getPersonaSetOrThrow, renamePersona } from '@/lib/services/persona-sets';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const PATCH = apiRoute(operations.renamePersona, async ({ tenant, params, body }) => {
  await getPersonaSetOrThrow(tenant, params.id);
  const persona = await renamePersona(tenant, params.id, params.personaId, body.name);
  forgetPersonaSetModel(persona.personaSetId);
  return json(presentPersona(persona));
});
