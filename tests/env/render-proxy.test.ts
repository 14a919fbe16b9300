// The web server's front hands pages to the renderer over a Unix socket (lib/render-proxy.ts): what a browser
// gets through it must be what the renderer answered, streamed, every Set-Cookie line included.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEER_HEADER, stampPeerAddress } from '@/lib/client-address';
import { renderProxy, type RenderProxy } from '@/lib/render-proxy';

describe('the front before the page renderer', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facet-proxy-test-'));
  const socketPath = path.join(dir, 'render.sock');
  let renderer: http.Server;
  let front: http.Server;
  let proxy: RenderProxy;
  let base = '';
  const seen: { headers: http.IncomingHttpHeaders; body: string; url: string; method: string }[] = [];
  let aborted = 0;

  beforeAll(async () => {
    renderer = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        seen.push({ headers: req.headers, body, url: req.url!, method: req.method! });
        if (req.url === '/slow') {
          // writes a first chunk, then never finishes unless the client stays
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write('first');
          res.on('close', () => aborted++);
          return;
        }
        if (req.url === '/stream') {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write('one,');
          setTimeout(() => res.end('two'), 150);
          return;
        }
        res.setHeader('set-cookie', ['a=1; Path=/; HttpOnly', 'b=2; Path=/']);
        res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'application/json', connection: 'keep-alive' });
        res.end(JSON.stringify({ url: req.url, method: req.method, length: body.length }));
      });
    });
    await new Promise<void>((resolve) => renderer.listen(socketPath, resolve));
    proxy = renderProxy(socketPath, () => {});
    front = http.createServer((req, res) => {
      stampPeerAddress(req);
      proxy(req, res);
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    proxy.close();
    front.closeAllConnections();
    renderer.closeAllConnections();
    await new Promise((r) => front.close(r));
    await new Promise((r) => renderer.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('passes method, path, query, body and status, and every Set-Cookie line', async () => {
    const body = 'x'.repeat(200_000);
    const r = await fetch(`${base}/persona-sets/1?tab=flow`, { method: 'POST', body, headers: { 'content-type': 'text/plain', cookie: 'session=s' } });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ url: '/persona-sets/1?tab=flow', method: 'POST', length: 200_000 });
    expect(r.headers.getSetCookie()).toEqual(['a=1; Path=/; HttpOnly', 'b=2; Path=/']);
    const last = seen.at(-1)!;
    expect(last.headers.cookie).toBe('session=s');
    expect((await fetch(`${base}/missing`)).status).toBe(404);
  });

  it('forwards the peer address the front stamped, over whatever the client claimed', async () => {
    await fetch(`${base}/who`, { headers: { [PEER_HEADER]: '203.0.113.9' } });
    expect(seen.at(-1)!.headers[PEER_HEADER]).toBe('127.0.0.1');
  });

  it('streams an answer as the renderer writes it', async () => {
    const r = await fetch(`${base}/stream`);
    const reader = r.body!.getReader();
    const t0 = performance.now();
    const first = new TextDecoder().decode((await reader.read()).value);
    const firstMs = performance.now() - t0;
    let rest = '';
    for (let c = await reader.read(); !c.done; c = await reader.read()) rest += new TextDecoder().decode(c.value);
    expect(first + rest).toBe('one,two');
    // the first chunk came before the renderer finished (150 ms later)
    expect(first).toBe('one,');
    expect(firstMs).toBeLessThan(140);
  });

  it('ends the forwarded request when the client goes away', async () => {
    const before = aborted;
    await new Promise<void>((resolve) => {
      const req = http.get(`${base}/slow`, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
    });
    for (let i = 0; i < 50 && aborted === before; i++) await new Promise((r) => setTimeout(r, 20));
    expect(aborted).toBe(before + 1);
  });

  it('answers 502 with a sentence when the renderer is not there', async () => {
    const lonely = renderProxy(path.join(dir, 'nobody.sock'), () => {});
    const server = http.createServer((req, res) => lonely(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const r = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    expect(r.status).toBe(502);
    expect(await r.text()).toMatch(/page renderer/);
    lonely.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
});
