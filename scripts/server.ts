// Facet's production server: Next.js serves every page and route, except the real-time assignment endpoint,
// which is answered here from Node's request and response by the function its route handler also calls (same
// auth, limits, validation and service), so that it pays neither for Next's per-request pipeline nor for Web
// Request/Response objects. Built by scripts/build-server.mjs into .next/facet-server.mjs.
//
// Two processes make the web server: this one, the front, listens on PORT, answers real-time assignment and
// hands every other request to the page renderer, Next.js in a child process of this file (FACET_WEB_ROLE=
// renderer) listening on a private Unix socket. A page render holds its event loop for tens of milliseconds;
// an assignment waiting behind it would too. FACET_WEB_SPLIT=0 runs Next.js in this process instead.
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import next from 'next';
import { withAssignmentFastPath } from '@/lib/api/realtime-assignment';
import { markPeerStamped, stampPeerAddress } from '@/lib/client-address';
import { renderProxy } from '@/lib/render-proxy';

const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOSTNAME ?? '0.0.0.0';
const dir = path.resolve(import.meta.dirname, '..');
const say = (line: string) => console.log(line);

async function nextHandler() {
  const app = next({ dev: false, dir, hostname, port });
  const handle = app.getRequestHandler();
  await app.prepare();
  return handle;
}

function listen(server: http.Server) {
  server.listen(port, hostname, () => say(`▲ Facet ready on http://${hostname === '0.0.0.0' ? 'localhost' : hostname}:${port}`));
}

/** One process: Next.js and the real-time path share its event loop. */
async function single() {
  const answer = withAssignmentFastPath(await nextHandler());
  // every request carries its socket's address, for the limits keyed on it (lib/client-address.ts)
  listen(
    http.createServer((req, res) => {
      stampPeerAddress(req);
      return answer(req, res);
    }),
  );
}

/** The page renderer: Next.js on the Unix socket its front named; it believes the peer address the front stamped. */
async function renderer() {
  const socketPath = process.env.FACET_RENDER_SOCKET!;
  const handle = await nextHandler();
  markPeerStamped();
  // the front is this process's reason to be: without it, nobody reaches the socket
  process.on('disconnect', () => process.exit(0));
  const server = http.createServer((req, res) => void handle(req, res));
  server.keepAliveTimeout = 120_000; // longer than the front's idle sockets live (lib/render-proxy.ts)
  server.listen(socketPath, () => process.send?.({ ready: true }));
}

/** The front: starts the renderer, then listens on PORT once it is ready. */
async function front() {
  const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'facet-web-'));
  const socketPath = path.join(socketDir, 'render.sock');
  const removeSocketDir = () => fs.rmSync(socketDir, { recursive: true, force: true });
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, FACET_WEB_ROLE: 'renderer', FACET_RENDER_SOCKET: socketPath },
    stdio: 'inherit',
  });
  let stopping = false;
  child.once('exit', (code, signal) => {
    removeSocketDir();
    // stopped with its front (npm start signals the whole process group)
    if (stopping || signal === 'SIGTERM' || signal === 'SIGINT') process.exit(0);
    console.error(`[facet] the page renderer stopped (${signal ?? `exit code ${code}`}): the web server stops too`);
    process.exit(1);
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      stopping = true;
      child.kill(signal);
      setTimeout(() => process.exit(0), 10_000).unref();
    });
  }
  await new Promise<void>((resolve) => child.on('message', (m: { ready?: boolean }) => m?.ready && resolve()));

  // the front opens the database and the job queue itself: Next's instrumentation runs in the renderer only
  const { startServer } = await import('@/lib/server-start');
  await startServer();
  const answer = withAssignmentFastPath(renderProxy(socketPath));
  const server = http.createServer((req, res) => {
    stampPeerAddress(req);
    return answer(req, res);
  });
  listen(server);
}

const role = process.env.FACET_WEB_ROLE === 'renderer' ? renderer : process.env.FACET_WEB_SPLIT === '0' ? single : front;
role().catch((err) => {
  console.error(err);
  process.exit(1);
});
