import { apiRoute, json } from '@/lib/api/handler';
import { operations } from '@/lib/api/operations';
import { presentScoringRun } from '@/lib/api/present';
import { requestScoring } from '@/lib/services/persona-sets';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = apiRoute(operations.createScoringRun, async ({ tenant, params }) => {
  const run = await requestScoring(tenant, params.id, 'api');
  return json(presentScoringRun(run), 202, { location: `/api/v1/persona-sets/${params.id}/scoring-runs/${run.id}` });
});
