import { apiRoute, json } from '@/lib/api/handler';
import { operations } from '@/lib/api/operations';
import { presentScoringRun } from '@/lib/api/present';
import { requestScoring } from '@/lib/services/persona-sets';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = apiRoute(operations.createScoringRun, async ({ database, caller, params }) => {
  const run = await requestScoring(database, caller.accountId, params.id, 'api');
  return json(presentScoringRun(run), 202, { location: `/api/v1/persona-sets/${params.id}/scoring-runs/${run.id}` });
});
