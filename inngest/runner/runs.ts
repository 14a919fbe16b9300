// An event becomes run rows: one per function it triggers, with the account it is for and its concurrency key.
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

/** Runs sharing a key count against one limit, across processes. */
function concurrencyKey(fn: RegisteredFunction, event: IncomingEvent): string | null {
  if (!fn.concurrency) return null;
  const { key, scope } = fn.concurrency;
  const value = key ? evaluateKey(key, event as unknown as Record<string, unknown>) : '';
  return scope === 'fn' ? `${fn.id}:${value}` : `${scope}:${key}:${value}`;
}

export function runRow(fn: RegisteredFunction, event: IncomingEvent) {
  return {
    id: randomUUID(),
    function_id: fn.id,
    event_name: event.name,
    event,
    account_id: accountOf(event),
    concurrency_key: concurrencyKey(fn, event),
    concurrency_limit: fn.concurrency?.limit ?? null,
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
