// Drives the SDK's own serve() handler the way the Inngest server does: one POST per request with the
// memoized steps, then each op of a 206 answer (or the 200 result) becomes a call on the job store.
import type { Inngest } from 'inngest';
import { serve } from 'inngest/edge';
import { runWithSink, type EventSink } from './dispatch';
import { durationMs } from './debounce';
import type { AnyFunction, RegisteredFunction } from './registry';
import { LeaseLost, type ClaimedRun, type JobStore, type MemoizedStep, type StepIdentity } from './store';

/** One op of a 206 answer. */
interface Op extends StepIdentity {
  data?: unknown;
  error?: unknown;
}

interface HandlerResponse {
  status: number;
  headers: Headers;
  body: unknown;
  bytes: number;
  durationMs: number;
}

type Next = { kind: 'stop' } | { kind: 'discover' } | { kind: 'planned'; ops: Op[] };

/** Whether the runner was stopped, and whether as a crash (runs left to their lease). */
export interface RunControl {
  readonly stopped: boolean;
  readonly abandoned: boolean;
}

export interface ProtocolOptions {
  client: Inngest.Any;
  functions: AnyFunction[];
  registry: Map<string, RegisteredFunction>;
  store: JobStore;
  /** receives the events the functions send while they run */
  sink: EventSink;
  control: RunControl;
  /** called when a run was queued outside the sink (a failure handler) */
  onRunsQueued(): void;
  maxOutputBytes: number;
  /** delay before retry number `attempt` (1 = first retry) */
  backoffMs(attempt: number): number;
  log(line: string): void;
}

const MAX_REQUESTS_PER_RUN = 10_000;
const ORIGIN = 'http://facet.embedded';

export function errorMessage(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as { message?: string };
    if (typeof e.message === 'string' && e.message) return e.message;
    try {
      return JSON.stringify(error).slice(0, 500);
    } catch {
      /* fall through */
    }
  }
  return String(error ?? 'unknown error');
}

/** Parses Sleep op names: Inngest time strings ("1s", "2h30m", "1d") or ISO dates (sleepUntil). */
export function sleepUntil(name: string, now = Date.now()): Date {
  const ms = durationMs(name);
  if (ms !== null) return new Date(now + ms);
  const at = Date.parse(name);
  if (Number.isNaN(at)) throw new Error(`cannot read the sleep "${name}"`);
  return new Date(at);
}

/** The execute request body: the event, the memoized steps and their completion order. */
export function executeRequestBody(run: ClaimedRun, steps: MemoizedStep[], attempt: number) {
  const memo: Record<string, unknown> = {};
  for (const s of steps) memo[s.hashedId] = s.status === 'completed' ? { type: 'data', data: s.data ?? null } : { type: 'error', error: s.error };
  const stack = steps.map((s) => s.hashedId);
  return {
    version: 2,
    event: run.event,
    events: [run.event],
    steps: memo,
    ctx: {
      run_id: run.id,
      attempt,
      max_attempts: run.maxAttempts,
      disable_immediate_execution: false,
      use_api: false,
      stack: { stack, current: Math.max(0, stack.length - 1) },
    },
  };
}

/** A Retry-After header wins over the backoff. */
function retryDelay(attempt: number, headers: Headers, backoffMs: (attempt: number) => number): number {
  const after = headers.get('retry-after');
  if (after) {
    const secs = Number(after);
    if (Number.isFinite(secs)) return secs * 1000;
    const at = Date.parse(after);
    if (!Number.isNaN(at)) return Math.max(0, at - Date.now());
  }
  return backoffMs(attempt);
}

export function createProtocol(o: ProtocolOptions): { executeRun(run: ClaimedRun): Promise<void> } {
  const { registry, store, control, maxOutputBytes, log } = o;
  const handler = serve({ client: o.client, functions: o.functions }) as unknown as (req: Request) => Promise<Response>;
  const stop = { kind: 'stop' } as const;

  async function finish(fn: RegisteredFunction, run: ClaimedRun, outcome: { output?: unknown; error?: string }) {
    if (outcome.error === undefined) return store.completeRun(run.id, outcome.output);
    const onFailure = fn.kind === 'main' ? registry.get(`${fn.id}-failure`) : undefined;
    await store.failRun(
      run.id,
      outcome.error,
      onFailure && {
        functionId: onFailure.id,
        event: {
          name: 'inngest/function.failed',
          id: `failed-${run.id}`,
          data: { function_id: fn.id, run_id: run.id, error: { name: 'Error', message: outcome.error }, event: run.event },
        },
      },
    );
    log(`${fn.id} run ${run.id} failed: ${outcome.error}`);
    if (onFailure) o.onRunsQueued();
  }

  /**
   * Attempt accounting: attempt `attempt` (0-based) failed. The run is retried later from `nextStepId`
   * (null = from discovery), or fails for good when it was the last attempt or must not be retried.
   */
  async function failAttempt(
    fn: RegisteredFunction,
    run: ClaimedRun,
    attempt: number,
    failure: { message: string; headers: Headers; nextStepId: string | null; stepLabel?: string; final: boolean },
  ): Promise<Next> {
    const next = attempt + 1;
    if (failure.final || next >= run.maxAttempts) {
      await finish(fn, run, { error: failure.message });
      return stop;
    }
    const what = failure.stepLabel === undefined ? '' : ` step "${failure.stepLabel}"`;
    log(`${fn.id} run ${run.id}${what} attempt ${next}/${run.maxAttempts} failed: ${failure.message}`);
    await store.retryRun(run.id, {
      attempt: next,
      nextStepId: failure.nextStepId,
      error: failure.message,
      delayMs: retryDelay(next, failure.headers, o.backoffMs),
    });
    return stop;
  }

  async function invoke(fn: RegisteredFunction, run: ClaimedRun, stepId: string, attempt: number): Promise<HandlerResponse> {
    const body = executeRequestBody(run, await store.memoizedSteps(run.id), attempt);
    const url = `${ORIGIN}/api/inngest?fnId=${encodeURIComponent(fn.id)}&stepId=${encodeURIComponent(stepId)}`;
    const started = performance.now();
    const res = await runWithSink(o.sink, () =>
      handler(new Request(url, { method: 'POST', headers: { 'content-type': 'application/json', host: 'facet.embedded' }, body: JSON.stringify(body) })),
    );
    const text = await res.text();
    const durationMs = performance.now() - started;
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    if (control.stopped && control.abandoned) throw new LeaseLost();
    return { status: res.status, headers: res.headers, body: parsed, bytes: text.length, durationMs };
  }

  /** Persists what one response of the serve handler says and decides what comes next. */
  async function handle(fn: RegisteredFunction, run: ClaimedRun, res: HandlerResponse, attempt: number): Promise<Next> {
    if (res.status === 200) {
      if (res.bytes > maxOutputBytes) {
        await finish(fn, run, { error: `the function returned ${res.bytes} bytes (limit ${maxOutputBytes})` });
      } else await finish(fn, run, { output: res.body });
      return stop;
    }
    if (res.status !== 206) {
      // a function error: retried from discovery, as the step it asked for may be gone
      return failAttempt(fn, run, attempt, {
        message: errorMessage(res.body),
        headers: res.headers,
        nextStepId: null,
        final: res.headers.get('x-inngest-no-retry') === 'true',
      });
    }
    const ops = (Array.isArray(res.body) ? res.body : [res.body]) as Op[];
    const planned: Op[] = [];
    const sleeps: Op[] = [];
    let progressed = false;
    for (const op of ops) {
      const label = op.displayName || op.name || op.id;
      switch (op.op) {
        case 'StepRun':
        case 'Step': {
          const size = JSON.stringify(op.data ?? null).length;
          if (size > maxOutputBytes) {
            await finish(fn, run, {
              error: `step "${label}" returned ${size} bytes (limit ${maxOutputBytes}): return ids and summaries, keep rows in Postgres`,
            });
            return stop;
          }
          await store.saveStep(run.id, op, 'completed', { data: op.data ?? null, attempts: attempt + 1, durationMs: res.durationMs });
          progressed = true;
          break;
        }
        case 'StepError':
          // the SDK answers StepFailed on the last attempt: a StepError asks for a retry
          await store.saveStep(run.id, op, 'errored', { error: op.error, attempts: attempt + 1, durationMs: res.durationMs });
          return failAttempt(fn, run, attempt, {
            message: errorMessage(op.error),
            headers: res.headers,
            nextStepId: op.id,
            stepLabel: label,
            final: false,
          });
        case 'StepFailed':
          // memoized as an error: the function sees it thrown from the step and may catch it
          await store.saveStep(run.id, op, 'failed', { error: op.error, attempts: attempt + 1, durationMs: res.durationMs });
          progressed = true;
          break;
        case 'StepPlanned':
          planned.push(op);
          break;
        case 'Sleep':
          sleeps.push(op);
          break;
        case 'RunComplete':
          await finish(fn, run, { output: op.data ?? null });
          return stop;
        default:
          await finish(fn, run, { error: `${op.op} (step "${label}") is not supported by the embedded runner` });
          return stop;
      }
    }
    for (const op of sleeps) await store.saveStep(run.id, op, 'sleeping', { attempts: 1, wakeAt: sleepUntil(op.name ?? '') });
    if (progressed) return { kind: 'discover' };
    if (planned.length) return { kind: 'planned', ops: planned };
    if (sleeps.length) {
      await store.sleepRun(run.id);
      return stop;
    }
    await finish(fn, run, { error: `the SDK answered ${res.status} with no operation` });
    return stop;
  }

  /** Drives a claimed run until it completes, fails, sleeps, waits for a retry or the runner stops. */
  async function executeRun(run: ClaimedRun): Promise<void> {
    const fn = registry.get(run.functionId);
    if (!fn) return;
    if (run.attempt >= run.maxAttempts) {
      // its attempts were used up by crashes (a step that kills its process would otherwise run forever)
      await finish(fn, run, { error: `gave up after ${run.maxAttempts} attempts: ${run.lastError ?? 'the last one was lost'}` });
      return;
    }
    let attempt = run.attempt;
    let stepId = run.nextStepId ?? 'step';
    for (let round = 0; round < MAX_REQUESTS_PER_RUN; round++) {
      if (control.stopped) return;
      await store.resolveDueSleeps(run.id);
      const next = await handle(fn, run, await invoke(fn, run, stepId, attempt), attempt);
      if (next.kind === 'stop') return;
      if (next.kind === 'planned') {
        // parallel steps: one request per step, as the server does; then rediscover
        for (const op of next.ops) {
          if (control.stopped) return;
          const after = await handle(fn, run, await invoke(fn, run, op.id, 0), 0);
          if (after.kind === 'stop') return;
        }
      }
      attempt = 0;
      stepId = 'step';
    }
    await finish(fn, run, { error: `the run made no progress after ${MAX_REQUESTS_PER_RUN} requests` });
  }

  return { executeRun };
}
