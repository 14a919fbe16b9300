// The batch endpoint: many contacts in one call, each answered at its position by its assignment or its own
// error; the call fails only for what fails every contact (key, limits, envelope, set). Through the route handler
// (answers checked against the OpenAPI document) and through Facet's server, which must answer alike.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiRateLimiter } from '@/lib/api/rate-limit';
import { withAssignmentFastPath } from '@/lib/api/realtime-assignment';
import { MAX_BATCH_CONTACTS } from '@/lib/api/schemas';
import { testDatabases } from '../helpers/db';
import { callApi, checkAgainstDocument } from './helpers';
import { useTwoAccounts } from './fixture';

vi.mock('server-only', () => ({}));

type Result = { ok: true; persona: { id: string }; match: { method: string }; recorded: { personId: number } | null } | { ok: false; error: { code: string; message: string; fieldErrors?: Record<string, string[]> } };
type BatchOut = { personaSetId: string; assigned: number; failed: number; results: Result[] };

describe.each(testDatabases())('batch assignment on $name', (target) => {
  const ctx = useTwoAccounts(target);
  const batchPath = () => `/persona-sets/${ctx.fx.b.setId}/assignments/batch`;
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    server = http.createServer(withAssignmentFastPath((_req, res) => res.writeHead(599).end()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => apiRateLimiter().reset());

  const batch = (body: unknown, key = ctx.fx.b.key) => callApi('POST', batchPath(), { key, body });

  it('answers every contact at its position, with the same persona as a single call', async () => {
    const contacts = [
      { traits: { age: 40, income: 60000, homeowner: true } },
      { traits: { age: 23, income: 18000, has_children: false } },
      { traits: { age: 67, income: 42000, homeowner: true, has_children: true } },
    ];
    const res = await batch({ contacts });
    expect(res.status, res.text).toBe(200);
    const out = res.json as BatchOut;
    expect(out).toMatchObject({ personaSetId: ctx.fx.b.setId, assigned: 3, failed: 0 });
    expect(out.results).toHaveLength(3);
    for (const [i, c] of contacts.entries()) {
      const single = await callApi('POST', `/persona-sets/${ctx.fx.b.setId}/assignments`, { key: ctx.fx.b.key, body: c });
      const { personaSetId: _, ...rest } = single.json as Record<string, unknown>;
      expect(out.results[i]).toEqual({ ok: true, ...rest });
    }
  });

  it('gives an invalid contact its own field errors, and assigns the others', async () => {
    const res = await batch({
      contacts: [
        { traits: { age: 40 } },
        { traits: { age: 40 }, record: 'yes' },
        'not an object',
        {},
        { traits: { unknown_trait: 1 } },
        { identity: { email: 'nobody-at-all@example.invalid' } },
        { traits: { 'not a trait!': 1 } },
        { traits: { income: 50000 } },
      ],
    });
    expect(res.status, res.text).toBe(200);
    const out = res.json as BatchOut;
    expect(out.assigned).toBe(2);
    expect(out.failed).toBe(6);
    const r = out.results;
    expect(r.map((x) => x.ok)).toEqual([true, false, false, false, false, false, false, true]);
    const err = (i: number) => (r[i] as Extract<Result, { ok: false }>).error;
    expect(err(1)).toMatchObject({ code: 'invalid_request', fieldErrors: { record: expect.any(Array) } });
    expect(err(2).code).toBe('invalid_request');
    expect(err(3)).toMatchObject({ code: 'invalid_request', fieldErrors: { _: ['Send identity or traits'] } });
    // valid in form, but none of the set's traits
    expect(err(4)).toMatchObject({ code: 'invalid_request', message: expect.stringContaining("None of the set's traits") });
    expect(err(5).code).toBe('unmatched');
    expect(err(6)).toMatchObject({ code: 'invalid_request', fieldErrors: { 'traits.not a trait!': expect.any(Array) } });
  });

  it('refuses the whole call for an invalid envelope: no contacts, too many, not a list', async () => {
    for (const body of [{}, { contacts: [] }, { contacts: {} }, { contacts: Array.from({ length: MAX_BATCH_CONTACTS + 1 }, () => ({ traits: { age: 40 } })) }]) {
      const res = await batch(body);
      expect(res.status, JSON.stringify(body).slice(0, 40)).toBe(400);
      expect((res.json as { error: { code: string } }).error.code).toBe('invalid_request');
    }
    const full = await batch({ contacts: Array.from({ length: MAX_BATCH_CONTACTS }, (_, i) => ({ traits: { age: 20 + (i % 50) } })) });
    expect(full.status).toBe(200);
    expect((full.json as BatchOut).assigned).toBe(MAX_BATCH_CONTACTS);
    const notJson = await callApi('POST', batchPath(), { key: ctx.fx.b.key, rawBody: '{"contacts": [' });
    expect(notJson.status).toBe(400);
  });

  it('answers 413 past 1 MB, 401 without a valid key and 404 for another account’s set', async () => {
    const big = await batch({ contacts: [{ traits: { age: 40 }, externalId: 'x'.repeat(1024 * 1024) }] });
    expect(big.status).toBe(413);
    expect(big.json).toEqual({ error: { code: 'payload_too_large', message: 'The body is larger than 1 MB' } });
    const body = { contacts: [{ traits: { age: 40 } }] };
    expect((await callApi('POST', batchPath(), { body })).status).toBe(401);
    expect((await callApi('POST', batchPath(), { key: 'fct_00000000_' + 'A'.repeat(43), body })).status).toBe(401);
    const other = await batch(body, ctx.fx.a.key);
    expect(other.status).toBe(404);
    const unknown = await callApi('POST', '/persona-sets/00000000-0000-4000-8000-000000000000/assignments/batch', { key: ctx.fx.b.key, body });
    expect(unknown.json).toEqual(other.json);
  });

  it('takes one token for the call and one more per contact that reaches the database', async () => {
    const limiter = apiRateLimiter();
    const saved = limiter.perMinute;
    limiter.perMinute = 5;
    try {
      limiter.reset();
      // raw traits only: one token however many contacts
      const raw = await batch({ contacts: Array.from({ length: 50 }, () => ({ traits: { age: 40 } })) });
      expect(raw.status).toBe(200);
      expect(raw.headers.get('x-ratelimit-remaining')).toBe('4');
      // 1 + 2 identities = 3 of the 4 left
      const ids = await batch({ contacts: [{ identity: { email: 'a@example.invalid' } }, { traits: { age: 30 } }, { identity: { email: 'b@example.invalid' } }] });
      expect(ids.status).toBe(200);
      expect(ids.headers.get('x-ratelimit-remaining')).toBe('1');
      // 1 + 1 recorded: the call's token is there, the contact's is not
      const over = await batch({ contacts: [{ traits: { age: 30 }, record: true, externalId: 'batch-over' }] });
      expect(over.status).toBe(429);
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const stored = await ctx.database.query('select 1 from people where account_id = $1 and external_id = $2', [ctx.fx.b.accountId, 'batch-over']);
      expect(stored.rows).toEqual([]);
    } finally {
      limiter.perMinute = saved;
      limiter.reset();
    }
  });

  it('records the contacts that ask for it, each with its current assignment', async () => {
    const res = await batch({
      contacts: [
        { traits: { age: 44, income: 51000 }, record: true, externalId: 'batch-rec-1' },
        { traits: { age: 29, income: 31000 } },
        { traits: { age: 58, income: 88000 }, record: true, externalId: 'batch-rec-2' },
      ],
    });
    expect(res.status, res.text).toBe(200);
    const r = (res.json as BatchOut).results as Extract<Result, { ok: true }>[];
    expect(r[1].recorded).toBeNull();
    for (const i of [0, 2]) {
      const stored = await ctx.database.query<{ persona_id: string; external_id: string }>(
        `select a.persona_id, p.external_id from assignments a join people p on p.id = a.person_id
         where a.persona_set_id = $1 and a.person_id = $2 and a.valid_to is null and p.account_id = $3`,
        [ctx.fx.b.setId, r[i].recorded!.personId, ctx.fx.b.accountId],
      );
      expect(stored.rows).toEqual([{ persona_id: r[i].persona.id, external_id: `batch-rec-${i === 0 ? 1 : 2}` }]);
    }
  });

  it('is answered by Facet’s server exactly as by the route, errors included', async () => {
    const bodies = [
      JSON.stringify({ contacts: [{ traits: { age: 40, income: 60000 } }, { traits: { nope: 1 } }, { record: 1 }] }),
      JSON.stringify({ contacts: [] }),
      '{"contacts": [',
      JSON.stringify({ contacts: [{ traits: { age: 40 }, externalId: 'x'.repeat(1024 * 1024) }] }),
    ];
    for (const body of bodies) {
      for (const authorization of [`Bearer ${ctx.fx.b.key}`, undefined]) {
        const headers: Record<string, string> = { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) };
        apiRateLimiter().reset();
        const res = await fetch(`${base}/api/v1${batchPath()}`, { method: 'POST', headers, body });
        const fast = { status: res.status, text: await res.text(), type: res.headers.get('content-type'), csp: res.headers.get('content-security-policy') };
        checkAgainstDocument('/persona-sets/{id}/assignments/batch', 'POST', fast.status, JSON.parse(fast.text));
        apiRateLimiter().reset();
        const route = await callApi('POST', batchPath(), { ...(authorization ? { authorization } : {}), rawBody: body });
        expect(fast, body.slice(0, 40)).toEqual({ status: route.status, text: route.text, type: route.headers.get('content-type'), csp: route.headers.get('content-security-policy') });
      }
    }
  });
});
