// API keys are cached per hash on the hot path: a cached key costs no database call, a key revoked in this process
// is refused at once, and one revoked elsewhere (another server process: here, straight in the database) within
// a second.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { apiRateLimiter } from '@/lib/api/rate-limit';
import { KEY_CACHE_TTL_MS, authenticateApiKeyNow, createApiKey, hashApiKey, revokeApiKey } from '@/lib/services/api-keys';
import { tenantOf } from '@/lib/services/tenant';
import { testDatabases } from '../helpers/db';
import { callApi } from './helpers';
import { useTwoAccounts } from './fixture';

vi.mock('server-only', () => ({}));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(testDatabases())('API key cache on $name', (target) => {
  const ctx = useTwoAccounts(target);
  beforeEach(() => apiRateLimiter().reset());
  const assign = (key: string) => callApi('POST', `/persona-sets/${ctx.fx.b.setId}/assignments`, { key, body: { traits: { age: 40 } } });

  it('answers a cached key without a promise, and the key by its hash', async () => {
    const { key } = await createApiKey(tenantOf(ctx.database, ctx.fx.b.accountId), { name: 'cached' });
    const first = authenticateApiKeyNow({ db: ctx.database }, `Bearer ${key}`);
    expect(first).toBeInstanceOf(Promise);
    const caller = await first;
    expect(caller?.accountId).toBe(ctx.fx.b.accountId);
    expect(authenticateApiKeyNow({ db: ctx.database }, `Bearer ${key}`)).toEqual(caller);
    const stored = await ctx.database.query<{ hash: string }>('select hash from api_keys where id = $1', [caller!.keyId]);
    expect(stored.rows[0].hash).toBe(hashApiKey(key));
    expect(hashApiKey(key)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a key revoked in this process at once', async () => {
    const { key, apiKey } = await createApiKey(tenantOf(ctx.database, ctx.fx.b.accountId), { name: 'revoked here' });
    expect((await assign(key)).status).toBe(200);
    await revokeApiKey(tenantOf(ctx.database, ctx.fx.b.accountId), apiKey.id);
    expect((await assign(key)).status).toBe(401);
  });

  it('refuses a key revoked by another process within a second, and keeps serving one that is not', async () => {
    const { key, apiKey } = await createApiKey(tenantOf(ctx.database, ctx.fx.b.accountId), { name: 'revoked elsewhere' });
    const { key: kept } = await createApiKey(tenantOf(ctx.database, ctx.fx.b.accountId), { name: 'kept' });
    expect((await assign(key)).status).toBe(200);
    expect((await assign(kept)).status).toBe(200);
    await ctx.database.query('update api_keys set revoked_at = now() where id = $1', [apiKey.id]);
    const t0 = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - t0 < 5 * KEY_CACHE_TTL_MS) {
      status = (await assign(key)).status;
      if (status === 200) await sleep(50);
    }
    expect(status).toBe(401);
    expect(Date.now() - t0).toBeLessThanOrEqual(KEY_CACHE_TTL_MS + 500);
    expect(KEY_CACHE_TTL_MS).toBeLessThanOrEqual(1000);
    expect((await assign(kept)).status).toBe(200);
  });
});
