// The embedded runner: wires the job store, the protocol that drives the serve() handler, and the
// scheduler, over one database and one set of functions.
import type { Inngest } from 'inngest';
import type { Database } from '@/db/client';
import { registerSink, unregisterSink, type EventSink, type IncomingEvent } from './dispatch';
import { createProtocol } from './protocol';
import { registerFunctions, type AnyFunction } from './registry';
import { createScheduler } from './scheduler';
import { createJobStore } from './store';
import { isWorkerGone, markWorkerGone, markWorkerLive, newWorkerId } from './workers';

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
  /**
   * how long a claimed run stays ours without a heartbeat (ms); renewed every third of it. Short, so that a run
   * whose worker crashed resumes within seconds on another worker or after a restart.
   */
  leaseMs?: number;
  /** the most queued runs one account may have; a send beyond it throws RunQueueFullError (default 200) */
  maxQueuedRunsPerAccount?: number;
  /** delay before retry number `attempt` (1 = first retry) */
  backoffMs?: (attempt: number) => number;
  /** evaluate cron triggers (default true) */
  cron?: boolean;
  /** largest JSON a step or a function may return (bytes); Inngest's cap is 4 MB */
  maxOutputBytes?: number;
  workerId?: string;
  /** the clock cron triggers and debounce periods read (tests) */
  now?: () => number;
  /** sends the transactional outbox's pending events from the loop (the app passes lib/services/outbox's drainOutbox) */
  drainOutbox?: (database: Database) => Promise<unknown>;
  log?: (line: string) => void;
}

export interface EmbeddedRunner {
  readonly workerId: string;
  readonly maxQueuedRunsPerAccount: number;
  /** Stops polling. Runs in flight are handed back to the queue unless `abandon` (which simulates a crash). */
  stop(opts?: { abandon?: boolean }): Promise<void>;
  /** Resolves when no run of these functions is queued, running or sleeping; rejects after `timeoutMs`. */
  drain(timeoutMs?: number): Promise<void>;
  /** Persists events (deduplicated by id) and queues a run per matching function; returns the event ids. */
  send(events: IncomingEvent | IncomingEvent[]): Promise<string[]>;
}

export const DEFAULT_LEASE_MS = 5000;
export const DEFAULT_MAX_QUEUED_RUNS_PER_ACCOUNT = 200;

const defaultBackoff = (attempt: number) => Math.min(10 * 60_000, 1000 * 2 ** attempt) * (0.75 + Math.random() * 0.5);

export async function startEmbeddedRunner(options: EmbeddedRunnerOptions): Promise<EmbeddedRunner> {
  const database = options.database ?? (await (await import('@/db/client')).getDatabase());
  const client = options.client ?? (await import('../client')).inngest;
  const registry = registerFunctions(client, options.functions);
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const workerId = options.workerId ?? newWorkerId();
  const log = options.log ?? ((line: string) => console.warn(`[jobs] ${line}`));
  const maxQueuedRunsPerAccount = options.maxQueuedRunsPerAccount ?? DEFAULT_MAX_QUEUED_RUNS_PER_ACCOUNT;
  if (!Number.isInteger(maxQueuedRunsPerAccount) || maxQueuedRunsPerAccount < 1) {
    throw new Error(`maxQueuedRunsPerAccount must be a whole number of at least 1 (got ${maxQueuedRunsPerAccount})`);
  }

  const store = createJobStore({ database, registry, workerId, leaseMs, maxQueuedRunsPerAccount, now: options.now });
  const sink: EventSink = {
    maxQueuedRunsPerAccount,
    async ingest(events) {
      const { ids, runs } = await store.ingestEvents(events);
      if (runs) scheduler.wake();
      return ids;
    },
  };
  const scheduler = createScheduler({
    store,
    registry,
    executeRun: (run) => protocol.executeRun(run),
    pollMs: options.pollMs ?? 500,
    maxParallelRuns: options.maxParallelRuns ?? 4,
    leaseMs,
    cron: options.cron !== false,
    now: options.now ?? Date.now,
    drainOutbox: options.drainOutbox && (() => options.drainOutbox!(database)),
    log,
  });
  const protocol = createProtocol({
    client,
    functions: options.functions,
    registry,
    store,
    sink,
    control: scheduler,
    onRunsQueued: () => scheduler.wake(),
    maxOutputBytes: options.maxOutputBytes ?? 4 * 1024 * 1024,
    backoffMs: options.backoffMs ?? defaultBackoff,
    log,
  });

  // a previous process died holding runs: hand them back now if it is certainly gone, else once its lease
  // runs out (the claim takes those over too); their steps are persisted, the lost attempt counts
  markWorkerLive(workerId);
  const gone = (await store.leaseHolders()).filter(isWorkerGone);
  const recovered = await store.recoverLostRuns(gone);
  if (recovered) log(`resumed ${recovered} run(s) whose worker stopped`);
  registerSink(sink);
  scheduler.start();

  return {
    workerId,
    maxQueuedRunsPerAccount,
    async stop(opts) {
      if (scheduler.stopped) return;
      unregisterSink(sink);
      markWorkerGone(workerId);
      await scheduler.stop(opts);
    },
    drain: (timeoutMs) => scheduler.drain(timeoutMs),
    send: (events) => sink.ingest(Array.isArray(events) ? events : [events]),
  };
}
