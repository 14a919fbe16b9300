import 'server-only';
import type { JobRun } from '@/db/schema';
import { notFound } from './errors';
import type { Tenant } from './tenant';

export type JobRunStatus = JobRun['status'];

export interface JobRunListItem {
  id: string;
  functionId: string;
  eventName: string;
  status: JobRunStatus;
  attempt: number;
  maxAttempts: number;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  durationMs: number | null;
}

export interface JobStepView {
  name: string;
  op: string;
  status: 'completed' | 'failed' | 'errored' | 'sleeping';
  attempts: number;
  durationMs: number | null;
  error: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  wakeAt: Date | null;
}

export interface JobRunDetail extends JobRunListItem {
  event: Record<string, unknown>;
  output: unknown;
  steps: JobStepView[];
}

const RUN_COLUMNS = `id, function_id, event_name, status, attempt, max_attempts, error, created_at, started_at, finished_at`;

interface RunRow {
  id: string;
  function_id: string;
  event_name: string;
  status: JobRunStatus;
  attempt: number;
  max_attempts: number;
  error: string | null;
  created_at: Date | string;
  started_at: Date | string | null;
  finished_at: Date | string | null;
}

const toDate = (v: Date | string | null): Date | null => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(v));

function toListItem(r: RunRow): JobRunListItem {
  const startedAt = toDate(r.started_at);
  const finishedAt = toDate(r.finished_at);
  return {
    id: r.id,
    // `<appId>-<fnId>` -> the function's own id
    functionId: r.function_id.replace(/^facet-/, ''),
    eventName: r.event_name,
    status: r.status,
    attempt: r.attempt,
    maxAttempts: r.max_attempts,
    error: r.error,
    createdAt: toDate(r.created_at)!,
    startedAt,
    finishedAt,
    durationMs: startedAt && finishedAt ? finishedAt.getTime() - startedAt.getTime() : null,
  };
}

/**
 * The account's job runs, newest first. Runs of no account (the cron ticks, which fan out to every account and
 * name other accounts' sets in their steps) are shown to no account: the runs they start carry their account.
 */
export async function listJobRuns(
  { db: database, accountId }: Tenant,
  { limit = 50, status }: { limit?: number; status?: JobRunStatus | JobRunStatus[] } = {},
): Promise<JobRunListItem[]> {
  const statuses = status === undefined ? null : Array.isArray(status) ? status : [status];
  const { rows } = await database.query<RunRow>(
    `select ${RUN_COLUMNS} from job_runs
     where account_id = $1::uuid
       and ($2::text[] is null or status = any($2::text[]))
     order by created_at desc, id
     limit $3`,
    [accountId, statuses, Math.min(Math.max(1, Math.floor(limit)), 500)],
  );
  return rows.map(toListItem);
}

function stepError(error: unknown): string | null {
  if (error === null || error === undefined) return null;
  if (typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message;
  }
  return typeof error === 'string' ? error : JSON.stringify(error);
}

/** One run of the account with its steps in completion order. */
export async function getJobRun({ db: database, accountId }: Tenant, runId: string): Promise<JobRunDetail> {
  const { rows } = await database.query<RunRow & { event: Record<string, unknown>; output: unknown }>(
    `select ${RUN_COLUMNS}, event, output from job_runs where id = $1 and account_id = $2::uuid`,
    [runId, accountId],
  );
  const run = rows[0];
  if (!run) throw notFound('Job run');
  const { rows: steps } = await database.query<{
    name: string;
    op: string;
    status: JobStepView['status'];
    attempts: number;
    duration_ms: number | null;
    error: unknown;
    started_at: Date | string | null;
    finished_at: Date | string | null;
    wake_at: Date | string | null;
  }>(
    `select name, op, status, attempts, duration_ms, error, started_at, finished_at, wake_at
     from job_steps where run_id = $1 order by seq`,
    [runId],
  );
  return {
    ...toListItem(run),
    event: run.event,
    output: run.output,
    steps: steps.map((s) => ({
      name: s.name,
      op: s.op,
      status: s.status,
      attempts: s.attempts,
      durationMs: s.duration_ms,
      error: stepError(s.error),
      startedAt: toDate(s.started_at),
      finishedAt: s.status === 'sleeping' ? null : toDate(s.finished_at),
      wakeAt: toDate(s.wake_at),
    })),
  };
}
