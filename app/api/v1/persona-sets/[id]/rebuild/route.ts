import { apiRoute, json } from '@/lib/api/handler';
import { operations } from '@/lib/api/operations';
import { presentPersonaSet } from '@/lib/api/present';
import { requestRebuild } from '@/lib/services/persona-sets';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = apiRoute(operations.rebuildPersonaSet, async ({ tenant, params }) => {
  const set = await requestRebuild(tenant, params.id);
  return json(presentPersonaSet(set), 202);
});
