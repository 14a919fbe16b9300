import { apiRoute, json } from '@/lib/api/handler';
import { operations } from '@/lib/api/operations';
import { comparePersonaSets } from '@/lib/services/persona-sets';
import { tenantOf } from '@/lib/services/tenant';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = apiRoute(operations.comparePersonaSets, async ({ database, caller, params }) =>
  json(await comparePersonaSets(tenantOf(database, caller.accountId), params.id, params.otherId)),
);
