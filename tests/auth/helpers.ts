// A Node server in front of the auth route handler, as Facet's production server stands in front of Next: it stamps
// each request with its socket's address, so tests can send from 127.0.0.1, 127.0.0.2, ... for real.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { stampPeerAddress } from '@/lib/client-address';
import { env } from '@/lib/env';

type Handler = (req: Request) => Promise<Response>;

export interface AuthServer {
  /** POSTs JSON to /api/auth/<path> from `from` (a loopback address) */
  post(path: string, body: unknown, opts?: { from?: string; headers?: Record<string, string> }): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function startAuthServer(handler: Handler): Promise<AuthServer> {
  const server = http.createServer((req, res) => {
    stampPeerAddress(req);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      try {
        const headers = new Headers();
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
        const body = Buffer.concat(chunks);
        const answer = await handler(new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers, body: body.length ? body : undefined }));
        const out: Record<string, string | string[]> = Object.fromEntries(answer.headers.entries());
        const cookies = answer.headers.getSetCookie();
        if (cookies.length) out['set-cookie'] = cookies;
        res.writeHead(answer.status, out);
        res.end(Buffer.from(await answer.arrayBuffer()));
      } catch (err) {
        res.writeHead(599).end(String(err));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  // one request through the server, as in production before any form is sent: from then on the process believes
  // the peer header (a server action's headers carry the one Facet's server wrote)
  await new Promise<void>((resolve, reject) =>
    http.get({ host: '127.0.0.1', port, path: '/api/auth/ok' }, (res) => res.resume().on('end', resolve)).on('error', reject),
  );
  return {
    post: (path, body, opts = {}) =>
      new Promise((resolve, reject) => {
        const data = JSON.stringify(body);
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            localAddress: opts.from ?? '127.0.0.1',
            method: 'POST',
            path: `/api/auth/${path}`,
            headers: { 'content-type': 'application/json', origin: env.APP_URL, 'content-length': Buffer.byteLength(data), ...opts.headers },
          },
          (res) => {
            let text = '';
            res.on('data', (c) => (text += c));
            res.on('end', () => {
              let parsed: Record<string, unknown> = {};
              try {
                parsed = text ? JSON.parse(text) : {};
              } catch {
                parsed = { raw: text };
              }
              resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
            });
          },
        );
        req.on('error', reject);
        req.end(data);
      }),
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** A form as the sign-in and sign-up pages send it. */
export function formOf(fields: Record<string, string>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
}

/** The path a server action redirected to (Next throws the redirect), or null when it answered instead. */
export async function redirectOf(run: Promise<unknown>): Promise<{ redirect: string | null; answer: unknown }> {
  try {
    return { redirect: null, answer: await run };
  } catch (err) {
    const digest = (err as { digest?: string }).digest;
    if (typeof digest === 'string' && digest.startsWith('NEXT_REDIRECT')) return { redirect: digest.split(';')[2], answer: undefined };
    throw err;
  }
}

/** The Cookie header a browser would send after these Set-Cookie headers. */
export function cookieOf(setCookie: string | string[] | undefined): string {
  const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  return list.map((c) => c.split(';')[0]).join('; ');
}

export interface SentMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
}

/** A stand-in for Resend's API (RESEND_BASE_URL points the client at it): it records each message it is sent. */
export async function startMailServer(): Promise<{ url: string; sent: SentMail[]; close(): Promise<void> }> {
  const sent: SentMail[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const m = JSON.parse(body || '{}');
      sent.push({ to: [m.to].flat(), subject: m.subject, text: m.text, html: m.html });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `mail-${sent.length}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sent,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
