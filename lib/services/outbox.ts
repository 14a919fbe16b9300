// The transactional outbox: a service writes the events its change calls for in the same transaction as the
// change, then delivers them after the commit through the job queue port (./enqueue). A crash between commit and
// send, or a failed send, leaves the row pending; drainOutbox (the job worker calls it on every tick) sends it.
import 'server-only';
import type { Database } from '@/db/client';
import { enqueue, queuedJobsLimit, type QueuedEvent } from './enqueue';
import { QueueFullError } from './errors';

export interface OutboxEvent extends QueuedEvent {
  /** required here: the id makes a resend of the same row start no second run */
  id: string;
  accountId?: string | null;
}

// the advisory lock space of queue reservations (two-int keys: apart from the runner's one-key claim locks)
const QUEUE_LOCK_SPACE = 7_341_001;

/**
 * Call first in the transaction of a change that queues `jobs` jobs for the account: throws QueueFullError when the
 * account's waiting jobs (queued runs and outbox events not yet sent) leave no room, so the change is refused before
 * anything is written. Holds a lock on the account's queue until the transaction ends, so that two saves at once
 * cannot both take the last place.
 */
export async function reserveQueueRoom(tx: Database, accountId: string, jobs = 1): Promise<void> {
  const limit = await queuedJobsLimit();
  if (limit === undefined) return;
  await tx.query('select pg_advisory_xact_lock($1, hashtext($2))', [QUEUE_LOCK_SPACE, accountId]);
  const { rows } = await tx.query<{ n: number }>(
    `select (select count(*) from job_runs where account_id = $1 and status = 'queued')::int
          + (select count(*) from event_outbox where account_id = $1 and sent_at is null)::int as n`,
    [accountId],
  );
  if ((rows[0]?.n ?? 0) + jobs > limit) throw new QueueFullError(limit);
}

/** Writes events to the outbox; call it inside the transaction of the change. An id already there is kept. */
export async function writeOutbox(tx: Database, events: OutboxEvent[]): Promise<void> {
  for (const e of events)
    await tx.query(
      `insert into event_outbox (id, name, data, account_id) values ($1, $2, $3::jsonb, $4) on conflict (id) do nothing`,
      [e.id, e.name, JSON.stringify(e.data), e.accountId ?? null],
    );
}

interface PendingRow {
  id: string;
  name: string;
  data: Record<string, unknown>;
}

async function deliverRows(database: Database, rows: PendingRow[]): Promise<{ sent: number; failed: number; lastError?: string }> {
  let sent = 0;
  let failed = 0;
  let lastError: string | undefined;
  for (const row of rows) {
    try {
      await enqueue({ name: row.name, data: row.data, id: row.id });
      await database.query('update event_outbox set sent_at = now(), attempts = attempts + 1, last_error = null where id = $1', [row.id]);
      sent++;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
      failed++;
      await database.query('update event_outbox set attempts = attempts + 1, last_error = $2 where id = $1', [row.id, lastError.slice(0, 500)]);
    }
  }
  return { sent, failed, lastError };
}

/**
 * Sends the given outbox rows right after their transaction committed. A failed send stays in the outbox for the
 * drain; it is logged here, and the answer says so, so a caller can tell the person it will start a little later.
 */
export async function deliverOutbox(database: Database, ids: string[]): Promise<{ sent: number; failed: number }> {
  const r = await database.query<PendingRow>('select id, name, data from event_outbox where id = any($1::text[]) and sent_at is null', [ids]);
  const result = await deliverRows(database, r.rows);
  if (result.failed) console.error(`[facet] ${result.failed} queued event(s) left in the outbox for the worker: ${result.lastError}`);
  return { sent: result.sent, failed: result.failed };
}

/**
 * Sends every pending outbox row, oldest first (rows younger than `minAgeMs` are left to the request that wrote
 * them). Safe to run from several processes at once: a row sent twice carries the same event id.
 */
export async function drainOutbox(
  database: Database,
  opts: { limit?: number; minAgeMs?: number } = {},
): Promise<{ sent: number; failed: number; pending: number }> {
  const limit = Math.max(1, Math.floor(opts.limit ?? 100));
  const r = await database.query<PendingRow>(
    `select id, name, data from event_outbox
     where sent_at is null and created_at < now() - make_interval(secs => $1::float8 / 1000)
     order by created_at limit ${limit}`,
    [opts.minAgeMs ?? 2000],
  );
  const result = await deliverRows(database, r.rows);
  return { sent: result.sent, failed: result.failed, pending: r.rows.length - result.sent };
}
