import type { Inngest, InngestFunction } from 'inngest';
import { parseCron, type CronSchedule } from './cron';
import { debounceRule, type DebounceRule } from './debounce';

export type AnyFunction = InngestFunction.Any;

export interface ConcurrencyRule {
  /** a CEL-like path such as `event.data.accountId`; undefined = one group for the function */
  key?: string;
  limit: number;
  scope: 'fn' | 'env' | 'account';
}

export interface RegisteredFunction {
  /** `<appId>-<fnId>`, as the serve handler knows it */
  id: string;
  kind: 'main' | 'failure';
  events: string[];
  crons: CronSchedule[];
  maxAttempts: number;
  /** every rule holds at once (Inngest allows two: e.g. one per set and a few per account) */
  concurrency: ConcurrencyRule[];
  /** runs wait for a quiet period per key, with the latest event (see debounce.ts) */
  debounce?: DebounceRule;
}

interface FunctionConfig {
  id: string;
  triggers: Array<{ event?: string; cron?: string; expression?: string }>;
  steps: Record<string, { retries?: { attempts?: number } }>;
  debounce?: unknown;
  concurrency?: number | { limit: number; key?: string; scope?: 'fn' | 'env' | 'account' } | Array<{ limit: number; key?: string; scope?: 'fn' | 'env' | 'account' }>;
}

const warned = new Set<string>();
const warnOnce = (message: string) => {
  if (warned.has(message)) return;
  warned.add(message);
  console.warn(`[jobs] ${message}`);
};

function concurrencyRules(raw: FunctionConfig['concurrency']): ConcurrencyRule[] {
  if (raw === undefined || raw === null) return [];
  const list = typeof raw === 'number' ? [{ limit: raw }] : Array.isArray(raw) ? raw : [raw];
  return list.filter((c) => c && c.limit > 0).map((c) => ({ key: c.key, limit: c.limit, scope: c.scope ?? 'fn' }));
}

/** Reads each function's configuration the way the Inngest server would at sync time. */
export function registerFunctions(client: Inngest.Any, functions: AnyFunction[]): Map<string, RegisteredFunction> {
  const registry = new Map<string, RegisteredFunction>();
  for (const fn of functions) {
    const configs = (
      fn as unknown as { getConfig(o: { baseUrl: URL; appPrefix: string }): FunctionConfig[] }
    ).getConfig({ baseUrl: new URL('http://facet.embedded/api/inngest'), appPrefix: client.id });
    configs.forEach((config, i) => {
      const events: string[] = [];
      const crons: CronSchedule[] = [];
      for (const t of config.triggers ?? []) {
        if (t.cron) crons.push(parseCron(t.cron));
        else if (t.event) {
          if (t.expression && i === 0) warnOnce(`${config.id}: trigger condition "${t.expression}" is ignored by the embedded runner`);
          events.push(t.event);
        }
      }
      const attempts = config.steps?.step?.retries?.attempts;
      registry.set(config.id, {
        id: config.id,
        kind: i === 0 ? 'main' : 'failure',
        events: i === 0 ? events : [],
        crons: i === 0 ? crons : [],
        // `retries: n` means n retries after the first attempt; Inngest's default is 3
        maxAttempts: i === 0 ? (attempts ?? 3) + 1 : (attempts ?? 0) + 1,
        concurrency: i === 0 ? concurrencyRules(config.concurrency) : [],
        debounce: i === 0 ? debounceRule(config.id, config.debounce, warnOnce) : undefined,
      });
    });
  }
  return registry;
}

export function eventMatches(pattern: string, name: string): boolean {
  if (pattern === name) return true;
  return pattern.endsWith('/*') && name.startsWith(pattern.slice(0, -1));
}

/** Evaluates a key expression of the form `event.data.a.b` (the only form the runner understands). */
export function evaluateKey(expression: string, event: Record<string, unknown>): string {
  const path = /^event(\.[A-Za-z_$][\w$]*)+$/.test(expression.trim()) ? expression.trim().split('.').slice(1) : null;
  if (!path) {
    warnOnce(`concurrency key "${expression}" is not a plain event path; the runner uses it as a constant`);
    return expression;
  }
  let value: unknown = event;
  for (const part of path) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
}
