import { apiRoute, json } from '@/lib/api/handler';
import { operations } from '@/lib/api/operations';
import { presentPipeline } from '@/lib/api/present';
import { getPipelineOrThrow } from '@/lib/services/pipelines';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = apiRoute(operations.getPipeline, async ({ tenant, params }) => {
  return json(presentPipeline(await getPipelineOrThrow(tenant, params.id)));
});
