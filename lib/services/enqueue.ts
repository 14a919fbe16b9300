// The job queue as services see it: a port, so that services never import inngest. inngest/client.ts registers
// the sender when it loads (lib/server-start.ts loads it in the web process; the worker loads it with the
// functions). wing-a (persona sets): this is the port for your sends too; please use it rather than a second one.
import 'server-only';

export interface QueuedEvent {
  /** `domain/past-tense`, one of the events inngest/client.ts declares (it validates name and data) */
  name: string;
  data: Record<string, unknown>;
  /** deduplicates: the same id sent again starts no new run */
  id?: string;
}

export type Enqueuer = (event: QueuedEvent) => Promise<void>;

// on globalThis: Next may load this module more than once in one process (route bundles, hot reloads)
const g = globalThis as unknown as { __facetEnqueuer?: Enqueuer; __facetQueueLimit?: QueueLimitReader };

/** The most queued jobs one account may have, as the queue that runs them enforces it; undefined = none known here. */
export type QueueLimitReader = () => Promise<number | undefined>;

/** Registers how to read the queue's per-account limit (inngest/client.ts, beside the sender). */
export function setQueueLimitReader(reader: QueueLimitReader | undefined): void {
  g.__facetQueueLimit = reader;
}

export async function queuedJobsLimit(): Promise<number | undefined> {
  return g.__facetQueueLimit?.();
}

/** Registers the function that sends events (undefined unregisters it; tests put their own in). */
export function setEnqueuer(enqueuer: Enqueuer | undefined): void {
  g.__facetEnqueuer = enqueuer;
}

/** Sends an event to the job queue; throws when it could not be sent, so the caller can compensate. */
export async function enqueue(event: QueuedEvent): Promise<void> {
  const send = g.__facetEnqueuer;
  if (!send) throw new Error('No job queue is registered: inngest/client.ts was not loaded in this process');
  await send(event);
}
