// The embedded runner's scheduler: a poll loop that claims due runs up to a parallel limit, woken at once
// by sends and finished runs; a heartbeat that keeps the leases of runs in flight; cron ticks once a minute.
import { cronMatches } from './cron';
import type { RunControl } from './protocol';
import type { RegisteredFunction } from './registry';
import { LeaseLost, type ClaimedRun, type JobStore } from './store';

export interface SchedulerOptions {
  store: JobStore;
  registry: Map<string, RegisteredFunction>;
  executeRun(run: ClaimedRun): Promise<void>;
  pollMs: number;
  maxParallelRuns: number;
  leaseMs: number;
  cron: boolean;
  now: () => number;
  /** sends what the transactional outbox holds; called from the loop, at most once per OUTBOX_EVERY_MS */
  drainOutbox?: () => Promise<unknown>;
  log(line: string): void;
}

export interface Scheduler extends RunControl {
  start(): void;
  /** Looks for due work now (or right after the poll in progress). */
  wake(): void;
  /** Stops polling; runs in flight go back to the queue unless `abandon` (a simulated crash). */
  stop(opts?: { abandon?: boolean }): Promise<void>;
  /** Resolves when no run is queued, running or sleeping; rejects after `timeoutMs`. */
  drain(timeoutMs?: number): Promise<void>;
}

/** A runner error handed back to the queue is retried after this long (the lease would expire later). */
const HAND_BACK_DELAY_MS = 5000;
/** The outbox holds only what a request failed to send: a look every second is plenty. */
const OUTBOX_EVERY_MS = 1000;

export function createScheduler(o: SchedulerOptions): Scheduler {
  const { store, log } = o;
  let stopped = false;
  let abandoned = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let ticking = false;
  let tickAgain = false;
  let lastCronMinute = 0;
  let lastOutboxDrain = 0;
  let draining: Promise<unknown> | undefined;
  const active = new Map<string, Promise<void>>();

  async function checkCrons() {
    const minute = Math.floor(o.now() / 60_000) * 60_000;
    if (minute === lastCronMinute) return;
    lastCronMinute = minute;
    const at = new Date(minute);
    for (const fn of o.registry.values()) {
      for (const schedule of fn.crons) {
        if (!cronMatches(schedule, at)) continue;
        // deterministic id: one run per function and minute, whichever process gets there first
        const r = await store.ingestEvent(
          { name: 'inngest/scheduled.timer', data: { cron: schedule.expression }, id: `cron-${fn.id}-${at.toISOString()}`, ts: minute },
          { onlyFunctionId: fn.id },
        );
        if (r.runs) wake();
      }
    }
  }

  /** Starts a drain unless one is under way: not awaited, as a refused send can take seconds (the SDK retries it). */
  function drainOutbox() {
    const now = Date.now();
    if (!o.drainOutbox || draining || now - lastOutboxDrain < OUTBOX_EVERY_MS) return;
    lastOutboxDrain = now;
    draining = o
      .drainOutbox()
      .catch((err) => {
        // the rows stay pending for the next look
        if (!stopped) log(`outbox drain failed: ${err instanceof Error ? err.message : String(err)}`);
      })
      .finally(() => {
        draining = undefined;
      });
  }

  function startRun(run: ClaimedRun) {
    const p = o
      .executeRun(run)
      .catch(async (err) => {
        if (err instanceof LeaseLost) return;
        log(`${run.functionId} run ${run.id}: runner error: ${err instanceof Error ? err.message : String(err)}`);
        // hand it back: the lease expiry would do it too, but later
        await store.releaseRuns([run.id], HAND_BACK_DELAY_MS).catch(() => {});
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
        if (o.cron) await checkCrons();
        await o.store.releaseDebouncedRuns(o.now());
        drainOutbox();
        while (!stopped && active.size < o.maxParallelRuns) {
          const run = await store.claimRun([...active.keys()]);
          if (!run || stopped) {
            if (run) await store.releaseRuns([run.id]);
            break;
          }
          startRun(run);
        }
      } while (tickAgain && !stopped);
    } catch (err) {
      if (!stopped) log(`poll failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      ticking = false;
      schedule(o.pollMs);
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

  return {
    get stopped() {
      return stopped;
    },
    get abandoned() {
      return abandoned;
    },
    start() {
      heartbeat = setInterval(() => {
        if (!active.size || stopped) return;
        void store.renewLeases([...active.keys()]).catch(() => {});
      }, Math.max(250, Math.floor(o.leaseMs / 3)));
      heartbeat.unref?.();
      schedule(0);
    },
    wake,
    async stop(opts = {}) {
      if (stopped) return;
      stopped = true;
      abandoned = Boolean(opts.abandon);
      if (timer) clearTimeout(timer);
      clearInterval(heartbeat);
      if (!abandoned && active.size) await store.releaseRuns([...active.keys()]).catch(() => {});
    },
    async drain(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        // a debounced run counts once its quiet period is over on the runner's clock
        await store.releaseDebouncedRuns(o.now());
        const pending = await store.countUnfinishedRuns();
        if (!pending && !active.size) return;
        if (Date.now() > deadline) throw new Error(`drain timed out: ${pending} runs pending, ${active.size} in flight`);
        await new Promise((r) => setTimeout(r, Math.min(o.pollMs, 100)));
      }
    },
  };
}
