import { apiRoute, json } from '@/lib/api/handler';
import { operations } from '@/lib/api/operations';
import { getPersonaSetOrThrow, listDriftAlerts } from '@/lib/services/persona-sets';
import { tenantOf } from '@/lib/services/tenant';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = apiRoute(operations.listDriftAlerts, async ({ database, caller, params }) => {
  const tenant = tenantOf(database, caller.accountId);
  // an id of another account answers 404, not an empty list
  await getPersonaSetOrThrow(tenant, params.id);
  const alerts = await listDriftAlerts(tenant, { personaSetId: params.id });
  return json({
    data: alerts.map((a) => ({
      id: a.id,
      personaSetId: a.personaSetId,
      scoringRunId: a.scoringRunId,
      buildVersion: a.buildVersion,
      day: a.day,
      status: a.status,
      reasons: a.reasons,
      metrics: a.metrics,
      createdAt: a.createdAt.toISOString(),
    })),
  });
});
