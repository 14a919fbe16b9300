// Runs once when the Next.js server starts: opens (and migrates) the database and, unless an Inngest
// server is configured, starts the embedded job runner so queued and interrupted runs resume.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { getDatabase, DatabaseConfigError } = await import('./db/client');
  try {
    await getDatabase();
  } catch (err) {
    if (err instanceof DatabaseConfigError) {
      console.error(`facet: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  const { usesInngestServer } = await import('./lib/env');
  if (!usesInngestServer) {
    const { ensureEmbeddedRunner } = await import('./inngest/runner');
    await ensureEmbeddedRunner();
    console.log('[facet] embedded job runner started');
  }
}
