import { apiRoute, json } from '@/lib/api/handler';
import { operations } from '@/lib/api/operations';
import { getPersonHistory } from '@/lib/services/persona-sets';
import { tenantOf } from '@/lib/services/tenant';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = apiRoute(operations.getPersonHistory, async ({ database, caller, params }) => {
  const personId = /^\d{1,15}$/.test(params.personId) ? Number(params.personId) : NaN;
  return json(await getPersonHistory(tenantOf(database, caller.accountId), params.id, personId));
});
