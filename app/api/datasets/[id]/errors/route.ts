import { getDatabase } from '@/db/client';
import { getViewer } from '@/lib/auth';
import { getDatasetOrThrow, rowErrorsCsv } from '@/lib/services/datasets';
import { ServiceError } from '@/lib/services/errors';
import { tenantOf } from '@/lib/services/tenant';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** GET /api/datasets/:id/errors: every row error of a dataset as CSV (line, reason), streamed. */
export async function GET(_request: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  const viewer = await getViewer();
  if (!viewer) return Response.json({ error: 'You are signed out. Sign in again.' }, { status: 401 });
  const { id } = await ctx.params;
  const tenant = tenantOf(await getDatabase(), viewer.accountId, viewer.userId);
  let name: string;
  try {
    name = (await getDatasetOrThrow(tenant, id)).name;
  } catch (err) {
    if (err instanceof ServiceError && err.code === 'not_found') return Response.json({ error: 'Dataset not found' }, { status: 404 });
    throw err;
  }
  const chunks = rowErrorsCsv(tenant, id);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 60) || 'dataset';
  return new Response(body, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${safe}-errors.csv"`,
      'cache-control': 'no-store',
    },
  });
}
