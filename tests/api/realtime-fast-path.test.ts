// Facet's server answers real-time assignments from Node's request and response (lib/api/realtime-assignment.ts):
// over real HTTP, every answer of that fast path must be the route handler's, byte for byte, status and headers.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiRateLimiter } from '@/lib/api/rate-limit';
import { withAssignmentFastPath } from '@/lib/api/realtime-assignment';
import { createApiKey, revokeApiKey } from '@/lib/services/api-keys';
import { testDatabases } from '../helpers/db';
import { callApi, checkAgainstDocument } from './helpers';
import { useTwoAccounts } from './fixture';
import { tenantOf } from '@/lib/services/tenant';

vi.mock('server-only', () => ({}));

/** the headers that the two servers must answer alike (not date, connection or framing) */
const COMPARED = ['content-type', 'cache-control', 'www-authenticate', 'retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining'];
const pick = (headers: Headers) => Object.fromEntries(COMPARED.map((h) => [h, headers.get(h)]));

describe.each(testDatabases())('real-time assignment through Facet server on $name', (target) => {
  const ctx = useTwoAccounts(target);
  let server: http.Server;
  let base: string;
  let fallbacks = 0;

  beforeAll(async () => {
    server = http.createServer(
      withAssignmentFastPath((_req, res) => {
        fallbacks++;
        res.writeHead(599).end();
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => apiRateLimiter().reset());

  /** The same request through the fast path and through the route handler: both answers, checked to be equal. */
  async function both(setId: string, opts: { authorization?: string | null; body: string }) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (opts.authorization) headers.authorization = opts.authorization;
    apiRateLimiter().reset();
    const res = await fetch(`${base}/api/v1/persona-sets/${setId}/assignments`, { method: 'POST', headers, body: opts.body });
    const fast = { status: res.status, text: await res.text(), headers: pick(res.headers) };
    expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(fast.text));
    checkAgainstDocument('/persona-sets/{id}/assignments', 'POST', fast.status, JSON.parse(fast.text));
    apiRateLimiter().reset();
    const route = await callRoute(setId, headers, opts.body);
    expect(fast).toEqual(route);
    return { status: fast.status, json: JSON.parse(fast.text) as { error?: { code: string }; persona?: { id: string } }, headers: fast.headers };
  }

  async function callRoute(setId: string, headers: Record<string, string>, body: string) {
    const mod = await import('@/app/api/v1/persona-sets/[id]/assignments/route');
    const res = await mod.POST(new Request(`http://localhost/api/v1/persona-sets/${setId}/assignments`, { method: 'POST', headers, body }), {
      params: Promise.resolve({ id: setId }),
    });
    return { status: res.status, text: await res.text(), headers: pick(res.headers) };
  }

  const bearer = () => `Bearer ${ctx.fx.b.key}`;

  it('assigns by raw traits exactly as the route does, with the rate-limit headers', async () => {
    const r = await both(ctx.fx.b.setId, { authorization: bearer(), body: JSON.stringify({ traits: { age: 40, income: 60000, homeowner: true } }) });
    expect(r.status).toBe(200);
    expect(ctx.fx.b.personaIds).toContain(r.json.persona!.id);
    expect(r.headers['x-ratelimit-remaining']).not.toBeNull();
    // a BOM before the JSON is read as Request.json() reads it
    const bom = await both(ctx.fx.b.setId, { authorization: bearer(), body: '\uFEFF' + JSON.stringify({ traits: { age: 40 } }) });
    expect(bom.status).toBe(200);
  });

  it('answers the same 401 for missing, malformed, unknown and revoked keys, and a revoke takes effect at once', async () => {
    const { key, apiKey } = await createApiKey(tenantOf(ctx.database, ctx.fx.b.accountId), { name: 'fast path' });
    const body = JSON.stringify({ traits: { age: 30 } });
    expect((await both(ctx.fx.b.setId, { authorization: `Bearer ${key}`, body })).status).toBe(200);
    await revokeApiKey(tenantOf(ctx.database, ctx.fx.b.accountId), apiKey.id);
    const answers = [
      await both(ctx.fx.b.setId, { authorization: `Bearer ${key}`, body }),
      await both(ctx.fx.b.setId, { authorization: `Bearer ${key.slice(0, -4)}AAAA`, body }),
      await both(ctx.fx.b.setId, { authorization: 'Bearer not-a-key', body }),
      await both(ctx.fx.b.setId, { authorization: 'Basic Zm9vOmJhcg==', body }),
      await both(ctx.fx.b.setId, { authorization: null, body }),
    ];
    for (const a of answers) {
      expect(a.status).toBe(401);
      expect(a).toEqual(answers[0]);
    }
  });

  it('validates the body as the route does: not JSON, invalid, empty, too large', async () => {
    const cases = [
      { body: '{"traits": ', status: 400 },
      { body: '', status: 400 },
      { body: JSON.stringify({ traits: { age: 40 }, record: 'yes' }), status: 400 },
      { body: JSON.stringify({}), status: 400 },
      { body: JSON.stringify({ traits: { 'not a trait!': 1 } }), status: 400 },
      { body: JSON.stringify({ traits: { unknown_trait: 1 } }), status: 400 },
      { body: JSON.stringify({ traits: { age: 40, pad: 'x'.repeat(200) }, externalId: 'y'.repeat(70_000) }), status: 413 },
    ];
    for (const c of cases) {
      const r = await both(ctx.fx.b.setId, { authorization: bearer(), body: c.body });
      expect(r.status, c.body.slice(0, 40)).toBe(c.status);
    }
  });

  it('answers 404 for another account’s set and unknown sets, and 422 for an unmatched identity', async () => {
    const other = await both(ctx.fx.b.setId, { authorization: `Bearer ${ctx.fx.a.key}`, body: JSON.stringify({ traits: { age: 40 } }) });
    expect(other.status).toBe(404);
    const unknown = await both('00000000-0000-4000-8000-000000000000', { authorization: bearer(), body: JSON.stringify({ traits: { age: 40 } }) });
    expect(unknown).toEqual({ ...other, json: unknown.json });
    expect(unknown.json).toEqual(other.json);
    const unmatched = await both(ctx.fx.b.setId, { authorization: bearer(), body: JSON.stringify({ identity: { email: 'nobody-at-all@example.invalid' } }) });
    expect(unmatched.status).toBe(422);
    expect(unmatched.json.error!.code).toBe('unmatched');
  });

  it('answers 429 with Retry-After past the per-key limit', async () => {
    const limiter = apiRateLimiter();
    const saved = limiter.perMinute;
    limiter.perMinute = 2;
    try {
      const post = () =>
        fetch(`${base}/api/v1/persona-sets/${ctx.fx.b.setId}/assignments`, {
          method: 'POST',
          headers: { authorization: bearer(), 'content-type': 'application/json' },
          body: JSON.stringify({ traits: { age: 40 } }),
        });
      limiter.reset();
      const statuses = [];
      let last: Response | undefined;
      for (let i = 0; i < 3; i++) {
        last = await post();
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 429]);
      const fast = { text: await last!.text(), headers: pick(last!.headers) };
      expect(Number(fast.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      limiter.reset();
      const route = [];
      for (let i = 0; i < 3; i++) route.push(await callApi('POST', `/persona-sets/${ctx.fx.b.setId}/assignments`, { key: ctx.fx.b.key, body: { traits: { age: 40 } } }));
      expect(route.map((r) => r.status)).toEqual(statuses);
      expect({ text: route[2].text, headers: pick(route[2].headers) }).toEqual(fast);
    } finally {
      limiter.perMinute = saved;
      limiter.reset();
    }
  });

  it('records the contact when asked, and leaves every other request to the fallback', async () => {
    const res = await fetch(`${base}/api/v1/persona-sets/${ctx.fx.b.setId}/assignments`, {
      method: 'POST',
      headers: { authorization: bearer(), 'content-type': 'application/json' },
      body: JSON.stringify({ traits: { age: 51, income: 72000 }, record: true, externalId: 'fast-path-1', identity: { email: 'fast.path@example.com' } }),
    });
    expect(res.status).toBe(200);
    const out = (await res.json()) as { recorded: { personId: number; changed: boolean } | null };
    expect(out.recorded?.changed).toBe(true);
    const person = await ctx.database.query<{ external_id: string }>('select external_id from people where id = $1 and account_id = $2', [
      out.recorded!.personId,
      ctx.fx.b.accountId,
    ]);
    expect(person.rows[0].external_id).toBe('fast-path-1');

    const before = fallbacks;
    for (const [method, path] of [
      ['GET', `/api/v1/persona-sets/${ctx.fx.b.setId}/assignments`],
      ['POST', `/api/v1/persona-sets/${ctx.fx.b.setId}/assignments/`],
      ['POST', '/api/v1/persona-sets/not-a-uuid/assignments'],
      ['POST', `/api/v1/persona-sets/${ctx.fx.b.setId}/scoring-runs`],
    ]) {
      const r = await fetch(`${base}${path}`, { method, headers: { authorization: bearer() } });
      expect(r.status).toBe(599);
    }
    expect(fallbacks).toBe(before + 4);
  });
});
