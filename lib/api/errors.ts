import { ZodError } from 'zod';
import { ServiceError } from '@/lib/services/errors';

export type ApiErrorCode =
  | 'unauthorized'
  | 'not_found'
  | 'invalid_request'
  | 'conflict'
  | 'forbidden'
  | 'rate_limited'
  | 'unavailable'
  | 'unmatched'
  | 'internal';

const STATUS: Record<ApiErrorCode, number> = {
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  invalid_request: 400,
  conflict: 409,
  unmatched: 422,
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

export function errorResponse(code: ApiErrorCode, message: string, opts: { fieldErrors?: Record<string, string[]>; headers?: Record<string, string> } = {}) {
  return Response.json(
    { error: { code, message, ...(opts.fieldErrors ? { fieldErrors: opts.fieldErrors } : {}) } },
    { status: STATUS[code], headers: { 'cache-control': 'no-store', ...opts.headers } },
  );
}

export function fieldErrorsOfZod(error: ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of error.issues) (out[issue.path.join('.') || '_'] ??= []).push(issue.message);
  return out;
}

/** Maps anything thrown by a handler to a JSON error; internals are logged, never answered. */
export function toErrorResponse(err: unknown): Response {
  if (err instanceof ApiError) return errorResponse(err.code, err.message, { fieldErrors: err.fieldErrors, headers: err.headers });
  if (err instanceof ZodError) return errorResponse('invalid_request', 'The request is invalid', { fieldErrors: fieldErrorsOfZod(err) });
  if (err instanceof ServiceError) {
    const code: ApiErrorCode =
      err.code === 'not_found' ? 'not_found' : err.code === 'invalid' ? 'invalid_request' : err.code;
    return errorResponse(code, err.message, { fieldErrors: err.fieldErrors });
  }
  console.error('[facet] api error:', err);
  return errorResponse('internal', 'Something went wrong');
}

/** The one answer for a missing, malformed, unknown or revoked key. */
export const unauthorized = () =>
  errorResponse('unauthorized', 'A valid API key is required (Authorization: Bearer <key>)', {
    headers: { 'www-authenticate': 'Bearer realm="facet"' },
  });
