import { ServiceError } from '@/lib/services/errors';

/** A service call a page shows either way: its data, or the message of a ServiceError (anything else is thrown). */
export async function outcomeOf<T>(call: Promise<T>): Promise<{ data: T; error: null } | { data: null; error: string }> {
  try {
    return { data: await call, error: null };
  } catch (err) {
    if (err instanceof ServiceError) return { data: null, error: err.message };
    throw err;
  }
}

const DAY = 86_400_000;

/** YYYY-MM-DD of today and of `days` before it (UTC), the default range of the Transitions tab. */
export function recentDays(days: number): { from: string; to: string } {
  const now = Date.now();
  return { from: new Date(now - days * DAY).toISOString().slice(0, 10), to: new Date(now).toISOString().slice(0, 10) };
}
