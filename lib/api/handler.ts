// The one wrapper of every /api/v1 handler: Bearer key → account, per-key rate limit, zod validation of the
// query and body, and JSON errors. Handlers receive the caller's tenant and pass it to the services.
import { z } from 'zod';
import { getDatabase, type Database } from '@/db/client';
import { clientAddress } from '@/lib/client-address';
import { authenticateApiKey, type ApiCaller } from '@/lib/services/api-keys';
import { isUuid } from '@/lib/services/ids';
import { tenantOf, type Tenant } from '@/lib/services/tenant';
import { MAX_JSON_BODY, readJsonBody } from './body';
import { withApiSecurityHeaders } from './security';
import { ApiError, fieldErrorsOfZod, toErrorResponse, unauthorizedError } from './errors';
import type { Operation } from './operations';
import { apiRateLimiter, badKeyRateLimiter, type RateDecision } from './rate-limit';

export interface ApiContext<Q, B> {
  request: Request;
  caller: ApiCaller;
  /** the key's account; no person acts (userId null), as API calls always recorded */
  tenant: Tenant;
  database: Database;
  params: Record<string, string>;
  query: Q;
  body: B;
}

type Infer<T> = T extends z.ZodType ? z.infer<T> : undefined;

type RouteContext = { params: Promise<Record<string, string | string[]>> };

/** What a call of an operation brings, whatever the server that received it (a route handler or Facet's server). */
export interface ApiCallInput {
  authorization: string | null;
  /** the client's address (calls without a valid key are limited per address) */
  address: string;
  params: () => Promise<Record<string, string>>;
  /** the query string (read only by operations with a query) */
  searchParams: () => URLSearchParams;
  /** the body parsed as JSON (read only by operations with a body); an ApiError it throws is answered as is */
  json: () => Promise<unknown>;
}

/** An authenticated, rate-limited call with its validated parameters, query and body. */
export interface ApiCall<Q, B> {
  caller: ApiCaller;
  tenant: Tenant;
  database: Database;
  rate: RateDecision;
  params: Record<string, string>;
  query: Q;
  body: B;
}

const rateLimitedError = (rate: RateDecision) =>
  new ApiError('rate_limited', `Too many requests; retry in ${rate.retryAfter} s`, undefined, {
    'retry-after': String(rate.retryAfter),
    'x-ratelimit-limit': String(rate.limit),
    'x-ratelimit-remaining': '0',
  });

/** Authenticates the key, takes a token from its bucket and validates the input; throws an ApiError otherwise. */
export async function openApiCall<O extends Operation>(op: O, input: ApiCallInput): Promise<ApiCall<Infer<O['query']>, Infer<O['body']>>> {
  const database = await getDatabase();
  const caller = await authenticateApiKey({ db: database }, input.authorization);
  if (!caller) {
    // one answer for a missing, malformed, unknown or revoked key, until the address has sent too many
    const bad = badKeyRateLimiter().take(input.address);
    throw bad.ok ? unauthorizedError() : rateLimitedError(bad);
  }
  const rate = apiRateLimiter().take(caller.keyId);
  if (!rate.ok) throw rateLimitedError(rate);
  // an id in capitals names the same row: answered as stored (lower case), as the document's patterns say
  const params = Object.fromEntries(Object.entries(await input.params()).map(([k, v]) => [k, isUuid(v) ? v.toLowerCase() : v]));
  let query: unknown = undefined;
  if (op.query) {
    const parsed = op.query.safeParse(Object.fromEntries(input.searchParams()));
    if (!parsed.success) throw new ApiError('invalid_request', 'The query is invalid', fieldErrorsOfZod(parsed.error));
    query = parsed.data;
  }
  let body: unknown = undefined;
  if (op.body) {
    let json: unknown;
    try {
      json = await input.json();
    } catch (err) {
      if (err instanceof ApiError) throw err;
      throw new ApiError('invalid_request', 'The body must be JSON');
    }
    const parsed = op.body.safeParse(json);
    if (!parsed.success) throw new ApiError('invalid_request', 'The body is invalid', fieldErrorsOfZod(parsed.error));
    body = parsed.data;
  }
  return { caller, tenant: tenantOf(database, caller.accountId), database, rate, params, query: query as never, body: body as never };
}

/** The headers of a successful answer that tell the caller where it stands with its limit. */
export const rateLimitHeaders = (rate: RateDecision) => ({ 'x-ratelimit-limit': String(rate.limit), 'x-ratelimit-remaining': String(rate.remaining) });

/** The route's parameters, a catch-all segment joined with slashes. */
export async function routeParams(context: RouteContext | undefined): Promise<Record<string, string>> {
  const raw = (await context?.params) ?? {};
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v.join('/') : v]));
}

/** The input of a call received by a route handler; the body is read with the operation's limit (1 MB unless it sets one). */
export const routeCallInput = (request: Request, context: RouteContext | undefined, op: Pick<Operation, 'maxBody'>): ApiCallInput => ({
  authorization: request.headers.get('authorization'),
  address: clientAddress(request.headers),
  params: () => routeParams(context),
  searchParams: () => new URL(request.url).searchParams,
  json: () => readJsonBody(request, op.maxBody ?? MAX_JSON_BODY),
});

export function apiRoute<O extends Operation>(
  op: O,
  handler: (ctx: ApiContext<Infer<O['query']>, Infer<O['body']>>) => Promise<Response>,
): (request: Request, context: RouteContext) => Promise<Response> {
  return async (request, context) => {
    try {
      const call = await openApiCall(op, routeCallInput(request, context, op));
      const { caller, tenant, database, params, query, body } = call;
      const res = await handler({ request, caller, tenant, database, params, query, body });
      for (const [k, v] of Object.entries(rateLimitHeaders(call.rate))) res.headers.set(k, v);
      return withApiSecurityHeaders(request, res);
    } catch (err) {
      return withApiSecurityHeaders(request, toErrorResponse(err));
    }
  };
}

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  Response.json(body, { status, headers: { 'cache-control': 'no-store', ...headers } });
