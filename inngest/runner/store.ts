// The embedded runner's job store: every statement on job_events, job_runs and job_steps.
// Writes to a run this worker holds are guarded by its lease (locked_by): a worker that lost the
// lease (expired, taken over after a crash) gets LeaseLost and writes nothing.
import { randomUUID } from 'node:crypto';
import type { Database } from '@/db/client';
import type { IncomingEvent } from './dispatch';
import { releaseDueDebouncedRuns, upsertDebouncedRunsCte } from './debounce';
import { RunQueueFullError } from './errors';
import type { RegisteredFunction } from './registry';
import { accountOf, debouncedRunRow, runRow, triggeredFunctions } from './runs';

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
  /** why the last attempt ended (a crashed attempt says so); attempt >= maxAttempts means none is left */
  lastError: string | null;
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
  /**
   * Persists an event (deduplicated by id) and queues a run per function it triggers, or only `onlyFunctionId`'s.
   * `capped`: refused with RunQueueFullError when the event's account has its most queued runs.
   */
  ingestEvent(raw: IncomingEvent, opts?: { onlyFunctionId?: string; db?: Database; capped?: boolean }): Promise<{ id: string; runs: number }>;
  /** Events sent by the app or by a running function: capped per account. */
  ingestEvents(events: IncomingEvent[]): Promise<{ ids: string[]; runs: number }>;
  /**
   * Takes the lease of the next due run: round robin over accounts (the least recently served first), then
   * by age, honouring concurrency limits. A run whose lease ran out is taken over and its lost attempt counted,
   * unless it is one of `inFlight`, the runs this process is executing.
   */
  claimRun(inFlight?: string[]): Promise<ClaimedRun | null>;
  renewLeases(runIds: string[]): Promise<void>;
  /** Hands held runs back to the queue, due now or after `delayMs`; their steps stay persisted. */
  releaseRuns(runIds: string[], delayMs?: number): Promise<void>;
  /** The workers holding running runs (to tell which of them are gone). */
  leaseHolders(): Promise<string[]>;
  /** Queues runs whose lease ran out or whose worker is gone, counting the lost attempt; returns how many. */
  recoverLostRuns(goneWorkerIds: string[]): Promise<number>;
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
  /** Debounced runs whose quiet period ended by `now` (the runner's clock, ms) are queued; returns how many. */
  releaseDebouncedRuns(now: number): Promise<number>;
}

const CLAIM_BATCH = 25;

// due and not leased. A lease of ours that ran out is still ours while the run is in flight here (a stall), but not
// once this process dropped it: an attempt that failed while the database was down could not hand its run back.
// $2 = this worker, $3 = the runs in flight here
const CLAIMABLE = `((status in ('queued', 'sleeping') and run_after <= now()) or status = 'running')
  and (locked_until is null or locked_until < now())
  and (locked_by is distinct from $2 or not (id = any($3::text[])))`;

// what a lost attempt leaves as the run's error (the row's values before the update)
const LOST_ATTEMPT = `format('attempt %s of %s was lost: its worker %s stopped (crashed or was killed) before finishing it',
  attempt + 1, max_attempts, locked_by)`;

// runs holding a live lease, one row per concurrency key they hold
const BUSY_KEYS = `select k.key, count(*) as n from job_runs r cross join unnest(r.concurrency_keys) as k(key)
  where r.status = 'running' and r.locked_until > now()`;

/**
 * Round robin: each account's due runs ranked by age, the heads of all accounts first, accounts served least
 * recently (claimed_at) before the others. Runs with any concurrency key at its limit are left out.
 */
const CANDIDATES = `
  with busy as (${BUSY_KEYS} group by k.key),
  due as (
    select id, account_id, run_after, created_at,
           row_number() over (partition by account_id order by run_after, created_at) as rank
    from job_runs j
    where function_id = any($1::text[]) and ${CLAIMABLE}
      and not exists (
        select 1 from unnest(j.concurrency_keys, j.concurrency_limits) as c(key, lim)
        join busy b on b.key = c.key where b.n >= c.lim
      )
  ),
  served as (
    select a.account_id, (select max(x.claimed_at) from job_runs x where x.account_id = a.account_id) as last
    from (select distinct account_id from due) a
  )
  select d.id from due d left join served s on s.account_id is not distinct from d.account_id
  where d.rank <= ${CLAIM_BATCH}
  order by d.rank, s.last nulls first, d.run_after, d.created_at
  limit ${CLAIM_BATCH}`;

/** Whether every key of a run ($1 keys, $2 limits) is under its limit, counting live leases of runs other than $3. */
const UNDER_LIMITS = `
  select coalesce(bool_and(coalesce(b.n, 0) < c.lim), true) as ok
  from unnest($1::text[], $2::int[]) as c(key, lim)
  left join (${BUSY_KEYS} and r.id <> $3 and k.key = any($1::text[]) group by k.key) b on b.key = c.key`;

export function createJobStore(o: {
  database: Database;
  registry: Map<string, RegisteredFunction>;
  workerId: string;
  leaseMs: number;
  /** the most queued runs an account may have; undefined = no limit */
  maxQueuedRunsPerAccount?: number;
  /** the clock debounce periods are measured on (tests inject it) */
  now?: () => number;
}): JobStore {
  const { database, registry, workerId, leaseMs, maxQueuedRunsPerAccount } = o;
  const now = o.now ?? Date.now;
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

  /**
   * Takes each key's claim lock (serializing claimers of a key across processes), then checks every limit. A key
   * whose lock another claimer holds counts as full: that run is left for the next look, another is tried.
   */
  async function holdKeys(tx: Database, keys: string[], limits: number[], runId: string): Promise<boolean> {
    const { rows: lock } = await tx.query<{ ok: boolean }>(
      'select bool_and(pg_try_advisory_xact_lock(hashtext(k))) as ok from unnest($1::text[]) as k',
      [keys],
    );
    if (!lock[0]?.ok) return false;
    const { rows } = await tx.query<{ ok: boolean }>(UNDER_LIMITS, [keys, limits, runId]);
    return Boolean(rows[0]?.ok);
  }

  const store: JobStore = {
    async ingestEvent(raw, { onlyFunctionId, db = database, capped = false } = {}) {
      if (!raw || typeof raw.name !== 'string' || !raw.name) throw new Error('an event needs a name');
      const event = {
        name: raw.name,
        data: raw.data ?? {},
        id: raw.id || randomUUID(),
        ts: raw.ts ?? Date.now(),
        ...(raw.v ? { v: raw.v } : {}),
      };
      const triggered = triggeredFunctions(registry, event.name, onlyFunctionId);
      const runs = triggered.filter((fn) => !fn.debounce).map((fn) => runRow(fn, event));
      const debounced = triggered.flatMap((fn) => (fn.debounce ? [debouncedRunRow({ ...fn, debounce: fn.debounce }, event, now())] : []));
      const account = accountOf(event);
      const cap = capped && account && runs.length && maxQueuedRunsPerAccount !== undefined ? maxQueuedRunsPerAccount : null;
      // the runs are inserted only by whoever inserted the event: a duplicate id starts nothing;
      // over the cap nothing is inserted (a duplicate of a stored event is still no error)
      const { rows } = await db.query<{ ok: boolean; duplicate: boolean; runs: number }>(
        `with cap as (
           select $7::int is null or (select count(*) from job_runs where account_id = $6::uuid and status = 'queued') + $8 <= $7::int as ok
         ),
         ev as (
           insert into job_events (id, name, data, ts)
           select $1, $2, $3::jsonb, to_timestamp($4::float8 / 1000) where (select ok from cap)
           on conflict (id) do nothing returning id
         ),
         queued as (
           insert into job_runs (id, function_id, event_name, event, account_id, concurrency_keys, concurrency_limits, max_attempts)
           select r.id, r.function_id, r.event_name, r.event, r.account_id, r.concurrency_keys, r.concurrency_limits, r.max_attempts
           from jsonb_to_recordset($5::jsonb) as r(id text, function_id text, event_name text, event jsonb, account_id uuid,
                                                  concurrency_keys text[], concurrency_limits int[], max_attempts int)
           where exists (select 1 from ev)
           returning id
         ),
         ${upsertDebouncedRunsCte('$9::jsonb')}
         select (select ok from cap) as ok, exists (select 1 from job_events where id = $1) as duplicate,
                (select count(*)::int from queued) as runs`,
        [event.id, event.name, JSON.stringify(event.data), event.ts, JSON.stringify(runs), account, cap, runs.length, JSON.stringify(debounced)],
      );
      const r = rows[0];
      if (!r.ok && !r.duplicate) throw new RunQueueFullError(account!, cap!);
      return { id: event.id, runs: r.runs };
    },

    async ingestEvents(events) {
      const ids: string[] = [];
      let runs = 0;
      for (const e of events) {
        const r = await store.ingestEvent(e, { capped: true });
        ids.push(r.id);
        runs += r.runs;
      }
      return { ids, runs };
    },

    claimRun(inFlight = []) {
      return database.transaction(async (tx) => {
        const { rows: candidates } = await tx.query<{ id: string }>(CANDIDATES, [functionIds, workerId, inFlight]);
        for (const { id } of candidates) {
          const { rows: locked } = await tx.query<{ keys: string[]; limits: number[] }>(
            `select concurrency_keys as keys, concurrency_limits as limits from job_runs
             where id = $1 and ${CLAIMABLE} for update skip locked`,
            [id, workerId, inFlight],
          );
          const c = locked[0];
          if (!c) continue; // another worker took it meanwhile
          if (c.keys.length && !(await holdKeys(tx, c.keys, c.limits, id))) continue;
          // a run still 'running' here lost its worker: that attempt counts
          const { rows } = await tx.query<ClaimedRun>(
            `update job_runs set status = 'running', locked_by = $2,
               locked_until = now() + $3::float8 * interval '1 millisecond', claimed_at = now(),
               attempt = attempt + (status = 'running')::int,
               error = case when status = 'running' then ${LOST_ATTEMPT} else error end,
               started_at = coalesce(started_at, now()), updated_at = now()
             where id = $1
             returning id, function_id as "functionId", event, attempt, max_attempts as "maxAttempts",
                       next_step_id as "nextStepId", error as "lastError"`,
            [id, workerId, leaseMs],
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

    async leaseHolders() {
      const { rows } = await database.query<{ locked_by: string }>(
        `select distinct locked_by from job_runs where status = 'running' and locked_by is not null and function_id = any($1::text[])`,
        [functionIds],
      );
      return rows.map((r) => r.locked_by);
    },

    async recoverLostRuns(goneWorkerIds) {
      const { rows } = await database.query(
        `update job_runs set status = 'queued', locked_by = null, locked_until = null, updated_at = now(),
           attempt = attempt + 1, error = ${LOST_ATTEMPT}
         where status = 'running' and function_id = any($1::text[])
           and (locked_until < now() or locked_by = any($2::text[]))
         returning id`,
        [functionIds, goneWorkerIds],
      );
      return rows.length;
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
      // a step that finished ends its attempts: the next step starts at attempt 0, crashed or not
      const { rows } = await database.query(
        `with held as (
           update job_runs set attempt = case when $5::text in ('completed', 'failed') then 0 else attempt end
           where id = $1 and locked_by = $11 returning id
         )
         insert into job_steps (run_id, hashed_id, name, op, status, data, error, attempts, duration_ms, started_at, finished_at, wake_at)
         select $1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, now() - $9::int * interval '1 millisecond', now(), $10
         where exists (select 1 from held)
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

    releaseDebouncedRuns: (at) => releaseDueDebouncedRuns(database, functionIds, at),
  };
  return store;
}
