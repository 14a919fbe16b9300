// What a person is told when background work fails: product sentences only. The driver's or the engine's own
// words (SQL, constraint and column names, stack details) go to the server log, never into a stored error or an
// email. A ServiceError's message is written for people, so it is passed on, also after a job step carried it
// (a step's error keeps only its name, message, code and cause).
import { ServiceError } from './errors';

export interface KnownFailure {
  /** matched against the raw message */
  pattern: RegExp;
  /** what the person reads */
  say: string;
}

const UNREACHABLE = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|connection|terminat|too many clients/i;

/** The message of a ServiceError in `err` or its causes, as thrown or as a job step serialized it. */
export function serviceMessageOf(err: unknown): string | null {
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const x = e as { name?: unknown; message?: unknown; cause?: unknown };
    if ((e instanceof ServiceError || x.name === 'ServiceError') && typeof x.message === 'string' && x.message) return x.message;
    e = x.cause;
  }
  return null;
}

const rawMessage = (err: unknown): string =>
  err instanceof Error ? err.message : typeof err === 'string' ? err : String((err as { message?: unknown })?.message ?? err);

/**
 * A sentence for people about `err`: a ServiceError's own message, a known failure's sentence, or `fallback`.
 * Anything else about the error is logged on the server under `what`.
 */
export function explainFailure(err: unknown, what: string, known: KnownFailure[], fallback: string): string {
  const service = serviceMessageOf(err);
  if (service) return service;
  console.error(`[facet] ${what} failed:`, err);
  const raw = rawMessage(err);
  for (const k of known) if (k.pattern.test(raw)) return k.say;
  if (UNREACHABLE.test(raw)) return 'The database could not be reached. Retry in a moment.';
  return fallback;
}
