// Body limits of /api/v1 (1 MB, 64 KB for real-time assignment; refused while reading), 404 for ids of any
// malformed shape, and renaming a persona answering the renamed persona (only within its set).
import { describe, expect, it, vi } from 'vitest';
import { operationList, operations } from '@/lib/api/operations';
import { MAX_JSON_BODY } from '@/lib/api/body';
import { API_CSP } from '@/lib/security-headers';
import { testDatabases } from '../helpers/db';
import { callApi } from './helpers';
import { useTwoAccounts } from './fixture';

vi.mock('server-only', () => ({}));
vi.mock('@/inngest/client', () => ({ sendEvent: vi.fn(async () => ({ ids: [] })) }));
// the upload route asks for the session: nobody is signed in here
vi.mock('@/lib/auth', () => ({ getViewer: async () => null }));

/** a JSON object of exactly `bytes` bytes: { "name": "...", "pad": "xxx…" } */
const jsonOfSize = (name: string, bytes: number) => {
  const head = JSON.stringify({ name, pad: '' });
  return head.slice(0, -2) + 'x'.repeat(bytes - head.length) + '"}';
};

/** A body streamed in 64 KB chunks with no Content-Length; counts the bytes the server pulled. */
function streamedRequest(url: string, method: string, key: string, total: number) {
  let pulled = 0;
  const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= total) return controller.close();
      pulled += chunk.length;
      controller.enqueue(chunk);
    },
  });
  const request = new Request(url, { method, body, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, duplex: 'half' } as RequestInit);
  return { request, pulled: () => pulled };
}

describe.each(testDatabases())('API hardening on $name', (target) => {
  const ctx = useTwoAccounts(target);

  it('answers 413 in the error shape for a JSON body over 1 MB, and reads a body of exactly 1 MB', async () => {
    const id = ctx.fx.b.setId;
    const over = await callRaw('PATCH', `/persona-sets/${id}`, ctx.fx.b.key, jsonOfSize('Too big', MAX_JSON_BODY + 1));
    expect(over.status).toBe(413);
    expect(over.json).toEqual({ error: { code: 'payload_too_large', message: 'The body is larger than 1 MB' } });
    const atLimit = await callRaw('PATCH', `/persona-sets/${id}`, ctx.fx.b.key, jsonOfSize('Just fits', MAX_JSON_BODY));
    expect(atLimit.status, JSON.stringify(atLimit.json)).toBe(200);
    expect((atLimit.json as { name: string }).name).toBe('Just fits');
    const assign = await callRaw('POST', `/persona-sets/${id}/assignments`, ctx.fx.b.key, jsonOfSize('x', 64 * 1024 + 1));
    expect(assign.status).toBe(413);
    expect(assign.json).toEqual({ error: { code: 'payload_too_large', message: 'The body is larger than 64 KB' } });
    // every operation with a body documents its 413
    for (const op of operationList.filter((o) => o.body)) expect(Object.keys(await docResponses(op.path, op.method))).toContain('413');
  });

  it('answers a request with a body (which proxy.ts does not see) with the API security headers', async () => {
    const ok = await callApi('PATCH', `/persona-sets/${ctx.fx.b.setId}`, { key: ctx.fx.b.key, body: { name: 'With headers' } });
    const refused = await callApi('PATCH', `/persona-sets/${ctx.fx.b.setId}`, { body: { name: 'No key' } });
    const assign = await callApi('POST', `/persona-sets/${ctx.fx.b.setId}/assignments`, { key: ctx.fx.b.key, body: { traits: { age: 40 } } });
    const { POST: upload } = await import('@/app/api/datasets/upload/route');
    const signedOut = await upload(new Request('http://localhost/api/datasets/upload?fileName=a.csv', { method: 'POST', body: 'id\n1\n' }));
    expect([ok.status, refused.status, signedOut.status]).toEqual([200, 401, 401]);
    for (const h of [ok.headers, refused.headers, assign.headers, signedOut.headers]) {
      expect(h.get('content-security-policy')).toBe(API_CSP);
      expect(h.get('x-content-type-options')).toBe('nosniff');
      expect(h.get('x-frame-options')).toBe('DENY');
    }
  });

  it('stops reading a streamed body (no Content-Length) once it passes the limit', async () => {
    const { PATCH } = await import('@/app/api/v1/persona-sets/[id]/route');
    const s = streamedRequest(`http://localhost/api/v1/persona-sets/${ctx.fx.b.setId}`, 'PATCH', ctx.fx.b.key, 50 * MAX_JSON_BODY);
    const res = await PATCH(s.request, { params: Promise.resolve({ id: ctx.fx.b.setId }) });
    expect(res.status).toBe(413);
    expect(s.pulled()).toBeGreaterThan(MAX_JSON_BODY);
    expect(s.pulled()).toBeLessThan(MAX_JSON_BODY + 3 * 64 * 1024);
    const { POST } = await import('@/app/api/v1/persona-sets/[id]/assignments/route');
    const a = streamedRequest(`http://localhost/api/v1/persona-sets/${ctx.fx.b.setId}/assignments`, 'POST', ctx.fx.b.key, 50 * MAX_JSON_BODY);
    expect((await POST(a.request, { params: Promise.resolve({ id: ctx.fx.b.setId }) })).status).toBe(413);
    expect(a.pulled()).toBeLessThan(operations.assignContact.maxBody + 3 * 64 * 1024);
  });

  it('answers 404 for ids of UUID length but another shape, on every operation with an id', async () => {
    const shapes = ['------------------------------------', 'ffffffff-ffff-ffff-ffff-fffffffffffg', '00000000_0000_0000_0000_000000000000', '{00000000-0000-0000-0000-00000000000}'];
    let n = 0;
    for (const op of operationList.filter((o) => o.path.includes('{')))
      for (const bad of shapes) {
        const path = op.path.replace(/\{(\w+)\}/g, (_, p) => encodeURIComponent(p === 'personId' ? String(ctx.fx.b.personId) : bad));
        const res = await callApi(op.method, path, { key: ctx.fx.b.key, body: op.body ? op.example : undefined });
        expect(res.status, `${op.method} ${path}: ${res.text.slice(0, 200)}`).toBe(404);
        n++;
      }
    expect(n).toBeGreaterThanOrEqual(60);
  });

  it('renames a persona and answers it renamed; a persona of another set is not found and keeps its name', async () => {
    const [personaId] = ctx.fx.b.personaIds;
    const res = await callApi('PATCH', `/persona-sets/${ctx.fx.b.setId}/personas/${personaId}`, { key: ctx.fx.b.key, body: { name: 'Weekend gardeners' } });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ id: personaId, name: 'Weekend gardeners' });
    // the same set named in capitals: the same set
    const upper = await callApi('PATCH', `/persona-sets/${ctx.fx.b.setId.toUpperCase()}/personas/${personaId}`, { key: ctx.fx.b.key, body: { name: 'Garden people' } });
    expect(upper.status, upper.text).toBe(200);
    expect(upper.json).toMatchObject({ id: personaId, name: 'Garden people' });
    // a persona of the account's other set, through this set's path: 404, nothing saved
    const other = await ctx.database.query<{ id: string; name: string }>('select id, name from personas where persona_set_id = $1 limit 1', [ctx.fx.b.otherSetId]);
    const cross = await callApi('PATCH', `/persona-sets/${ctx.fx.b.setId}/personas/${other.rows[0].id}`, { key: ctx.fx.b.key, body: { name: 'Hijacked' } });
    expect(cross.status).toBe(404);
    const after = await ctx.database.query<{ name: string }>('select name from personas where id = $1', [other.rows[0].id]);
    expect(after.rows[0].name).toBe(other.rows[0].name);
  });
});

/** A call with a raw body string (sent with its Content-Length, as a client would). */
async function callRaw(method: 'PATCH' | 'POST', path: string, key: string, body: string) {
  const file = path.endsWith('/assignments') ? '@/app/api/v1/persona-sets/[id]/assignments/route' : '@/app/api/v1/persona-sets/[id]/route';
  const mod = (await import(/* @vite-ignore */ file)) as Record<string, (r: Request, c: { params: Promise<Record<string, string>> }) => Promise<Response>>;
  const id = path.split('/')[2];
  const req = new Request(`http://localhost/api/v1${path}`, {
    method,
    body,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
  });
  const res = await mod[method](req, { params: Promise.resolve({ id }) });
  return { status: res.status, json: (await res.json()) as unknown };
}

async function docResponses(path: string, method: string) {
  const { openApiDocument } = await import('@/lib/api/openapi');
  const doc = openApiDocument() as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
  return doc.paths[path][method.toLowerCase()].responses;
}
