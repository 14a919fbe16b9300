import { apiRoute } from '@/lib/api/handler';
import { operations } from '@/lib/api/operations';
import { decodeCursor } from '@/lib/api/pagination';
import { payloadResponse } from '@/lib/api/payload';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** GET /api/v1/pipelines/{id}/payload?format=json|ndjson|csv&limit=&cursor= */
export const GET = apiRoute(operations.getPipelinePayload, async ({ tenant, params, query }) => {
  return payloadResponse(tenant, params.id, { format: query.format, limit: query.limit, after: decodeCursor(query.cursor) });
});
