// The one wrapper of every /api/v1 handler: Bearer key → account, per-key rate limit, zod validation of the
// query and body, and JSON errors. Handlers receive the caller's tenant and pass it to the services.
import { z } from 'zod';
import { getDatabase, type Database } from '@/db/client';
import { clientAddress } from '@/lib/client-address';
import { authenticateApiKeyNow, type ApiCaller } from '@/lib/services/api-keys';
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
/** the body an operation's handler receives: what its reader gives, else its schema's output */
type BodyOf<O extends Operation> = O extends { readBody: (json: unknown) => infer R } ? (R extends { success: true; data: infer D } ? D : never) : Infer<O['body']>;

type RouteContext = { params: Promise<Record<string, string | string[]>> };

/** A value, or the promise of it: the hot path goes on at once with what it already has. */
export type Maybe<T> = T | Promise<T>;

/** `f` of `x`, at once when `x` is no promise. */
export const after = <T, U>(x: Maybe<T>, f: (value: T) => Maybe<U>): Maybe<U> => (x instanceof Promise ? x.then(f) : f(x));

/** What a call of an operation brings, whatever the server that received it (a route handler or Facet's server). */
export interface ApiCallInput {
  authorization: string | null;
  /** the client's address (read only for calls without a valid key, which are limited per address) */
  address: () => string;
  params: () => Maybe<Record<string, string>>;
  /** the query string (read only by operations with a query) */
  searchParams: () => URLSearchParams;
  /** the body parsed as JSON (read only by operations with a body, after the key); an ApiError it throws is answered as is */
  json: () => Maybe<unknown>;
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

export const rateLimitedError = (rate: RateDecision) =>
  new ApiError('rate_limited', `Too many requests; retry in ${rate.retryAfter} s`, undefined, {
    'retry-after': String(rate.retryAfter),
    'x-ratelimit-limit': String(rate.limit),
    'x-ratelimit-remaining': '0',
  });

/** the process-wide database once its promise has settled, so that a call need not wait on it again */
let settled: { promise: Promise<Database>; database: Database } | null = null;

function databaseNow(): Maybe<Database> {
  const promise = getDatabase();
  if (settled?.promise === promise) return settled.database;
  return promise.then((database) => {
    settled = { promise, database };
    return database;
  });
}

const notJson = (err: unknown) => (err instanceof ApiError ? err : new ApiError('invalid_request', 'The body must be JSON'));

function readJson(input: ApiCallInput): Maybe<unknown> {
  let json: Maybe<unknown>;
  try {
    json = input.json();
  } catch (err) {
    throw notJson(err);
  }
  return json instanceof Promise ? json.catch((err) => Promise.reject(notJson(err))) : json;
}

/**
 * Authenticates the key, takes a token from its bucket and validates the input; throws (or rejects) an ApiError
 * otherwise. The call itself when nothing it needs is pending (a cached key, a body already read), else its promise.
 */
export function openApiCallNow<O extends Operation>(op: O, input: ApiCallInput): Maybe<ApiCall<Infer<O['query']>, BodyOf<O>>> {
  return after(databaseNow(), (database) =>
    after(authenticateApiKeyNow({ db: database }, input.authorization), (caller) => {
      if (!caller) {
        // one answer for a missing, malformed, unknown or revoked key, until the address has sent too many
        const bad = badKeyRateLimiter().take(input.address());
        throw bad.ok ? unauthorizedError() : rateLimitedError(bad);
      }
      const rate = apiRateLimiter().take(caller.keyId);
      if (!rate.ok) throw rateLimitedError(rate);
      return after(input.params(), (raw) => {
        // an id in capitals names the same row: answered as stored (lower case), as the document's patterns say
        const params: Record<string, string> = {};
        for (const k of Object.keys(raw)) params[k] = isUuid(raw[k]) ? raw[k].toLowerCase() : raw[k];
        let query: unknown = undefined;
        if (op.query) {
          const parsed = op.query.safeParse(Object.fromEntries(input.searchParams()));
          if (!parsed.success) throw new ApiError('invalid_request', 'The query is invalid', fieldErrorsOfZod(parsed.error));
          query = parsed.data;
        }
        const call = (body: unknown) => ({ caller, tenant: tenantOf(database, caller.accountId), database, rate, params, query: query as never, body: body as never });
        const schema = op.body;
        if (!schema) return call(undefined);
        return after(readJson(input), (json) => {
          const parsed = op.readBody ? op.readBody(json) : schema.safeParse(json);
          if (!parsed.success) throw new ApiError('invalid_request', 'The body is invalid', fieldErrorsOfZod(parsed.error));
          return call(parsed.data);
        });
      });
    }),
  );
}

/** openApiCallNow, always as a promise. */
export async function openApiCall<O extends Operation>(op: O, input: ApiCallInput): Promise<ApiCall<Infer<O['query']>, BodyOf<O>>> {
  return openApiCallNow(op, input);
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
  address: () => clientAddress(request.headers),
  params: () => routeParams(context),
  searchParams: () => new URL(request.url).searchParams,
  json: () => readJsonBody(request, op.maxBody ?? MAX_JSON_BODY),
});

export function apiRoute<O extends Operation>(
  op: O,
  handler: (ctx: ApiContext<Infer<O['query']>, BodyOf<O>>) => Promise<Response>,
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
