import { apiRoute, json } from '@/lib/api/handler';
import { operations } from '@/lib/api/operations';
import { presentPersonaSet } from '@/lib/api/present';
import { setPersonaSetArchived } from '@/lib/services/persona-sets';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = apiRoute(operations.unarchivePersonaSet, async ({ tenant, params }) => {
  const set = await setPersonaSetArchived(tenant, params.id, false);
  return json(presentPersonaSet(set));
});
