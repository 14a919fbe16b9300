// The one wrapper of every /api/v1 handler: Bearer key → account, per-key rate limit, zod validation of the
// query and body, and JSON errors. Handlers receive the caller's account id and pass it to the services.
import { z } from 'zod';
import { getDatabase, type Database } from '@/db/client';
import { authenticateApiKey, type ApiCaller } from '@/lib/services/api-keys';
import { ApiError, errorResponse, fieldErrorsOfZod, toErrorResponse, unauthorized } from './errors';
import type { Operation } from './operations';
import { apiRateLimiter } from './rate-limit';

export interface ApiContext<Q, B> {
  request: Request;
  caller: ApiCaller;
  database: Database;
  params: Record<string, string>;
  query: Q;
  body: B;
}

type Infer<T> = T extends z.ZodType ? z.infer<T> : undefined;

type RouteContext = { params: Promise<Record<string, string | string[]>> };

export function apiRoute<O extends Operation>(
  op: O,
  handler: (ctx: ApiContext<Infer<O['query']>, Infer<O['body']>>) => Promise<Response>,
): (request: Request, context: RouteContext) => Promise<Response> {
  return async (request, context) => {
    try {
      const database = await getDatabase();
      const caller = await authenticateApiKey(database, request.headers.get('authorization'));
      if (!caller) return unauthorized();
      const rate = apiRateLimiter().take(caller.keyId);
      if (!rate.ok)
        return errorResponse('rate_limited', `Too many requests; retry in ${rate.retryAfter} s`, {
          headers: { 'retry-after': String(rate.retryAfter), 'x-ratelimit-limit': String(rate.limit), 'x-ratelimit-remaining': '0' },
        });
      const raw = (await context?.params) ?? {};
      const params = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v.join('/') : v]));
      let query: unknown = undefined;
      if (op.query) {
        const url = new URL(request.url);
        const parsed = op.query.safeParse(Object.fromEntries(url.searchParams));
        if (!parsed.success) throw new ApiError('invalid_request', 'The query is invalid', fieldErrorsOfZod(parsed.error));
        query = parsed.data;
      }
      let body: unknown = undefined;
      if (op.body) {
        let json: unknown;
        try {
          json = await request.json();
        } catch {
          throw new ApiError('invalid_request', 'The body must be JSON');
        }
        const parsed = op.body.safeParse(json);
        if (!parsed.success) throw new ApiError('invalid_request', 'The body is invalid', fieldErrorsOfZod(parsed.error));
        body = parsed.data;
      }
      const res = await handler({ request, caller, database, params, query: query as never, body: body as never });
      res.headers.set('x-ratelimit-limit', String(rate.limit));
      res.headers.set('x-ratelimit-remaining', String(rate.remaining));
      return res;
    } catch (err) {
      return toErrorResponse(err);
    }
  };
}

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  Response.json(body, { status, headers: { 'cache-control': 'no-store', ...headers } });
