import { apiRoute, json } from '@/lib/api/handler';
import { operations } from '@/lib/api/operations';
import { presentPipeline } from '@/lib/api/present';
import { createPipeline, listPipelines } from '@/lib/services/pipelines';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = apiRoute(operations.listPipelines, async ({ tenant }) => {
  return json({ data: (await listPipelines(tenant)).map(presentPipeline) });
});

export const POST = apiRoute(operations.createPipeline, async ({ tenant, body }) => {
  return json(presentPipeline(await createPipeline(tenant, body)), 201);
});
