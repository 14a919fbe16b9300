import { apiRoute, json } from '@/lib/api/handler';
import { operations } from '@/lib/api/operations';
import { presentPersona, presentPersonaSet } from '@/lib/api/present';
import { getPersonaSetDetail, updatePersonaSet } from '@/lib/services/persona-sets';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = apiRoute(operations.getPersonaSet, async ({ tenant, params }) => {
  const { set, cohort, personas } = await getPersonaSetDetail(tenant, params.id);
  return json({ ...presentPersonaSet(set), cohortName: cohort.name, personas: personas.map(presentPersona) });
});

export const PATCH = apiRoute(operations.updatePersonaSet, async ({ tenant, params, body }) => {
  const set = await updatePersonaSet(tenant, params.id, body);
  return json(presentPersonaSet(set));
});
