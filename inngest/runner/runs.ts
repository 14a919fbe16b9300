// An event becomes run rows: one per function it triggers, with the account it is for and its concurrency keys.
import { randomUUID } from 'node:crypto';
import type { DebounceRule } from './debounce';
import type { IncomingEvent } from './dispatch';
import { evaluateKey, eventMatches, type RegisteredFunction } from './registry';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The account a run is for: the event's, or for a failure handler the failed run's event's. */
export function accountOf(event: IncomingEvent): string | null {
  const data = event.data as { accountId?: unknown; event?: { data?: { accountId?: unknown } } } | undefined;
  const id = data?.accountId ?? data?.event?.data?.accountId;
  return typeof id === 'string' && UUID.test(id) ? id : null;
}

/**
 * One key per concurrency rule: runs sharing a key count against its limit, across processes. A rule scoped to the
 * function names the function; the expression is part of the key, so two rules never share a count by accident.
 * Two rules giving one key keep the lower limit.
 */
export function concurrencyKeys(fn: RegisteredFunction, event: IncomingEvent): { keys: string[]; limits: number[] } {
  const limitOf = new Map<string, number>();
  for (const { key, scope, limit } of fn.concurrency) {
    const value = key ? evaluateKey(key, event as unknown as Record<string, unknown>) : '';
    const k = `${scope === 'fn' ? fn.id : scope}:${key ?? ''}:${value}`;
    limitOf.set(k, Math.min(limit, limitOf.get(k) ?? limit));
  }
  return { keys: [...limitOf.keys()], limits: [...limitOf.values()] };
}

export function runRow(fn: RegisteredFunction, event: IncomingEvent) {
  const concurrency = concurrencyKeys(fn, event);
  return {
    id: randomUUID(),
    function_id: fn.id,
    event_name: event.name,
    event,
    account_id: accountOf(event),
    concurrency_keys: concurrency.keys,
    concurrency_limits: concurrency.limits,
    max_attempts: fn.maxAttempts,
  };
}

export function triggeredFunctions(registry: Map<string, RegisteredFunction>, eventName: string, onlyFunctionId?: string) {
  const fns = [...registry.values()];
  if (onlyFunctionId) return fns.filter((fn) => fn.id === onlyFunctionId);
  return fns.filter((fn) => fn.kind === 'main' && fn.events.some((p) => eventMatches(p, eventName)));
}

/** A run row of a debounced function: its key (per function) and due times, in ms on the runner's clock. */
export function debouncedRunRow(fn: RegisteredFunction & { debounce: DebounceRule }, event: IncomingEvent, now: number) {
  const value = fn.debounce.key ? evaluateKey(fn.debounce.key, event as unknown as Record<string, unknown>) : '';
  return {
    ...runRow(fn, event),
    debounce_key: `${fn.id}:${value}`,
    debounce_until: now + fn.debounce.periodMs,
    debounce_deadline: fn.debounce.timeoutMs ? now + fn.debounce.timeoutMs : null,
  };
}
