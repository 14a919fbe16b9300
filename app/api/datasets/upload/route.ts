import { getDatabase } from '@/db/client';
import { withApiHeaders } from '@/lib/api/security';
import { getViewer } from '@/lib/auth';
import { createDatasetFromUpload, FileTooLargeError, UPLOAD_LIMIT_BYTES } from '@/lib/services/datasets';
import { ServiceError } from '@/lib/services/errors';
import { tenantOf } from '@/lib/services/tenant';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

const json = (status: number, body: unknown) => Response.json(body, { status });

/**
 * (The answers carry the API's security headers from here: a request with a body skips proxy.ts, lib/api/security.ts.)
 * POST /api/datasets/upload?fileName=people.csv[&kind=people|orders] with the raw CSV as the body.
 * Streams the body to disk (no whole-file buffering), answers 413 past the per-file limit or the account's storage
 * (before reading the body when Content-Length says so), and returns the new
 * dataset with the proposed mapping.
 */
export const POST = withApiHeaders(async (request: Request): Promise<Response> => {
  const viewer = await getViewer();
  if (!viewer) return json(401, { error: 'You are signed out. Sign in again.' });
  const url = new URL(request.url);
  const fileName = (url.searchParams.get('fileName') ?? '').trim() || 'upload.csv';
  const kindParam = url.searchParams.get('kind');
  if (kindParam && kindParam !== 'people' && kindParam !== 'orders')
    return json(400, { error: 'kind must be people or orders' });
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > UPLOAD_LIMIT_BYTES) return json(413, { error: new FileTooLargeError(UPLOAD_LIMIT_BYTES).message });
  if (!request.body) return json(400, { error: 'The request has no file in its body.' });
  try {
    // the account's storage is checked against the declared size before the body is read
    const { dataset, headers, sample } = await createDatasetFromUpload(tenantOf(await getDatabase(), viewer.accountId, viewer.userId), {
      fileName,
      kind: (kindParam as 'people' | 'orders' | null) ?? undefined,
      body: request.body,
      declaredBytes: Number.isFinite(declared) ? declared : undefined,
    });
    return json(201, {
      dataset: { id: dataset.id, name: dataset.name, kind: dataset.kind, status: dataset.status, byteSize: dataset.byteSize, mapping: dataset.mapping },
      headers,
      sample: sample.slice(0, 5),
    });
  } catch (err) {
    if (err instanceof FileTooLargeError) return json(413, { error: err.message });
    if (err instanceof ServiceError) return json(err.code === 'not_found' ? 404 : 400, { error: err.message });
    console.error('[facet] upload failed:', err);
    return json(500, { error: 'The upload failed. Please try again.' });
  }
});
