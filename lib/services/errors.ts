/** An error whose message is safe to show to the user (bad input, not found, conflict). */
export class ServiceError extends Error {
  constructor(
    public code: 'not_found' | 'invalid' | 'conflict' | 'forbidden' | 'unavailable' | 'rate_limited',
    message: string,
    public fieldErrors?: Record<string, string[]>,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

/** The account has as many jobs waiting as the queue allows: nothing was saved; the caller may try again later. */
export class QueueFullError extends ServiceError {
  constructor(
    readonly limit: number,
    /** a suggestion for Retry-After (seconds) */
    readonly retryAfterSeconds = 30,
  ) {
    super('rate_limited', 'Too many jobs are queued for this account; try again later.');
    this.name = 'QueueFullError';
  }
}

export function notFound(what: string): ServiceError {
  return new ServiceError('not_found', `${what} not found`);
}

/** Postgres unique violation (23505), on either driver. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } };
  return e?.code === '23505' || e?.cause?.code === '23505';
}
