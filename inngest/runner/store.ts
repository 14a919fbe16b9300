// The embedded runner's job store: every statement on job_events, job_runs and job_steps.
// Writes to a run this worker holds are guarded by its lease (locked_by): a worker that lost the
// lease (expired, taken over after a crash) gets LeaseLost and writes nothing.
import { randomUUID } from 'node:crypto';
import type { Database } from '@/db/client';
import type { IncomingEvent } from './dispatch';
import { evaluateKey, eventMatches, type RegisteredFunction } from './registry';

/** A run this worker has claimed: what the protocol needs to drive it. */
export interface ClaimedRun {
  id: string;
  functionId: string;
  event: Record<string, unknown>;
  /** attempts already used (0 on the first) */
  attempt: number;
  maxAttempts: number;
  /** the step to retry first; null = ask the function what comes next */
  nextStepId: string | null;
}

/** A finished step, replayed to the SDK as memoized state. */
export interface MemoizedStep {
  hashedId: string;
  status: 'completed' | 'failed';
  data: unknown;
  error: unknown;
}

/** The identity of a step as the SDK reports it in an op. */
export interface StepIdentity {
  id: string;
  op: string;
  name?: string;
  displayName?: string;
}

export type StepStatus = 'completed' | 'failed' | 'errored' | 'sleeping';

export interface StepRecord {
  data?: unknown;
  error?: unknown;
  attempts: number;
  durationMs?: number;
  wakeAt?: Date;
}

/** The run is no longer ours (its lease expired and another worker may hold it). */
export class LeaseLost extends Error {}

export interface JobStore {
  /** Persists an event (deduplicated by id) and queues a run per function it triggers, or only `onlyFunctionId`'s. */
  ingestEvent(raw: IncomingEvent, opts?: { onlyFunctionId?: string; db?: Database }): Promise<{ id: string; runs: number }>;
  ingestEvents(events: IncomingEvent[]): Promise<{ ids: string[]; runs: number }>;
  /** Takes the lease of the next due run, honouring concurrency limits; null when nothing is due. */
  claimRun(): Promise<ClaimedRun | null>;
  renewLeases(runIds: string[]): Promise<void>;
  /** Hands held runs back to the queue, due now or after `delayMs`; their steps stay persisted. */
  releaseRuns(runIds: string[], delayMs?: number): Promise<void>;
  /** Queues runs whose worker died holding them (lease expired). */
  recoverExpiredRuns(): Promise<void>;
  memoizedSteps(runId: string): Promise<MemoizedStep[]>;
  /** Sleeps that are due become completed steps (data null), in completion order. */
  resolveDueSleeps(runId: string): Promise<void>;
  saveStep(runId: string, step: StepIdentity, status: StepStatus, record: StepRecord): Promise<void>;
  /** Releases the run for another attempt after `delayMs`, resuming at `nextStepId` (null = rediscover). */
  retryRun(runId: string, retry: { attempt: number; nextStepId: string | null; error: string; delayMs: number }): Promise<void>;
  /** Releases the run until its earliest sleep is due. */
  sleepRun(runId: string): Promise<void>;
  completeRun(runId: string, output: unknown): Promise<void>;
  /** Marks the run failed and, in the same transaction, queues `then` (the failure handler's run). */
  failRun(runId: string, error: string, then?: { functionId: string; event: IncomingEvent }): Promise<void>;
  /** Runs of these functions that are queued, running or sleeping. */
  countUnfinishedRuns(): Promise<number>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CLAIM_BATCH = 25;

/** Runs sharing a key count against one limit, across processes. */
function concurrencyKey(fn: RegisteredFunction, event: IncomingEvent): string | null {
  if (!fn.concurrency) return null;
  const { key, scope } = fn.concurrency;
  const value = key ? evaluateKey(key, event as unknown as Record<string, unknown>) : '';
  return scope === 'fn' ? `${fn.id}:${value}` : `${scope}:${key}:${value}`;
}

function runRow(fn: RegisteredFunction, event: IncomingEvent) {
  const accountId = (event.data as { accountId?: unknown } | undefined)?.accountId;
  return {
    id: randomUUID(),
    function_id: fn.id,
    event_name: event.name,
    event,
    account_id: typeof accountId === 'string' && UUID.test(accountId) ? accountId : null,
    concurrency_key: concurrencyKey(fn, event),
    concurrency_limit: fn.concurrency?.limit ?? null,
    max_attempts: fn.maxAttempts,
  };
}

function triggeredFunctions(registry: Map<string, RegisteredFunction>, eventName: string, onlyFunctionId?: string) {
  const fns = [...registry.values()];
  if (onlyFunctionId) return fns.filter((fn) => fn.id === onlyFunctionId);
  return fns.filter((fn) => fn.kind === 'main' && fn.events.some((p) => eventMatches(p, eventName)));
}

export function createJobStore(o: {
  database: Database;
  registry: Map<string, RegisteredFunction>;
  workerId: string;
  leaseMs: number;
}): JobStore {
  const { database, registry, workerId, leaseMs } = o;
  const functionIds = [...registry.keys()];

  /** Updates a run only while this worker holds it. */
  async function updateHeldRun(runId: string, set: string, params: unknown[], db: Database = database): Promise<void> {
    const { rows } = await db.query(
      `update job_runs set ${set}, updated_at = now() where id = $1 and locked_by = $2 returning id`,
      [runId, workerId, ...params],
    );
    if (!rows.length) throw new LeaseLost();
  }

  const releaseHeldRun = (runId: string, status: 'queued' | 'sleeping', set: string, params: unknown[]) =>
    updateHeldRun(runId, `status = '${status}', locked_by = null, locked_until = null, ${set}`, params);

  const store: JobStore = {
    async ingestEvent(raw, { onlyFunctionId, db = database } = {}) {
      if (!raw || typeof raw.name !== 'string' || !raw.name) throw new Error('an event needs a name');
      const event = {
        name: raw.name,
        data: raw.data ?? {},
        id: raw.id || randomUUID(),
        ts: raw.ts ?? Date.now(),
        ...(raw.v ? { v: raw.v } : {}),
      };
      const runs = triggeredFunctions(registry, event.name, onlyFunctionId).map((fn) => runRow(fn, event));
      // the runs are inserted only by whoever inserted the event: a duplicate id starts nothing
      const { rows } = await db.query(
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
    },

    async ingestEvents(events) {
      const ids: string[] = [];
      let runs = 0;
      for (const e of events) {
        const r = await store.ingestEvent(e);
        ids.push(r.id);
        runs += r.runs;
      }
      return { ids, runs };
    },

    claimRun() {
      return database.transaction(async (tx) => {
        const { rows: candidates } = await tx.query<{ id: string; concurrency_key: string | null; concurrency_limit: number | null }>(
          `select id, concurrency_key, concurrency_limit from job_runs
           where function_id = any($1::text[])
             and ((status in ('queued', 'sleeping') and run_after <= now()) or status = 'running')
             and (locked_until is null or locked_until < now())
           order by run_after, created_at
           limit ${CLAIM_BATCH}
           for update skip locked`,
          [functionIds],
        );
        for (const c of candidates) {
          if (c.concurrency_key && c.concurrency_limit) {
            // serializes claimers of one key across processes; busy = someone else is deciding, try another
            const { rows: lock } = await tx.query<{ ok: boolean }>('select pg_try_advisory_xact_lock(hashtext($1)) as ok', [
              c.concurrency_key,
            ]);
            if (!lock[0]?.ok) continue;
            const { rows: busy } = await tx.query<{ n: number }>(
              `select count(*)::int as n from job_runs
               where concurrency_key = $1 and status = 'running' and locked_until > now() and id <> $2`,
              [c.concurrency_key, c.id],
            );
            if ((busy[0]?.n ?? 0) >= c.concurrency_limit) continue;
          }
          const { rows } = await tx.query<ClaimedRun>(
            `update job_runs set status = 'running', locked_by = $2,
               locked_until = now() + $3::float8 * interval '1 millisecond',
               started_at = coalesce(started_at, now()), updated_at = now()
             where id = $1
             returning id, function_id as "functionId", event, attempt, max_attempts as "maxAttempts", next_step_id as "nextStepId"`,
            [c.id, workerId, leaseMs],
          );
          return rows[0] ?? null;
        }
        return null;
      });
    },

    async renewLeases(runIds) {
      await database.query(
        `update job_runs set locked_until = now() + $3::float8 * interval '1 millisecond' where id = any($1::text[]) and locked_by = $2`,
        [runIds, workerId, leaseMs],
      );
    },

    async releaseRuns(runIds, delayMs = 0) {
      await database.query(
        `update job_runs set status = 'queued', locked_by = null, locked_until = null, updated_at = now(),
           run_after = case when $3::float8 > 0 then now() + $3::float8 * interval '1 millisecond' else run_after end
         where id = any($1::text[]) and locked_by = $2`,
        [runIds, workerId, delayMs],
      );
    },

    async recoverExpiredRuns() {
      await database.query(
        `update job_runs set status = 'queued', locked_by = null, locked_until = null, updated_at = now()
         where status in ('running', 'sleeping') and locked_until < now() and function_id = any($1::text[])`,
        [functionIds],
      );
    },

    async memoizedSteps(runId) {
      const { rows } = await database.query<MemoizedStep>(
        `select hashed_id as "hashedId", status, data, error from job_steps
         where run_id = $1 and status in ('completed', 'failed') order by seq`,
        [runId],
      );
      return rows;
    },

    async resolveDueSleeps(runId) {
      await database.query(
        `update job_steps set status = 'completed', data = null, finished_at = now(), seq = default
         where run_id = $1 and status = 'sleeping' and wake_at <= now()`,
        [runId],
      );
    },

    async saveStep(runId, step, status, record) {
      const { rows } = await database.query(
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
          step.id,
          step.displayName || step.name || step.id,
          step.op,
          status,
          record.data === undefined ? null : JSON.stringify(record.data),
          record.error === undefined ? null : JSON.stringify(record.error),
          record.attempts,
          Math.round(record.durationMs ?? 0),
          record.wakeAt ?? null,
          workerId,
        ],
      );
      if (!rows.length) throw new LeaseLost();
    },

    retryRun(runId, { attempt, nextStepId, error, delayMs }) {
      return releaseHeldRun(
        runId,
        'queued',
        `attempt = $3, next_step_id = $4, error = $5, run_after = now() + $6::float8 * interval '1 millisecond'`,
        [attempt, nextStepId, error, delayMs],
      );
    },

    sleepRun(runId) {
      return releaseHeldRun(
        runId,
        'sleeping',
        `attempt = 0, next_step_id = null,
         run_after = coalesce((select min(wake_at) from job_steps where run_id = $1 and status = 'sleeping'), now())`,
        [],
      );
    },

    completeRun(runId, output) {
      return updateHeldRun(
        runId,
        `status = 'completed', output = $3::jsonb, error = null, finished_at = now(), locked_by = null, locked_until = null, next_step_id = null`,
        [JSON.stringify(output ?? null)],
      );
    },

    failRun(runId, error, then) {
      // one transaction: the failure handler's run exists as soon as the run reads failed
      return database.transaction(async (tx) => {
        await updateHeldRun(runId, `status = 'failed', error = $3, finished_at = now(), locked_by = null, locked_until = null`, [error], tx);
        if (then) await store.ingestEvent(then.event, { onlyFunctionId: then.functionId, db: tx });
      });
    },

    async countUnfinishedRuns() {
      const { rows } = await database.query<{ n: number }>(
        `select count(*)::int as n from job_runs where function_id = any($1::text[]) and status in ('queued', 'running', 'sleeping')`,
        [functionIds],
      );
      return rows[0]?.n ?? 0;
    },
  };
  return store;
}
