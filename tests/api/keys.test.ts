// API key lifecycle and rate limiting, through the route handlers.
import { describe, expect, it, vi } from 'vitest';
import { PEER_HEADER, stampPeerAddress } from '@/lib/client-address';
import { apiRateLimiter, badKeyRateLimiter } from '@/lib/api/rate-limit';
import { createApiKey, listApiKeys, revokeApiKey } from '@/lib/services/api-keys';
import { testDatabases } from '../helpers/db';
import { callApi } from './helpers';
import { useTwoAccounts } from './fixture';
import { tenantOf } from '@/lib/services/tenant';

vi.mock('server-only', () => ({}));
vi.mock('@/inngest/client', () => ({ sendEvent: vi.fn(async () => ({ ids: [] })) }));

describe.each(testDatabases())('API keys on $name', (target) => {
  const ctx = useTwoAccounts(target);

  it('create → works and last-used is recorded; revoke → 401 identical to unknown and malformed keys', async () => {
    const { key, apiKey } = await createApiKey(tenantOf(ctx.database, ctx.fx.b.accountId), { name: 'Lifecycle' });
    expect(key.startsWith(apiKey.prefix + '_')).toBe(true);
    const stored = await ctx.database.query<{ hash: string }>('select hash from api_keys where id = $1', [apiKey.id]);
    expect(stored.rows[0].hash).not.toContain(key.slice(14)); // only a hash is stored
    expect((await listApiKeys(tenantOf(ctx.database, ctx.fx.b.accountId))).find((k) => k.id === apiKey.id)?.lastUsedAt).toBeNull();

    const ok = await callApi('GET', '/persona-sets', { key });
    expect(ok.status).toBe(200);
    expect((ok.json as { data: { id: string }[] }).data.map((s) => s.id)).toContain(ctx.fx.b.setId);
    const used = (await listApiKeys(tenantOf(ctx.database, ctx.fx.b.accountId))).find((k) => k.id === apiKey.id)!;
    expect(used.lastUsedAt).toBeInstanceOf(Date);
    expect(Date.now() - used.lastUsedAt!.getTime()).toBeLessThan(60_000);

    await revokeApiKey(tenantOf(ctx.database, ctx.fx.b.accountId), apiKey.id);
    const revoked = await callApi('GET', '/persona-sets', { key });
    const unknown = await callApi('GET', '/persona-sets', { key: key.slice(0, -4) + 'AAAA' });
    const malformed = await callApi('GET', '/persona-sets', { key: 'not-a-key' });
    const missing = await callApi('GET', '/persona-sets', {});
    const basic = await callApi('GET', '/persona-sets', { authorization: 'Basic Zm9vOmJhcg==' });
    for (const r of [revoked, unknown, malformed, missing, basic]) {
      expect(r.status).toBe(401);
      expect(r.text).toBe(revoked.text);
      expect(r.headers.get('www-authenticate')).toBe(revoked.headers.get('www-authenticate'));
    }
    expect((revoked.json as { error: { code: string } }).error.code).toBe('unauthorized');
    // another account cannot revoke B's key
    const other = await createApiKey(tenantOf(ctx.database, ctx.fx.b.accountId), { name: 'Other' });
    await expect(revokeApiKey(tenantOf(ctx.database, ctx.fx.a.accountId), other.apiKey.id)).rejects.toThrow(/not found/);
    expect((await callApi('GET', '/persona-sets', { key: other.key })).status).toBe(200);
  });

  it('answers 429 with Retry-After past the per-key limit, without touching other keys', async () => {
    const limiter = apiRateLimiter();
    const saved = limiter.perMinute;
    limiter.reset();
    limiter.perMinute = 3;
    try {
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 4; i++) {
        last = await callApi('GET', '/pipelines', { key: ctx.fx.b.key });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      const retry = Number(last!.headers.get('retry-after'));
      expect(retry).toBeGreaterThanOrEqual(1);
      expect(retry).toBeLessThanOrEqual(20);
      expect((last!.json as { error: { code: string } }).error.code).toBe('rate_limited');
      expect((await callApi('GET', '/pipelines', { key: ctx.fx.a.key })).status).toBe(200);
    } finally {
      limiter.perMinute = saved;
      limiter.reset();
    }
  });

  it('answers the one 401 to calls without a valid key until their address passes its limit, then 429; valid keys and other addresses go on', async () => {
    const limiter = badKeyRateLimiter();
    const saved = limiter.perMinute;
    limiter.reset();
    limiter.perMinute = 5;
    try {
      const { key, apiKey } = await createApiKey(tenantOf(ctx.database, ctx.fx.b.accountId), { name: 'Soon revoked' });
      await revokeApiKey(tenantOf(ctx.database, ctx.fx.b.accountId), apiKey.id);
      // as behind Facet's server, which writes each request's socket address (a client's X-Forwarded-For is not believed)
      stampPeerAddress({ headers: {}, socket: { remoteAddress: '127.0.0.1' } } as never);
      const from = (address: string) => ({ headers: { [PEER_HEADER]: address, 'x-forwarded-for': `10.9.8.${Math.floor(Math.random() * 250)}` } });
      const guesses = [{ key }, { key: 'fct_00000000_' + 'A'.repeat(43) }, {}, { key: 'nope' }, { authorization: 'Basic Zm9vOmJhcg==' }];
      const answers = [];
      for (const g of guesses) answers.push(await callApi('GET', '/persona-sets', { ...g, ...from('203.0.113.7') }));
      expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401, 401]);
      for (const a of answers) expect(a.text).toBe(answers[0].text);
      const limited = await callApi('GET', '/persona-sets', { key, ...from('203.0.113.7') });
      expect(limited.status).toBe(429);
      expect((limited.json as { error: { code: string } }).error.code).toBe('rate_limited');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      // the same address with a valid key, and another address with a bad one
      expect((await callApi('GET', '/persona-sets', { key: ctx.fx.b.key, ...from('203.0.113.7') })).status).toBe(200);
      const other = await callApi('GET', '/persona-sets', { key, ...from('198.51.100.9') });
      expect(other.status).toBe(401);
      expect(other.text).toBe(answers[0].text);
    } finally {
      limiter.perMinute = saved;
      limiter.reset();
    }
  });
});
