import { ZodError } from 'zod';
import { QueueFullError, ServiceError } from '@/lib/services/errors';

export type ApiErrorCode =
  | 'unauthorized'
  | 'not_found'
  | 'invalid_request'
  | 'conflict'
  | 'forbidden'
  | 'rate_limited'
  | 'unavailable'
  | 'unmatched'
  | 'payload_too_large'
  | 'internal';

const STATUS: Record<ApiErrorCode, number> = {
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  invalid_request: 400,
  conflict: 409,
  unmatched: 422,
  payload_too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

/** An error the API answers as `{ error: { code, message, fieldErrors? } }`. */
export class ApiError extends Error {
  constructor(
    public code: ApiErrorCode,
    message: string,
    public fieldErrors?: Record<string, string[]>,
    public headers?: Record<string, string>,
  ) {
    super(message);
  }
}

/** An answer as plain data: a route turns it into a Response, Facet's server writes it to the socket directly. */
export interface JsonAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export const answerResponse = (answer: JsonAnswer): Response => Response.json(answer.body, { status: answer.status, headers: answer.headers });

export function errorAnswer(code: ApiErrorCode, message: string, opts: { fieldErrors?: Record<string, string[]>; headers?: Record<string, string> } = {}): JsonAnswer {
  return {
    status: STATUS[code],
    headers: { 'cache-control': 'no-store', ...opts.headers },
    body: { error: { code, message, ...(opts.fieldErrors ? { fieldErrors: opts.fieldErrors } : {}) } },
  };
}

export function errorResponse(code: ApiErrorCode, message: string, opts: { fieldErrors?: Record<string, string[]>; headers?: Record<string, string> } = {}) {
  return answerResponse(errorAnswer(code, message, opts));
}

export function fieldErrorsOfZod(error: ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of error.issues) (out[issue.path.join('.') || '_'] ??= []).push(issue.message);
  return out;
}

/** Maps anything thrown by a handler to a JSON error; internals are logged, never answered. */
export function toErrorAnswer(err: unknown): JsonAnswer {
  if (err instanceof ApiError) return errorAnswer(err.code, err.message, { fieldErrors: err.fieldErrors, headers: err.headers });
  if (err instanceof ZodError) return errorAnswer('invalid_request', 'The request is invalid', { fieldErrors: fieldErrorsOfZod(err) });
  if (err instanceof ServiceError) {
    const code: ApiErrorCode =
      err.code === 'not_found' ? 'not_found' : err.code === 'invalid' ? 'invalid_request' : err.code;
    const headers = err instanceof QueueFullError ? { 'retry-after': String(err.retryAfterSeconds) } : undefined;
    return errorAnswer(code, err.message, { fieldErrors: err.fieldErrors, headers });
  }
  console.error('[facet] api error:', err);
  return errorAnswer('internal', 'Something went wrong');
}

export const toErrorResponse = (err: unknown): Response => answerResponse(toErrorAnswer(err));

/** The one error for a missing, malformed, unknown or revoked key. */
export const unauthorizedError = () =>
  new ApiError('unauthorized', 'A valid API key is required (Authorization: Bearer <key>)', undefined, { 'www-authenticate': 'Bearer realm="facet"' });
