// Node-only start-up of the Next.js server (see instrumentation.ts): opens and migrates the database, and
// starts the embedded job runner unless an Inngest server is configured.
import { DatabaseConfigError, getDatabase } from '@/db/client';
// registers the job queue the services enqueue to (lib/services/enqueue.ts), whichever runner runs the jobs
import '@/inngest/client';
import { ensureEmbeddedRunner } from '@/inngest/runner';
import { usesInngestServer } from '@/lib/env';

export async function startServer(): Promise<void> {
  try {
    await getDatabase();
  } catch (err) {
    if (err instanceof DatabaseConfigError) {
      console.error(`facet: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  if (!usesInngestServer) {
    await ensureEmbeddedRunner();
    console.log('[facet] embedded job runner started');
  }
}
