// JSON request bodies, read with a size limit: a larger body is refused as soon as its declared length or its
// bytes so far pass the limit, so that no request makes the server buffer more than the limit.
import { ApiError } from './errors';

/** the largest JSON body of any /api/v1 operation that does not set its own */
export const MAX_JSON_BODY = 1024 * 1024;

const label = (bytes: number) => (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MB` : `${Math.round(bytes / 1024)} KB`);

export const bodyTooLarge = (limit: number) => new ApiError('payload_too_large', `The body is larger than ${label(limit)}`);

const utf8 = new TextDecoder();

/** JSON from the body's bytes, decoded as `Request.json()` does (UTF-8, a leading BOM dropped). */
export const parseJsonBytes = (bytes: Uint8Array): unknown => JSON.parse(utf8.decode(bytes));

/** A declared Content-Length over the limit (a missing or unreadable one is checked while reading). */
export const declaresMoreThan = (contentLength: string | null | undefined, limit: number): boolean => {
  const n = contentLength ? Number(contentLength) : NaN;
  return Number.isFinite(n) && n > limit;
};

/** The body's bytes, at most `limit` of them; an ApiError (413) past it, with the rest of the stream cancelled. */
export async function readBodyBytes(request: Request, limit: number): Promise<Uint8Array> {
  if (declaresMoreThan(request.headers.get('content-length'), limit)) {
    await request.body?.cancel().catch(() => {});
    throw bodyTooLarge(limit);
  }
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw bodyTooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** The body parsed as JSON, read with the limit. */
export const readJsonBody = async (request: Request, limit: number): Promise<unknown> => parseJsonBytes(await readBodyBytes(request, limit));
