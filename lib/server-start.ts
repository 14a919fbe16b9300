// Node-only start-up of the Next.js server (see instrumentation.ts): opens the database and, with no Inngest
// server configured, opens the job queue for sending only. The web server never runs jobs: events it sends
// are persisted with their runs in the database, and the job worker (scripts/worker.ts) claims and runs them.
import { getDatabaseOrExit } from '@/db/client';
// registers the job queue the services enqueue to (lib/services/enqueue.ts), whichever runner runs the jobs
import '@/inngest/client';
import { ensureEmbeddedRunner } from '@/inngest/runner';
import { usesInngestServer } from '@/lib/env';
import { watchSupervisor } from '@/lib/supervised';

export async function startServer(): Promise<void> {
  await getDatabaseOrExit();
  if (!usesInngestServer) {
    // no parallel runs, no cron, no outbox drain: this runner only persists what the web process sends (the
    // worker claims and runs it, and drains the outbox)
    await ensureEmbeddedRunner({ maxParallelRuns: 0, cron: false, drainOutbox: undefined, pollMs: 60_000 });
    console.log('[facet] job queue open: jobs run in the worker process');
  }
  watchSupervisor(() => {
    console.error('[facet] the process that started this server is gone: exiting');
    process.exit(1);
  });
}
