// Facet's job worker: the only process that runs the Inngest functions (the web server only enqueues).
//  - No Inngest server configured: the embedded runner claims the runs that any process persisted in the
//    database (job_runs), polling every 200 ms, and runs them here.
//  - INNGEST_EVENT_KEY / INNGEST_SIGNING_KEY set: serves the functions over HTTP (FACET_WORKER_PORT, default
//    PORT + 1, path /api/inngest) and registers itself with the Inngest server as the app `facet`.
// Either way it sends what is left in the event outbox every second (the embedded runner's loop does it). `npm run dev` / `npm start` run it as
// their [worker] process; `npm run worker` runs it alone (DATABASE_URL required). Run with
// `--conditions=react-server` so that the services' `server-only` marker resolves to its empty module.
import http from 'node:http';
import { getDatabaseOrExit, type Database } from '@/db/client';
import { inngest } from '@/inngest/client';
import { functions } from '@/inngest/functions';
import { ensureEmbeddedRunner, type EmbeddedRunner } from '@/inngest/runner';
import { usesInngestServer } from '@/lib/env';
import { drainOutbox } from '@/lib/services/outbox';
import { watchSupervisor } from '@/lib/supervised';

const log = (line: string) => console.log(line);
const OUTBOX_EVERY_MS = 1000;

/** How often the embedded runner looks for runs the web process queued. */
const WORKER_POLL_MS = 200;

function drainOutboxEvery(database: Database, ms: number): () => void {
  let busy = false;
  let lastError = '';
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    drainOutbox(database)
      .then((r) => {
        if (r.sent) log(`outbox: sent ${r.sent} event(s) left by a request`);
        lastError = '';
      })
      .catch((err) => {
        const message = err instanceof Error ? err.message : String(err);
        // once per distinct error: a database restart would otherwise print a line a second
        if (message !== lastError) console.error(`outbox drain failed: ${message}`);
        lastError = message;
      })
      .finally(() => {
        busy = false;
      });
  }, ms);
  return () => clearInterval(timer);
}

async function serveInngest(): Promise<http.Server> {
  const { serve } = await import('inngest/node');
  const port = Number(process.env.FACET_WORKER_PORT ?? Number(process.env.PORT ?? 3000) + 1);
  const servePath = '/api/inngest';
  // the URL the Inngest server calls; defaults to this host's loopback (a local `inngest start`)
  const origin = process.env.FACET_WORKER_URL ?? `http://127.0.0.1:${port}`;
  const handler = serve({ client: inngest, functions, servePath, serveOrigin: origin });
  const server = http.createServer((req, res) => {
    if (!req.url?.startsWith(servePath)) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `the worker serves ${servePath} only` }));
      return;
    }
    void handler(req, res);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '0.0.0.0', () => resolve()));
  log(`serving ${functions.length} functions for the Inngest server at ${origin}${servePath}`);
  // registers (syncs) this app with the Inngest server, as `curl -X PUT <url>` would
  const res = await fetch(`http://127.0.0.1:${port}${servePath}`, { method: 'PUT' }).catch((err: Error) => err);
  if (res instanceof Error || !res.ok) {
    const why = res instanceof Error ? res.message : `${res.status} ${await res.text()}`;
    console.error(`could not register with the Inngest server (${why}): register ${origin}${servePath} there by hand`);
  } else log('registered with the Inngest server');
  return server;
}

async function main() {
  const database = await getDatabaseOrExit();
  let runner: EmbeddedRunner | undefined;
  let server: http.Server | undefined;
  if (usesInngestServer) server = await serveInngest();
  else {
    runner = await ensureEmbeddedRunner({ database, pollMs: WORKER_POLL_MS });
    log(`job runner started: ${functions.length} functions, runs queued by any process`);
  }
  // the embedded runner drains the outbox from its loop; with an Inngest server, this process does
  const stopDrain = runner ? () => {} : drainOutboxEvery(database, OUTBOX_EVERY_MS);

  // the runner's timers do not keep a process alive (it is embedded elsewhere too): this process is for them
  const keepAlive = setInterval(() => {}, 60_000);
  let stopping = false;
  const stop = async (why: string, code: number) => {
    if (stopping) return;
    stopping = true;
    log(`stopping (${why})`);
    stopDrain();
    clearInterval(keepAlive);
    server?.close();
    // runs in flight go back to the queue with their finished steps kept: the next worker resumes them
    await runner?.stop().catch(() => {});
    await database.close().catch(() => {});
    process.exit(code);
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => void stop(sig, 0));
  watchSupervisor(() => void stop('the process that started it is gone', 1));
}

main().catch((err) => {
  console.error(`facet worker: ${err instanceof Error ? err.stack || err.message : String(err)}`);
  process.exit(1);
});
