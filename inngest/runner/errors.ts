// Errors the embedded runner raises to whoever sends events. No imports: API routes and actions may use it.

/** Marks the message, so the error can be recognised after the Inngest SDK flattened it into its own. */
const CODE = 'run_queue_full';

/**
 * An account has as many queued runs as the runner allows: the event was not accepted. Callers should
 * answer 429 and try again later; nothing was stored.
 */
export class RunQueueFullError extends Error {
  readonly code = CODE;
  constructor(
    readonly accountId: string,
    readonly limit: number,
    /** a suggestion for Retry-After (seconds) */
    readonly retryAfterSeconds = 30,
  ) {
    super(`${CODE}: account ${accountId} already has ${limit} queued jobs, the most it may have; try again once some have run`);
    this.name = 'RunQueueFullError';
  }
}

const FLATTENED = new RegExp(`${CODE}: account ([0-9a-f-]{36}) already has (\\d+) queued jobs`);

/**
 * The RunQueueFullError behind `err`, if any: thrown by the runner itself, or as the Inngest SDK rethrows it
 * from `inngest.send` ("Inngest API Error: 429 run_queue_full: …"). Null for any other error.
 */
export function asRunQueueFullError(err: unknown): RunQueueFullError | null {
  if (err instanceof RunQueueFullError) return err;
  const message = err instanceof Error ? err.message : typeof err === 'string' ? err : '';
  const m = FLATTENED.exec(message);
  return m ? new RunQueueFullError(m[1], Number(m[2])) : null;
}
