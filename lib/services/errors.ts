/** An error whose message is safe to show to the user (bad input, not found, conflict). */
export class ServiceError extends Error {
  constructor(
    public code: 'not_found' | 'invalid' | 'conflict' | 'forbidden' | 'unavailable',
    message: string,
    public fieldErrors?: Record<string, string[]>,
  ) {
    super(message);
    this.name = 'ServiceError';
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
