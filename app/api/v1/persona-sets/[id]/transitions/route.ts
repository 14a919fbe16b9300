import { apiRoute, json } from '@/lib/api/handler';
import { operations } from '@/lib/api/operations';
import { getTransitions, parseInstant } from '@/lib/services/persona-sets';
import { tenantOf } from '@/lib/services/tenant';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

const MONTH_MS = 30 * 86_400_000;

export const GET = apiRoute(operations.getTransitions, async ({ database, caller, params, query }) => {
  const to = query.to ? parseInstant(query.to, 'to') : new Date();
  const from = query.from ? parseInstant(query.from, 'from') : new Date(to.getTime() - MONTH_MS);
  return json(await getTransitions(tenantOf(database, caller.accountId), params.id, from, to));
});
