// Debounce, as the Inngest server does it: events for a function with `debounce: { key, period, timeout }` keep one
// pending run per key whose due time moves to `period` after the latest event (never past `timeout` after the
// first); the run starts with the latest event. The pending run is a job_runs row in status 'debounced'.
import type { Database } from '@/db/client';

export interface DebounceRule {
  key?: string;
  periodMs: number;
  timeoutMs?: number;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** An Inngest time string ("30s", "2h30m", "1d") in milliseconds; null when it is not one. */
export function durationMs(text: string): number | null {
  if (!/^(\d+(?:\.\d+)?(ms|s|m|h|d|w))+$/.test(text)) return null;
  let ms = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)) ms += Number(m[1]) * UNITS[m[2]];
  return ms;
}

/** The rule of a function's `debounce` option; undefined when it has none (or one the runner cannot read). */
export function debounceRule(fnId: string, raw: unknown, warn: (message: string) => void): DebounceRule | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const { key, period, timeout } = raw as { key?: string; period?: string; timeout?: string };
  const periodMs = typeof period === 'string' ? durationMs(period) : null;
  if (!periodMs) {
    warn(`${fnId}: debounce period "${String(period)}" is not a time string; the function is not debounced`);
    return undefined;
  }
  const timeoutMs = typeof timeout === 'string' ? (durationMs(timeout) ?? undefined) : undefined;
  return { key, periodMs, ...(timeoutMs ? { timeoutMs } : {}) };
}

/**
 * The statement (a CTE of the event's insert) that adds debounced runs or pushes back the pending run of their key,
 * which then carries the latest event. `$rows` is the parameter holding the rows as JSON; `ev` is the event's insert.
 */
export function upsertDebouncedRunsCte(rows: string): string {
  return `debounced as (
    insert into job_runs (id, function_id, event_name, event, account_id, concurrency_keys, concurrency_limits, max_attempts,
                          status, debounce_key, debounce_until, debounce_deadline)
    select r.id, r.function_id, r.event_name, r.event, r.account_id, r.concurrency_keys, r.concurrency_limits, r.max_attempts,
           'debounced', r.debounce_key, to_timestamp(r.debounce_until / 1000), to_timestamp(r.debounce_deadline / 1000)
    from jsonb_to_recordset(${rows}) as r(id text, function_id text, event_name text, event jsonb, account_id uuid, concurrency_keys text[],
                                          concurrency_limits int[], max_attempts int, debounce_key text, debounce_until float8, debounce_deadline float8)
    where exists (select 1 from ev)
    on conflict (debounce_key) where status = 'debounced' do update set
      event = excluded.event, event_name = excluded.event_name, updated_at = now(),
      debounce_until = least(excluded.debounce_until, coalesce(job_runs.debounce_deadline, excluded.debounce_until))
    returning id
  )`;
}

/** Pending debounced runs whose quiet period is over (on the runner's clock) become queued runs; returns how many. */
export async function releaseDueDebouncedRuns(database: Database, functionIds: string[], now: number): Promise<number> {
  const { rows } = await database.query(
    `update job_runs set status = 'queued', run_after = now(), updated_at = now()
     where status = 'debounced' and debounce_until <= to_timestamp($1::float8 / 1000) and function_id = any($2::text[])
     returning id`,
    [now, functionIds],
  );
  return rows.length;
}
