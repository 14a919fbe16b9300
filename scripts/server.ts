// Facet's production server: Next.js serves every page and route, except the real-time assignment endpoint,
// which is called here directly with the same route handler (same auth, limits, validation and service) so that
// it does not pay for Next's per-request pipeline. Built by scripts/build-server.mjs into .next/facet-server.mjs.
import http from 'node:http';
import path from 'node:path';
import next from 'next';
import { POST as assignContact } from '@/app/api/v1/persona-sets/[id]/assignments/route';

const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOSTNAME ?? '0.0.0.0';
const ASSIGN = /^\/api\/v1\/persona-sets\/([0-9a-fA-F-]{36})\/assignments\/?(?:\?.*)?$/;
const MAX_BODY = 64 * 1024;

async function readBody(req: http.IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) return null;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

async function fastAssign(req: http.IncomingMessage, res: http.ServerResponse, id: string) {
  const body = await readBody(req);
  if (body === null) {
    res.writeHead(413, { 'content-type': 'application/json' }).end(
      JSON.stringify({ error: { code: 'payload_too_large', message: 'The body is larger than 64 KB' } }),
    );
    return;
  }
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
  const request = new Request(`http://${req.headers.host ?? 'localhost'}${req.url}`, { method: 'POST', headers, body: new Uint8Array(body) });
  const response = await assignContact(request, { params: Promise.resolve({ id }) });
  const out: Record<string, string> = {};
  response.headers.forEach((v, k) => (out[k] = v));
  // the answer is one small JSON document: read it whole rather than piping a web stream
  const text = await response.text();
  out['content-length'] = String(Buffer.byteLength(text));
  res.writeHead(response.status, out);
  res.end(text);
}

async function main() {
  const app = next({ dev: false, dir: path.resolve(import.meta.dirname, '..'), hostname, port });
  const handle = app.getRequestHandler();
  await app.prepare();
  http
    .createServer((req, res) => {
      const m = req.method === 'POST' && req.url ? ASSIGN.exec(req.url) : null;
      if (m) {
        fastAssign(req, res, m[1]).catch((err) => {
          console.error('[facet] assignment failed:', err);
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'internal', message: 'Something went wrong' } }));
        });
        return;
      }
      handle(req, res);
    })
    .listen(port, hostname, () => console.log(`▲ Facet ready on http://${hostname === '0.0.0.0' ? 'localhost' : hostname}:${port}`));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
