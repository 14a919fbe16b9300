// The security headers of an API answer whose request carried a body. proxy.ts does not run for those: Next
// would first copy the whole body for the proxy (keeping at most 10 MB of it), so a route could neither refuse
// an oversized body while reading it nor receive an upload past 10 MB whole. Their routes set the same headers.
import { requestServedOverHttps, securityHeaders } from '@/lib/security-headers';

export function withApiSecurityHeaders(request: Request, response: Response): Response {
  const https = requestServedOverHttps(request.headers.get('x-forwarded-proto'));
  let out = response;
  for (const [name, value] of Object.entries(securityHeaders({ kind: 'api', https }))) {
    if (out.headers.has(name)) continue;
    try {
      out.headers.set(name, value);
    } catch {
      // the headers of a fetched answer are immutable: answer a copy
      out = new Response(out.body, out);
      out.headers.set(name, value);
    }
  }
  return out;
}

/** A route handler whose answers carry the API's security headers. */
export const withApiHeaders =
  <A extends unknown[]>(handler: (request: Request, ...rest: A) => Promise<Response>) =>
  async (request: Request, ...rest: A): Promise<Response> =>
    withApiSecurityHeaders(request, await handler(request, ...rest));
