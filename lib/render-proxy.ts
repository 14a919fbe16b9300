// The web server's front: Facet's production server answers real-time assignment itself and hands every other
// request to the page renderer (Next.js in a child process of its own) over a private Unix socket, so that a
// page being rendered never holds up an assignment (a render takes tens of milliseconds of one event loop).
// Bodies and answers stream through unbuffered, headers pass as received (several Set-Cookie lines included).
import http from 'node:http';

/** Hop-by-hop headers: they describe one connection, not the request, and are not passed on. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

function passedHeaders(raw: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (!HOP_BY_HOP.has(raw[i].toLowerCase())) out.push(raw[i], raw[i + 1]);
  return out;
}

export interface RenderProxy {
  (req: http.IncomingMessage, res: http.ServerResponse): void;
  close(): void;
}

/**
 * Forwards requests to the server listening on `socketPath`. The request's headers go as they are now (the front
 * has stamped the peer address on them, lib/client-address.ts); a renderer that cannot be reached answers 502.
 */
export function renderProxy(socketPath: string, log: (line: string) => void = (l) => console.error(l)): RenderProxy {
  // idle sockets are dropped by this side first (30 s, the renderer keeps them 120 s): a request is never sent on
  // a socket the renderer is closing at that moment
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64, timeout: 30_000 });
  const forward = ((req: http.IncomingMessage, res: http.ServerResponse) => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    let clientGone = false;
    // a client that goes away mid-answer (or mid-upload, or a prefetch the browser cancels) ends the forwarded request too
    res.on('close', () => {
      if (!res.writableFinished) {
        clientGone = true;
        current.destroy();
      }
    });
    const bodyless = (req.method === 'GET' || req.method === 'HEAD') && !req.headers['content-length'] && !req.headers['transfer-encoding'];
    const send = (retry: boolean): http.ClientRequest => {
      const upstream = http.request({ socketPath, agent, method: req.method, path: req.url, headers });
      upstream.on('response', (answer) => {
        if (res.destroyed) {
          answer.destroy();
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, passedHeaders(answer.rawHeaders));
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      });
      upstream.on('error', (err: NodeJS.ErrnoException) => {
        if (clientGone) return;
        // a kept-alive socket the renderer closed just then: a request without a body is sent once more
        if (retry && upstream.reusedSocket && err.code === 'ECONNRESET' && !res.headersSent) {
          current = send(false);
          return;
        }
        if (res.headersSent) {
          res.destroy();
          return;
        }
        log(`[facet] the page renderer did not answer ${req.method} ${req.url}: ${err.message}`);
        res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
        res.end('Facet is restarting its page renderer: try again in a moment.\n');
      });
      if (bodyless) upstream.end();
      else req.pipe(upstream);
      return upstream;
    };
    let current = send(bodyless);
  }) as RenderProxy;
  forward.close = () => agent.destroy();
  return forward;
}
