import { getDatabase } from '@/db/client';
import { toErrorResponse, errorResponse } from '@/lib/api/errors';
import { payloadResponse } from '@/lib/api/payload';
import { getViewer } from '@/lib/auth';
import { tenantOf } from '@/lib/services/tenant';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** GET /pipelines/{id}/download — the whole payload as CSV for the signed-in user, streamed. */
export async function GET(_request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  const viewer = await getViewer();
  if (!viewer) return errorResponse('unauthorized', 'You are signed out. Sign in again.');
  try {
    const { id } = await context.params;
    return await payloadResponse(tenantOf(await getDatabase(), viewer.accountId, viewer.userId), id, { format: 'csv', after: 0 });
  } catch (err) {
    return toErrorResponse(err);
  }
}
