import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Inngest } from 'inngest';
import { serve } from 'inngest/edge';
import type { Database } from '@/db/client';
import { cronMatches } from './cron';
import { registerSink, runWithSink, unregisterSink, type EventSink, type IncomingEvent } from './dispatch';
import { evaluateKey, eventMatches, registerFunctions, type AnyFunction, type RegisteredFunction } from './registry';

export interface EmbeddedRunnerOptions {
  /** defaults to the process-wide database (`getDatabase()`) */
  database?: Database;
  functions: AnyFunction[];
  /** the client the functions were created with; defaults to the app's `inngest` */
  client?: Inngest.Any;
  /** how often to look for due work (ms); sends and finished runs also wake the loop at once */
  pollMs?: number;
  /** runs executed at the same time by this process */
  maxParallelRuns?: number;
  /** how long a claimed run stays ours without a heartbeat (ms) */
  leaseMs?: number;
  /** delay before retry number `attempt` (1 = first retry) */
  backoffMs?: (attempt: number) => number;
  /** evaluate cron triggers (default true) */
  cron?: boolean;
  /** largest JSON a step or a function may return (bytes); Inngest's cap is 4 MB */
  maxOutputBytes?: number;
  workerId?: string;
  /** the clock cron triggers read (tests) */
  now?: () => number;
  log?: (line: string) => void;
}

export interface EmbeddedRunner {
  readonly workerId: string;
  /** Stops polling. Runs in flight are handed back to the queue unless `abandon` (which simulates a crash). */
  stop(opts?: { abandon?: boolean }): Promise<void>;
  /** Resolves when no run of these functions is queued, running or sleeping; rejects after `timeoutMs`. */
  drain(timeoutMs?: number): Promise<void>;
  /** Persists events (deduplicated by id) and queues a run per matching function; returns the event ids. */
  send(events: IncomingEvent | IncomingEvent[]): Promise<string[]>;
}

type Query = Database['query'];

interface RunRow {
  id: string;
  function_id: string;
  event: Record<string, unknown>;
  attempt: number;
  max_attempts: number;
  next_step_id: string | null;
}

interface StepRow {
  hashed_id: string;
  status: 'completed' | 'failed';
  data: unknown;
  error: unknown;
}

interface Op {
  id: string;
  op: string;
  name?: string;
  displayName?: string;
  data?: unknown;
  error?: unknown;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const defaultBackoff = (attempt: number) => Math.min(10 * 60_000, 1000 * 2 ** attempt) * (0.75 + Math.random() * 0.5);

class LeaseLost extends Error {}

function errorMessage(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as { name?: string; message?: string };
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
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
  if (/^(\d+(?:\.\d+)?(ms|s|m|h|d|w))+$/.test(name)) {
    let ms = 0;
    for (const m of name.matchAll(re)) ms += Number(m[1]) * units[m[2]];
    return new Date(now + ms);
  }
  const at = Date.parse(name);
  if (Number.isNaN(at)) throw new Error(`cannot read the sleep "${name}"`);
  return new Date(at);
}

async function withTransaction<T>(database: Database, fn: (q: Query) => Promise<T>): Promise<T> {
  if (database.driver === 'pg' && database.pool) {
    const client = await database.pool.connect();
    try {
      await client.query('begin');
      const result = await fn(async (text, params) => ({ rows: (await client.query(text, params as unknown[])).rows }));
      await client.query('commit');
      return result;
    } catch (err) {
      await client.query('rollback').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }
  if (database.pglite) {
    return database.pglite.transaction((tx) =>
      fn(async (text, params) => ({ rows: (await tx.query(text, params as unknown[])).rows as never[] })),
    );
  }
  return fn(database.query);
}

export async function startEmbeddedRunner(options: EmbeddedRunnerOptions): Promise<EmbeddedRunner> {
  const database = options.database ?? (await (await import('@/db/client')).getDatabase());
  const client = options.client ?? (await import('../client')).inngest;
  const registry = registerFunctions(client, options.functions);
  const functionIds = [...registry.keys()];
  const pollMs = options.pollMs ?? 500;
  const leaseMs = options.leaseMs ?? 120_000;
  const maxParallel = options.maxParallelRuns ?? 4;
  const backoff = options.backoffMs ?? defaultBackoff;
  const maxOutputBytes = options.maxOutputBytes ?? 4 * 1024 * 1024;
  const workerId = options.workerId ?? `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const log = options.log ?? ((line: string) => console.warn(`[jobs] ${line}`));
  const handler = serve({ client, functions: options.functions }) as unknown as (req: Request) => Promise<Response>;
  const q: Query = (text, params) => database.query(text, params);

  let stopped = false;
  let abandoned = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let ticking = false;
  let tickAgain = false;
  let lastCronMinute = 0;
  const active = new Map<string, Promise<void>>();

  /* ---------- events ---------- */

  function runsFor(event: Required<Pick<IncomingEvent, 'name' | 'id'>> & IncomingEvent, onlyFunctionId?: string) {
    const rows: Record<string, unknown>[] = [];
    for (const fn of registry.values()) {
      if (onlyFunctionId ? fn.id !== onlyFunctionId : fn.kind !== 'main' || !fn.events.some((p) => eventMatches(p, event.name))) continue;
      rows.push(runRow(fn, event));
    }
    return rows;
  }

  function runRow(fn: RegisteredFunction, event: IncomingEvent) {
    const accountId = (event.data as { accountId?: unknown } | undefined)?.accountId;
    let concurrencyKey: string | null = null;
    if (fn.concurrency) {
      const value = fn.concurrency.key ? evaluateKey(fn.concurrency.key, event as unknown as Record<string, unknown>) : '';
      concurrencyKey = fn.concurrency.scope === 'fn' ? `${fn.id}:${value}` : `${fn.concurrency.scope}:${fn.concurrency.key}:${value}`;
    }
    return {
      id: randomUUID(),
      function_id: fn.id,
      event_name: event.name,
      event,
      account_id: typeof accountId === 'string' && UUID.test(accountId) ? accountId : null,
      concurrency_key: concurrencyKey,
      concurrency_limit: fn.concurrency?.limit ?? null,
      max_attempts: fn.maxAttempts,
    };
  }

  async function ingestOne(raw: IncomingEvent, onlyFunctionId?: string, query: Query = q): Promise<{ id: string; runs: number }> {
    if (!raw || typeof raw.name !== 'string' || !raw.name) throw new Error('an event needs a name');
    const event = {
      name: raw.name,
      data: raw.data ?? {},
      id: raw.id || randomUUID(),
      ts: raw.ts ?? Date.now(),
      ...(raw.v ? { v: raw.v } : {}),
    };
    const runs = runsFor(event, onlyFunctionId);
    const { rows } = await query(
      `with ev as (
         insert into job_events (id, name, data, ts) values ($1, $2, $3::jsonb, to_timestamp($4::float8 / 1000))
         on conflict (id) do nothing returning id
       )
       insert into job_runs (id, function_id, event_name, event, account_id, concurrency_key, concurrency_limit, max_attempts)
       select r.id, r.function_id, r.event_name, r.event, r.account_id, r.concurrency_key, r.concurrency_limit, r.max_attempts
       from jsonb_to_recordset($5::jsonb) as r(id text, function_id text, event_name text, event jsonb, account_id uuid,
                                              concurrency_key text, concurrency_limit int, max_attempts int)
       where exists (select 1 from ev)
       returning id`,
      [event.id, event.name, JSON.stringify(event.data), event.ts, JSON.stringify(runs)],
    );
    return { id: event.id, runs: rows.length };
  }

  async function ingest(events: IncomingEvent[]): Promise<string[]> {
    const ids: string[] = [];
    let started = 0;
    for (const e of events) {
      const r = await ingestOne(e);
      ids.push(r.id);
      started += r.runs;
    }
    if (started) wake();
    return ids;
  }

  const sink: EventSink = { ingest };

  /* ---------- cron ---------- */

  async function checkCrons() {
    const minute = Math.floor((options.now ?? Date.now)() / 60_000) * 60_000;
    if (minute === lastCronMinute) return;
    lastCronMinute = minute;
    const at = new Date(minute);
    for (const fn of registry.values()) {
      for (const schedule of fn.crons) {
        if (!cronMatches(schedule, at)) continue;
        // deterministic id: one run per function and minute, whichever process gets there first
        const r = await ingestOne(
          { name: 'inngest/scheduled.timer', data: { cron: schedule.expression }, id: `cron-${fn.id}-${at.toISOString()}`, ts: minute },
          fn.id,
        );
        if (r.runs) wake();
      }
    }
  }

  /* ---------- claiming ---------- */

  async function claimOne(): Promise<RunRow | null> {
    return withTransaction(database, async (tx) => {
      const { rows: candidates } = await tx<{ id: string; concurrency_key: string | null; concurrency_limit: number | null }>(
        `select id, concurrency_key, concurrency_limit from job_runs
         where function_id = any($1::text[])
           and ((status in ('queued', 'sleeping') and run_after <= now()) or status = 'running')
           and (locked_until is null or locked_until < now())
         order by run_after, created_at
         limit 25
         for update skip locked`,
        [functionIds],
      );
      for (const c of candidates) {
        if (c.concurrency_key && c.concurrency_limit) {
          // serializes claimers of one key across processes; busy = someone else is deciding, try another
          const { rows: lock } = await tx<{ ok: boolean }>('select pg_try_advisory_xact_lock(hashtext($1)) as ok', [
            c.concurrency_key,
          ]);
          if (!lock[0]?.ok) continue;
          const { rows: busy } = await tx<{ n: number }>(
            `select count(*)::int as n from job_runs
             where concurrency_key = $1 and status = 'running' and locked_until > now() and id <> $2`,
            [c.concurrency_key, c.id],
          );
          if ((busy[0]?.n ?? 0) >= c.concurrency_limit) continue;
        }
        const { rows } = await tx<RunRow>(
          `update job_runs set status = 'running', locked_by = $2,
             locked_until = now() + $3::float8 * interval '1 millisecond',
             started_at = coalesce(started_at, now()), updated_at = now()
           where id = $1
           returning id, function_id, event, attempt, max_attempts, next_step_id`,
          [c.id, workerId, leaseMs],
        );
        return rows[0] ?? null;
      }
      return null;
    });
  }

  /* ---------- run state, guarded by our lease ---------- */

  async function updateRun(runId: string, set: string, params: unknown[]): Promise<void> {
    const { rows } = await q(
      `update job_runs set ${set}, updated_at = now() where id = $1 and locked_by = $2 returning id`,
      [runId, workerId, ...params],
    );
    if (!rows.length) throw new LeaseLost();
  }

  const release = (runId: string, status: 'queued' | 'sleeping', set: string, params: unknown[]) =>
    updateRun(runId, `status = '${status}', locked_by = null, locked_until = null, ${set}`, params);

  async function saveStep(
    runId: string,
    op: Op,
    status: 'completed' | 'failed' | 'errored' | 'sleeping',
    fields: { data?: unknown; error?: unknown; attempts: number; durationMs?: number; wakeAt?: Date },
  ): Promise<void> {
    const { rows } = await q(
      `insert into job_steps (run_id, hashed_id, name, op, status, data, error, attempts, duration_ms, started_at, finished_at, wake_at)
       select $1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, now() - $9::int * interval '1 millisecond', now(), $10
       where exists (select 1 from job_runs where id = $1 and locked_by = $11)
       on conflict (run_id, hashed_id) do update set
         status = excluded.status, data = excluded.data, error = excluded.error, attempts = excluded.attempts,
         duration_ms = excluded.duration_ms, started_at = excluded.started_at, finished_at = excluded.finished_at,
         wake_at = coalesce(job_steps.wake_at, excluded.wake_at), seq = default
       returning run_id`,
      [
        runId,
        op.id,
        op.displayName || op.name || op.id,
        op.op,
        status,
        fields.data === undefined ? null : JSON.stringify(fields.data),
        fields.error === undefined ? null : JSON.stringify(fields.error),
        fields.attempts,
        Math.round(fields.durationMs ?? 0),
        fields.wakeAt ?? null,
        workerId,
      ],
    );
    if (!rows.length) throw new LeaseLost();
  }

  async function finish(fn: RegisteredFunction, run: RunRow, outcome: { output?: unknown; error?: string }) {
    const runId = run.id;
    if (outcome.error === undefined) {
      await updateRun(runId, `status = 'completed', output = $3::jsonb, error = null, finished_at = now(), locked_by = null, locked_until = null, next_step_id = null`, [
        JSON.stringify(outcome.output ?? null),
      ]);
      return;
    }
    const onFailure = fn.kind === 'main' ? registry.get(`${fn.id}-failure`) : undefined;
    // one transaction: the failure handler's run exists as soon as the run reads failed
    await withTransaction(database, async (tx) => {
      const { rows } = await tx(
        `update job_runs set status = 'failed', error = $3, finished_at = now(), locked_by = null, locked_until = null, updated_at = now()
         where id = $1 and locked_by = $2 returning id`,
        [runId, workerId, outcome.error],
      );
      if (!rows.length) throw new LeaseLost();
      if (onFailure) {
        await ingestOne(
          {
            name: 'inngest/function.failed',
            id: `failed-${runId}`,
            data: { function_id: fn.id, run_id: runId, error: { name: 'Error', message: outcome.error }, event: run.event },
          },
          onFailure.id,
          tx,
        );
      }
    });
    log(`${fn.id} run ${runId} failed: ${outcome.error}`);
    if (onFailure) wake();
  }

  /* ---------- driving the serve handler ---------- */

  async function invoke(fn: RegisteredFunction, run: RunRow, stepId: string, attempt: number) {
    const { rows: steps } = await q<StepRow>(
      `select hashed_id, status, data, error from job_steps where run_id = $1 and status in ('completed', 'failed') order by seq`,
      [run.id],
    );
    const memo: Record<string, unknown> = {};
    for (const s of steps) memo[s.hashed_id] = s.status === 'completed' ? { type: 'data', data: s.data ?? null } : { type: 'error', error: s.error };
    const stack = steps.map((s) => s.hashed_id);
    const body = {
      version: 2,
      event: run.event,
      events: [run.event],
      steps: memo,
      ctx: {
        run_id: run.id,
        attempt,
        max_attempts: run.max_attempts,
        disable_immediate_execution: false,
        use_api: false,
        stack: { stack, current: Math.max(0, stack.length - 1) },
      },
    };
    const url = `http://facet.embedded/api/inngest?fnId=${encodeURIComponent(fn.id)}&stepId=${encodeURIComponent(stepId)}`;
    const started = performance.now();
    const res = await runWithSink(sink, () =>
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
    if (stopped && abandoned) throw new LeaseLost();
    return { status: res.status, headers: res.headers, body: parsed, bytes: text.length, durationMs };
  }

  function retryDelay(attempt: number, headers: Headers): number {
    const after = headers.get('retry-after');
    if (after) {
      const secs = Number(after);
      if (Number.isFinite(secs)) return secs * 1000;
      const at = Date.parse(after);
      if (!Number.isNaN(at)) return Math.max(0, at - Date.now());
    }
    return backoff(attempt);
  }

  type Next = { kind: 'stop' } | { kind: 'discover' } | { kind: 'planned'; ops: Op[] };

  /** Persists what one response of the serve handler says and decides what comes next. */
  async function handle(fn: RegisteredFunction, run: RunRow, res: Awaited<ReturnType<typeof invoke>>, attempt: number): Promise<Next> {
    const stop = { kind: 'stop' } as const;
    if (res.status === 200) {
      if (res.bytes > maxOutputBytes) {
        await finish(fn, run, { error: `the function returned ${res.bytes} bytes (limit ${maxOutputBytes})` });
      } else await finish(fn, run, { output: res.body });
      return stop;
    }
    if (res.status !== 206) {
      const message = errorMessage(res.body);
      const noRetry = res.headers.get('x-inngest-no-retry') === 'true';
      if (noRetry || attempt + 1 >= run.max_attempts) {
        await finish(fn, run, { error: message });
        return stop;
      }
      log(`${fn.id} run ${run.id} attempt ${attempt + 1}/${run.max_attempts} failed: ${message}`);
      // retried from discovery: the step it asked for may be gone
      await release(run.id, 'queued', `attempt = $3, next_step_id = null, error = $4, run_after = now() + $5::float8 * interval '1 millisecond'`, [
        attempt + 1,
        message,
        retryDelay(attempt + 1, res.headers),
      ]);
      return stop;
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
          await saveStep(run.id, op, 'completed', { data: op.data ?? null, attempts: attempt + 1, durationMs: res.durationMs });
          progressed = true;
          break;
        }
        case 'StepError': {
          const message = errorMessage(op.error);
          await saveStep(run.id, op, 'errored', { error: op.error, attempts: attempt + 1, durationMs: res.durationMs });
          log(`${fn.id} run ${run.id} step "${label}" attempt ${attempt + 1}/${run.max_attempts} failed: ${message}`);
          await release(run.id, 'queued', `attempt = $3, next_step_id = $4, error = $5, run_after = now() + $6::float8 * interval '1 millisecond'`, [
            attempt + 1,
            op.id,
            message,
            retryDelay(attempt + 1, res.headers),
          ]);
          return stop;
        }
        case 'StepFailed':
          // memoized as an error: the function sees it thrown from the step and may catch it
          await saveStep(run.id, op, 'failed', { error: op.error, attempts: attempt + 1, durationMs: res.durationMs });
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
    for (const op of sleeps) await saveStep(run.id, op, 'sleeping', { attempts: 1, wakeAt: sleepUntil(op.name ?? '') });
    if (progressed) return { kind: 'discover' };
    if (planned.length) return { kind: 'planned', ops: planned };
    if (sleeps.length) {
      await release(run.id, 'sleeping', `attempt = 0, next_step_id = null,
        run_after = coalesce((select min(wake_at) from job_steps where run_id = $1 and status = 'sleeping'), now())`, []);
      return stop;
    }
    await finish(fn, run, { error: `the SDK answered ${res.status} with no operation` });
    return stop;
  }

  async function execute(run: RunRow): Promise<void> {
    const fn = registry.get(run.function_id);
    if (!fn) return;
    let attempt = run.attempt;
    let stepId = run.next_step_id ?? 'step';
    for (let round = 0; round < 10_000; round++) {
      if (stopped) return;
      // sleeps that are due resolve now (memoized as data: null, in completion order)
      await q(
        `update job_steps set status = 'completed', data = null, finished_at = now(), seq = default
         where run_id = $1 and status = 'sleeping' and wake_at <= now()`,
        [run.id],
      );
      const next = await handle(fn, run, await invoke(fn, run, stepId, attempt), attempt);
      if (next.kind === 'stop') return;
      if (next.kind === 'planned') {
        // parallel steps: one request per step, as the server does; then rediscover
        for (const op of next.ops) {
          if (stopped) return;
          const after = await handle(fn, run, await invoke(fn, run, op.id, 0), 0);
          if (after.kind === 'stop') return;
        }
      }
      attempt = 0;
      stepId = 'step';
    }
    await finish(fn, run, { error: 'the run made no progress after 10000 requests' });
  }

  /* ---------- the loop ---------- */

  function start(run: RunRow) {
    const p = execute(run)
      .catch(async (err) => {
        if (err instanceof LeaseLost) return;
        const message = err instanceof Error ? err.message : String(err);
        log(`${run.function_id} run ${run.id}: runner error: ${message}`);
        // hand it back: the lease expiry would do it too, but later
        await q(`update job_runs set status = 'queued', locked_by = null, locked_until = null, run_after = now() + interval '5 seconds' where id = $1 and locked_by = $2`, [
          run.id,
          workerId,
        ]).catch(() => {});
      })
      .finally(() => {
        active.delete(run.id);
        wake();
      });
    active.set(run.id, p);
  }

  async function tick() {
    if (stopped) return;
    if (ticking) {
      tickAgain = true;
      return;
    }
    ticking = true;
    try {
      do {
        tickAgain = false;
        if (options.cron !== false) await checkCrons();
        while (!stopped && active.size < maxParallel) {
          const run = await claimOne();
          if (!run || stopped) {
            if (run) await q(`update job_runs set status = 'queued', locked_by = null, locked_until = null where id = $1 and locked_by = $2`, [run.id, workerId]);
            break;
          }
          start(run);
        }
      } while (tickAgain && !stopped);
    } catch (err) {
      if (!stopped) log(`poll failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      ticking = false;
      schedule(pollMs);
    }
  }

  function schedule(ms: number) {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void tick(), ms);
    timer.unref?.();
  }

  function wake() {
    if (stopped) return;
    if (ticking) tickAgain = true;
    else schedule(0);
  }

  const heartbeat = setInterval(() => {
    if (!active.size || stopped) return;
    void q(
      `update job_runs set locked_until = now() + $3::float8 * interval '1 millisecond' where id = any($1::text[]) and locked_by = $2`,
      [[...active.keys()], workerId, leaseMs],
    ).catch(() => {});
  }, Math.max(250, Math.floor(leaseMs / 3)));
  heartbeat.unref?.();

  // a previous process died holding runs: hand them back (their steps are persisted)
  await q(
    `update job_runs set status = 'queued', locked_by = null, locked_until = null, updated_at = now()
     where status in ('running', 'sleeping') and locked_until < now() and function_id = any($1::text[])`,
    [functionIds],
  );
  registerSink(sink);
  schedule(0);

  return {
    workerId,
    async stop(opts = {}) {
      if (stopped) return;
      stopped = true;
      abandoned = Boolean(opts.abandon);
      if (timer) clearTimeout(timer);
      clearInterval(heartbeat);
      unregisterSink(sink);
      if (!abandoned && active.size) {
        await q(
          `update job_runs set status = 'queued', locked_by = null, locked_until = null, updated_at = now()
           where id = any($1::text[]) and locked_by = $2`,
          [[...active.keys()], workerId],
        ).catch(() => {});
      }
    },
    async drain(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { rows } = await q<{ n: number }>(
          `select count(*)::int as n from job_runs where function_id = any($1::text[]) and status in ('queued', 'running', 'sleeping')`,
          [functionIds],
        );
        if (!rows[0]?.n && !active.size) return;
        if (Date.now() > deadline) throw new Error(`drain timed out: ${rows[0]?.n ?? 0} runs pending, ${active.size} in flight`);
        await new Promise((r) => setTimeout(r, Math.min(pollMs, 100)));
      }
    },
    send(events) {
      return ingest(Array.isArray(events) ? events : [events]);
    },
  };
}
