import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { setDatabase } from '@/db/client';
import { testDatabases } from '../helpers/db';
import { withAssignmentFastPath } from '@/lib/api/realtime-assignment';
import { API_CSP, HSTS, newNonce, pageCsp, securityHeaders, servedOverHttps } from '@/lib/security-headers';
import { config as proxyConfig, proxy } from '@/proxy';
import { NextRequest } from 'next/server';

const directives = (csp: string) => new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...v]) => [name, v]));

describe('security headers', () => {
  it('gives a page a nonce-only script policy, no framing and no plugin content', () => {
    const nonce = newNonce();
    const d = directives(pageCsp({ nonce, https: false }));
    expect(d.get('script-src')).toEqual(["'self'", `'nonce-${nonce}'`, "'strict-dynamic'"]);
    expect(d.get('script-src')).not.toContain("'unsafe-inline'");
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
    expect(d.get('object-src')).toEqual(["'none'"]);
    expect(d.get('base-uri')).toEqual(["'self'"]);
    expect(d.get('form-action')).toEqual(["'self'"]);
    // inline style attributes (charts, Radix) need it; no nonce beside it, which would switch it off
    expect(d.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(d.has('upgrade-insecure-requests')).toBe(false);
    // eval only for next dev
    expect(directives(pageCsp({ nonce, https: false, dev: true })).get('script-src')).toContain("'unsafe-eval'");
    expect(directives(pageCsp({ nonce, https: true })).has('upgrade-insecure-requests')).toBe(true);
  });

  it('makes nonces of 128 random bits, never twice the same', () => {
    const seen = new Set(Array.from({ length: 1000 }, newNonce));
    expect(seen.size).toBe(1000);
    for (const n of seen) expect(Buffer.from(n, 'base64')).toHaveLength(16);
  });

  it('sends HSTS over https only, and the rest always', () => {
    const plain = securityHeaders({ kind: 'api', https: false });
    expect(plain).toEqual({
      'Content-Security-Policy': API_CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'strict-origin-when-cross-origin',
      'X-Frame-Options': 'DENY',
    });
    expect(securityHeaders({ kind: 'api', https: true })['Strict-Transport-Security']).toBe(HSTS);
    expect(() => securityHeaders({ kind: 'page', https: false })).toThrow(/nonce/);
  });

  it('takes https from APP_URL, or from X-Forwarded-Proto only behind a trusted proxy', () => {
    expect(servedOverHttps({ appUrl: 'https://facet.example', forwardedProto: null, trustProxy: false })).toBe(true);
    expect(servedOverHttps({ appUrl: 'http://127.0.0.1:3000', forwardedProto: 'https', trustProxy: false })).toBe(false);
    expect(servedOverHttps({ appUrl: 'http://127.0.0.1:3000', forwardedProto: 'https', trustProxy: true })).toBe(true);
    expect(servedOverHttps({ appUrl: 'http://127.0.0.1:3000', forwardedProto: 'https, http', trustProxy: true })).toBe(true);
    expect(servedOverHttps({ appUrl: 'http://127.0.0.1:3000', forwardedProto: 'http, https', trustProxy: true })).toBe(false);
    expect(servedOverHttps({ appUrl: 'http://127.0.0.1:3000', forwardedProto: undefined, trustProxy: true })).toBe(false);
  });

  it('proxy.ts: a page answer carries the CSP with a nonce the request carries too; an API answer the API policy', () => {
    const page = proxy(new NextRequest('http://127.0.0.1:3000/persona-sets'));
    const csp = page.headers.get('content-security-policy')!;
    const nonce = /'nonce-([^']+)'/.exec(csp)![1];
    // NextResponse.next passes the overridden request headers to Next as x-middleware-request-*
    expect(page.headers.get('x-middleware-request-x-nonce')).toBe(nonce);
    expect(page.headers.get('x-middleware-request-content-security-policy')).toBe(csp);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('strict-transport-security')).toBeNull();
    const second = proxy(new NextRequest('http://127.0.0.1:3000/persona-sets')).headers.get('content-security-policy');
    expect(second).not.toBe(csp);

    const api = proxy(new NextRequest('http://127.0.0.1:3000/api/v1/persona-sets'));
    expect(api.headers.get('content-security-policy')).toBe(API_CSP);
    expect(api.headers.get('x-content-type-options')).toBe('nosniff');
    expect(api.headers.get('x-middleware-request-x-nonce')).toBeNull();
  });

  it("proxy.ts's matcher covers pages, and API requests without a body; not the build's static files", () => {
    const [pages, api] = proxyConfig.matcher;
    const re = new RegExp(`^${pages}$`);
    for (const p of ['/', '/sign-in', '/persona-sets/abc', '/apiary']) expect(re.test(p), p).toBe(true);
    for (const p of ['/_next/static/chunks/app.js', '/_next/image', '/favicon.svg', '/api/v1/persona-sets', '/api/auth/sign-in/email']) expect(re.test(p), p).toBe(false);
    // a request with a body skips the proxy (Next would read it all first); its route sets the headers itself
    expect(api).toEqual({ source: '/api/:path*', missing: [{ type: 'header', key: 'content-length' }, { type: 'header', key: 'transfer-encoding' }] });
  });

  it("the production server's assignment fast path answers with the API headers", async () => {
    const [target] = testDatabases();
    const database = await target.open();
    setDatabase(database);
    const server = http.createServer(withAssignmentFastPath((_req, res) => res.writeHead(418).end()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/persona-sets/00000000-0000-4000-8000-000000000000/assignments`, {
        method: 'POST',
        body: '{}',
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-security-policy')).toBe(API_CSP);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    } finally {
      server.close();
      setDatabase(undefined);
      await target.dispose(database);
    }
  });
});
