import { startEmbeddedRunner, type EmbeddedRunner, type EmbeddedRunnerOptions } from './runner';

export { startEmbeddedRunner, type EmbeddedRunner, type EmbeddedRunnerOptions } from './runner';
export { sleepUntil } from './protocol';
export { cronMatches, parseCron, CronParseError } from './cron';
export { takeCapturedEvents, type IncomingEvent } from './dispatch';
export { RunQueueFullError, asRunQueueFullError } from './errors';

const g = globalThis as unknown as { __facetEmbeddedRunner?: Promise<EmbeddedRunner> };

/**
 * The process-wide embedded runner over the app's functions and database, started at most once
 * (kept across hot reloads). Next's instrumentation calls it when no Inngest server is configured.
 */
export function ensureEmbeddedRunner(options: Partial<EmbeddedRunnerOptions> = {}): Promise<EmbeddedRunner> {
  if (!g.__facetEmbeddedRunner) {
    g.__facetEmbeddedRunner = (async () => {
      const { functions } = await import('../functions');
      const { drainOutbox } = await import('@/lib/services/outbox');
      const cap = process.env.FACET_MAX_QUEUED_RUNS_PER_ACCOUNT;
      return startEmbeddedRunner({
        functions,
        pollMs: 1000,
        drainOutbox: (database) => drainOutbox(database),
        ...(cap ? { maxQueuedRunsPerAccount: Number(cap) } : {}),
        ...options,
      });
    })().catch((err) => {
      g.__facetEmbeddedRunner = undefined;
      throw err;
    });
  }
  return g.__facetEmbeddedRunner;
}

/** Stops the process-wide runner (tests, scripts that exit). */
export async function stopEmbeddedRunner(): Promise<void> {
  const runner = g.__facetEmbeddedRunner;
  g.__facetEmbeddedRunner = undefined;
  if (runner) await (await runner).stop();
}
