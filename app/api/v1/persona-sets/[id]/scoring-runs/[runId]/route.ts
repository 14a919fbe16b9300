import { apiRoute, json } from '@/lib/api/handler';
import { operations } from '@/lib/api/operations';
import { presentScoringRun } from '@/lib/api/present';
import { notFound } from '@/lib/services/errors';
import { getScoringRunOrThrow } from '@/lib/services/persona-sets';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = apiRoute(operations.getScoringRun, async ({ tenant, params }) => {
  const run = await getScoringRunOrThrow(tenant, params.runId);
  if (run.personaSetId !== params.id) throw notFound('Scoring run');
  return json(presentScoringRun(run));
});
