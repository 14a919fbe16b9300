import { getDatabase } from '@/db/client';
import { getViewer } from '@/lib/auth';
import { ServiceError } from '@/lib/services/errors';
import { getBuildProgress } from '@/lib/services/persona-sets';
import { tenantOf } from '@/lib/services/tenant';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/**
 * GET /api/persona-sets/progress?ids=<id>,<id>: where the signed-in account's builds are. The set page and the
 * list poll it every second while a build runs: one small query instead of re-rendering the whole page.
 */
export async function GET(request: Request): Promise<Response> {
  const viewer = await getViewer();
  if (!viewer) return Response.json({ error: 'You are signed out. Sign in again.' }, { status: 401 });
  const ids = (new URL(request.url).searchParams.get('ids') ?? '').split(',').filter(Boolean);
  try {
    const sets = await getBuildProgress(tenantOf(await getDatabase(), viewer.accountId, viewer.userId), ids);
    return Response.json({ sets }, { headers: { 'cache-control': 'no-store' } });
  } catch (err) {
    if (err instanceof ServiceError && err.code === 'invalid') return Response.json({ error: err.message }, { status: 400 });
    throw err;
  }
}
