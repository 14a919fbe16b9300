import { openApiDocument } from '@/lib/api/openapi';

export const dynamic = 'force-static';

/** GET /api/v1/openapi.json — public, no key needed. */
export function GET(): Response {
  return Response.json(openApiDocument(), { headers: { 'access-control-allow-origin': '*' } });
}
