// The embedded job runner's runs, steps and events, and the event outbox.
import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { StoredEvent } from '../json';
import { createdAt, updatedAt } from './columns';

// Runs of Inngest functions executed by the embedded runner.
export const jobRuns = pgTable(
  'job_runs',
  {
    id: text('id').primaryKey(),
    functionId: text('function_id').notNull(),
    eventName: text('event_name').notNull(),
    event: jsonb('event').$type<StoredEvent>().notNull(),
    accountId: uuid('account_id'),
    // one entry per concurrency rule of the function: the run is claimed only while every key is under its limit
    concurrencyKeys: text('concurrency_keys').array().notNull().default(sql`'{}'::text[]`),
    concurrencyLimits: integer('concurrency_limits').array().notNull().default(sql`'{}'::integer[]`),
    status: text('status', { enum: ['queued', 'running', 'sleeping', 'completed', 'failed', 'cancelled', 'debounced'] })
      .notNull()
      .default('queued'),
    attempt: integer('attempt').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(4),
    nextStepId: text('next_step_id'),
    runAfter: timestamp('run_after', { withTimezone: true }).notNull().defaultNow(),
    output: jsonb('output'),
    error: text('error'),
    lockedBy: text('locked_by'),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    // the latest claim by a worker: claiming serves the accounts claimed least recently first
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    // a debounced function's pending run (status 'debounced'): one per key, due at debounce_until, never past the deadline
    debounceKey: text('debounce_key'),
    debounceUntil: timestamp('debounce_until', { withTimezone: true }),
    debounceDeadline: timestamp('debounce_deadline', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('job_runs_status_idx').on(t.status, t.runAfter),
    index('job_runs_created_idx').on(t.createdAt),
    index('job_runs_account_created_idx').on(t.accountId, t.createdAt),
    index('job_runs_account_claimed_idx').on(t.accountId, t.claimedAt),
    // the per-account cap counts queued runs
    index('job_runs_account_queued_idx').on(t.accountId).where(sql`${t.status} = 'queued'`),
    uniqueIndex('job_runs_debounce_pending_idx').on(t.debounceKey).where(sql`${t.status} = 'debounced'`),
  ],
);
export type JobRun = typeof jobRuns.$inferSelect;

export const jobSteps = pgTable(
  'job_steps',
  {
    runId: text('run_id')
      .notNull()
      .references(() => jobRuns.id, { onDelete: 'cascade' }),
    hashedId: text('hashed_id').notNull(),
    name: text('name').notNull(),
    op: text('op').notNull(),
    // completed and failed steps are memoized; errored awaits a retry; sleeping awaits wake_at
    status: text('status', { enum: ['completed', 'failed', 'errored', 'sleeping'] }).notNull(),
    data: jsonb('data'),
    error: jsonb('error'),
    attempts: integer('attempts').notNull().default(1),
    durationMs: integer('duration_ms'),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }).notNull().defaultNow(),
    wakeAt: timestamp('wake_at', { withTimezone: true }),
    // completion order, replayed to the SDK as ctx.stack
    seq: bigint('seq', { mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.hashedId] })],
);
export type JobStep = typeof jobSteps.$inferSelect;

// Received events, deduplicated by id (an event sent twice starts its functions once).
export const jobEvents = pgTable(
  'job_events',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    ts: timestamp('ts', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('job_events_name_idx').on(t.name, t.ts)],
);
export type JobEvent = typeof jobEvents.$inferSelect;

// Events written in the same transaction as the change that calls for them, then sent (the transactional
// outbox): a crash or a failed send between commit and send loses nothing, the worker's drain sends it later.
export const eventOutbox = pgTable(
  'event_outbox',
  {
    /** the event id: Inngest and the embedded runner start one run per id, so a resend is harmless */
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    accountId: uuid('account_id'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('event_outbox_pending_idx').on(t.createdAt).where(sql`${t.sentAt} is null`)],
);
export type EventOutboxRow = typeof eventOutbox.$inferSelect;
