import { apiRoute, json } from '@/lib/api/handler';
import { operations } from '@/lib/api/operations';
import { presentPersonaSet } from '@/lib/api/present';
import { setPersonaSetArchived } from '@/lib/services/persona-sets';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = apiRoute(operations.archivePersonaSet, async ({ tenant, params }) => {
  const set = await setPersonaSetArchived(tenant, params.id, true);
  return json(presentPersonaSet(set));
});
