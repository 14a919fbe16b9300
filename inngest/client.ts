import { eventType, Inngest, type Logger } from 'inngest';
import { z } from 'zod';
import { usesInngestServer } from '@/lib/env';
import { setEnqueuer, setQueueLimitReader } from '@/lib/services/enqueue';
import { embeddedFetch, embeddedQueueLimit } from './runner/dispatch';

/* ---------- events: `domain/past-tense`, data typed with zod ---------- */

const id = z.string().min(1);

export const eventSchemas = {
  'persona-set/requested': z.object({
    accountId: id,
    personaSetId: id,
    buildVersion: z.number().int().nonnegative(),
    requestedBy: z.string().optional(),
  }),
  'persona-set/built': z.object({ accountId: id, personaSetId: id, buildVersion: z.number().int().nonnegative() }),
  'persona-set/failed': z.object({
    accountId: id,
    personaSetId: id,
    buildVersion: z.number().int().nonnegative(),
    reason: z.string(),
  }),
  'persona-set/scoring-requested': z.object({
    accountId: id,
    personaSetId: id,
    scoringRunId: id,
    trigger: z.enum(['adhoc', 'scheduled', 'api', 'changes']),
  }),
  'persona-set/scoring-chunk-requested': z.object({
    accountId: id,
    personaSetId: id,
    scoringRunId: id,
    fromPersonId: z.number().int(),
    toPersonId: z.number().int(),
    /** a 'changes' run: only members written since then */
    changedSince: z.string().optional(),
  }),
  'persona-set/scored': z.object({ accountId: id, personaSetId: id, scoringRunId: id }),
  'cohort/recomputed': z.object({ accountId: id, cohortId: id }),
  'dataset/mapping-confirmed': z.object({ accountId: id, datasetId: id }),
  'cohort/recompute-requested': z.object({ accountId: id, cohortId: z.string().optional() }),
} as const;

export type EventName = keyof typeof eventSchemas;
export type EventData<N extends EventName> = z.infer<(typeof eventSchemas)[N]>;

/** Typed triggers and payload builders: `triggers: [personaSetRequested]`, `step.sendEvent('x', personaSetBuilt.create(data))`. */
export const personaSetRequested = eventType('persona-set/requested', { schema: eventSchemas['persona-set/requested'] });
export const personaSetBuilt = eventType('persona-set/built', { schema: eventSchemas['persona-set/built'] });
export const personaSetFailed = eventType('persona-set/failed', { schema: eventSchemas['persona-set/failed'] });
export const personaSetScoringRequested = eventType('persona-set/scoring-requested', {
  schema: eventSchemas['persona-set/scoring-requested'],
});
export const personaSetScoringChunkRequested = eventType('persona-set/scoring-chunk-requested', {
  schema: eventSchemas['persona-set/scoring-chunk-requested'],
});
export const cohortRecomputed = eventType('cohort/recomputed', { schema: eventSchemas['cohort/recomputed'] });
export const personaSetScored = eventType('persona-set/scored', { schema: eventSchemas['persona-set/scored'] });
export const datasetMappingConfirmed = eventType('dataset/mapping-confirmed', { schema: eventSchemas['dataset/mapping-confirmed'] });
export const cohortRecomputeRequested = eventType('cohort/recompute-requested', {
  schema: eventSchemas['cohort/recompute-requested'],
});

/* ---------- the client ---------- */

/** True when no Inngest server is configured: events and runs go to the in-process runner. */
export const isEmbeddedMode = !usesInngestServer;

// One line per message: the runner already reports each failure once.
const compactLogger: Logger = (() => {
  const line = (args: unknown[]) =>
    args
      .map((a) => {
        if (typeof a === 'string') return a;
        if (a instanceof Error) return a.message;
        if (a && typeof a === 'object' && 'err' in a) {
          const err = (a as { err: unknown }).err;
          return err instanceof Error ? err.message : String(err);
        }
        try {
          return JSON.stringify(a)?.slice(0, 300);
        } catch {
          return String(a);
        }
      })
      .join(' ');
  const quiet = (args: unknown[]) => args.some((a) => a === 'Inngest step error' || a === 'Inngest function error');
  return {
    info: (...args) => console.info(`[inngest] ${line(args)}`),
    warn: (...args) => console.warn(`[inngest] ${line(args)}`),
    error: (...args) => {
      if (!quiet(args)) console.error(`[inngest] ${line(args)}`);
    },
    debug: () => {},
  };
})();

export const inngest = new Inngest({
  id: 'facet',
  // Embedded: no signature checks (the runner calls the handler in-process) and the
  // client's event API calls are answered by the runner instead of the network.
  ...(isEmbeddedMode
    ? { isDev: true, fetch: embeddedFetch as typeof fetch, logger: compactLogger, internalLogger: compactLogger }
    : // with an Inngest server in production, requests are always signed (lib/env.ts refuses INNGEST_DEV there too)
      process.env.NODE_ENV === 'production'
      ? { isDev: false }
      : {}),
});

export class EventValidationError extends Error {}

/**
 * Validates `data` against the event's zod schema and sends it. `id` deduplicates:
 * the same id sent again starts no new run (Inngest keeps ids for 24 h; the embedded runner forever).
 */
export async function sendEvent<N extends EventName>(
  name: N,
  data: EventData<N>,
  opts: { id?: string } = {},
): Promise<{ ids: string[] }> {
  const parsed = eventSchemas[name].safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EventValidationError(`invalid ${name} event: ${issue.path.join('.') || 'data'}: ${issue.message}`);
  }
  return inngest.send({ name, data: parsed.data as Record<string, unknown>, ...(opts.id ? { id: opts.id } : {}) });
}

// services queue their work through this (lib/services/enqueue.ts); an unknown name is refused like bad data
setEnqueuer(async (event) => {
  if (!Object.hasOwn(eventSchemas, event.name)) throw new EventValidationError(`unknown event ${event.name}`);
  await sendEvent(event.name as EventName, event.data as EventData<EventName>, { id: event.id });
});
// the embedded runner caps each account's queued runs; an Inngest server applies limits of its own
setQueueLimitReader(async () => (isEmbeddedMode ? embeddedQueueLimit() : undefined));
