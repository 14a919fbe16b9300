import { apiRoute, json } from '@/lib/api/handler';
import { operations } from '@/lib/api/operations';
import { listCohorts } from '@/lib/services/cohorts';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = apiRoute(operations.listCohorts, async ({ tenant }) => {
  const cohorts = await listCohorts(tenant);
  return json({
    data: cohorts.map((c) => ({ id: c.id, name: c.name, description: c.description, members: c.members, change30d: c.change30d })),
  });
});
