import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { RunQueueFullError } from './errors';

/** An event as `inngest.send` posts it. */
export interface IncomingEvent {
  name: string;
  data?: Record<string, unknown>;
  id?: string;
  ts?: number;
  v?: string;
}

/** Whatever persists events and starts their runs: an embedded runner. */
export interface EventSink {
  ingest(events: IncomingEvent[]): Promise<string[]>;
  /** the most queued runs one account may have (beyond it `ingest` throws RunQueueFullError); undefined = no cap */
  readonly maxQueuedRunsPerAccount?: number;
}

const store = new AsyncLocalStorage<EventSink>();
const g = globalThis as unknown as { __facetEventSinks?: EventSink[] };
const sinks = (): EventSink[] => (g.__facetEventSinks ??= []);

/** Runs `fn` so that events it sends (step.sendEvent, inngest.send) reach `sink`. */
export function runWithSink<T>(sink: EventSink, fn: () => T): T {
  return store.run(sink, fn);
}

export function registerSink(sink: EventSink): void {
  sinks().push(sink);
}

export function unregisterSink(sink: EventSink): void {
  const list = sinks();
  const i = list.indexOf(sink);
  if (i >= 0) list.splice(i, 1);
}

const captured: IncomingEvent[] = [];

/** Under vitest with no runner started, sent events are kept here instead of starting the app's runner. */
export function takeCapturedEvents(): IncomingEvent[] {
  return captured.splice(0, captured.length);
}

const captureSink: EventSink = {
  async ingest(events) {
    captured.push(...events.map((e) => ({ ...e, id: e.id ?? crypto.randomUUID() })));
    return captured.slice(-events.length).map((e) => e.id!);
  },
};

async function resolveSink(): Promise<EventSink> {
  const inRun = store.getStore();
  if (inRun) return inRun;
  const list = sinks();
  if (list.length) return list[list.length - 1];
  // tests must not open the app's own database: they start a runner over theirs, or read what was sent
  if (process.env.VITEST) return captureSink;
  // A send before anything started the runner (a server action, a script): start it now.
  const { ensureEmbeddedRunner } = await import('./index');
  const runner = await ensureEmbeddedRunner();
  return { ingest: (events) => runner.send(events), maxQueuedRunsPerAccount: runner.maxQueuedRunsPerAccount };
}

/** The per-account cap of the runner that sends from here would reach (services check it before saving). */
export async function embeddedQueueLimit(): Promise<number | undefined> {
  return (await resolveSink()).maxQueuedRunsPerAccount;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/**
 * The Inngest client's `fetch` in embedded mode: event API posts (`/e/<key>`) go to the
 * embedded runner; any other Inngest API call is refused, as there is no server.
 */
export async function embeddedFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const url = new URL(input instanceof Request ? input.url : input.toString());
  const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
  if (method !== 'POST' || !url.pathname.startsWith('/e/')) {
    return json(501, { status: 501, error: `the embedded job runner does not serve ${method} ${url.pathname}` });
  }
  try {
    const raw = init?.body ?? (input instanceof Request ? await input.text() : undefined);
    const parsed = JSON.parse(typeof raw === 'string' ? raw : new TextDecoder().decode(raw as ArrayBuffer));
    const events = (Array.isArray(parsed) ? parsed : [parsed]) as IncomingEvent[];
    // The SDK retries a failed post with the same seed: ids derived from it keep the retry idempotent.
    const seed = new Headers(init?.headers).get('x-inngest-event-id-seed');
    if (seed) {
      events.forEach((e, i) => {
        if (!e.id) e.id = createHash('sha256').update(`${seed}:${i}`).digest('hex').slice(0, 26);
      });
    }
    const ids = await (await resolveSink()).ingest(events);
    return json(200, { ids, status: 200 });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // the SDK surfaces the message to the sender (asRunQueueFullError reads the cap back from it)
    const status = err instanceof RunQueueFullError ? 429 : 400;
    return json(status, { status, error: message });
  }
}
