import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { setDatabase, type Database } from '@/db/client';
import { AUTH_LIMITS, consumeAuthAttempt, refundAuthAttempt, resetAuthLimits } from '@/lib/auth-limit';
import { PEER_HEADER } from '@/lib/client-address';
import { createPasswordUser } from '@/scripts/seed';
import { testDatabases } from '../helpers/db';
import { formOf, redirectOf, startAuthServer, type AuthServer } from './helpers';

// the form's server action reads the request's headers through next/headers: here, the ones Facet's server would
// hand it for a request from `request.from`
const request = vi.hoisted(() => ({ from: '127.0.0.1', extra: {} as Record<string, string> }));
vi.mock('next/headers', () => ({
  headers: async () => new Headers({ [PEER_HEADER]: request.from, ...request.extra }),
  cookies: async () => ({ get: () => undefined, set: () => {}, delete: () => {} }),
}));

const PASSWORD = 'the-right-password';

describe('the sign-in limiter', () => {
  it('opens again when its window has passed, and says how long until then', () => {
    resetAuthLimits();
    const t0 = 1_000_000;
    for (let i = 0; i < AUTH_LIMITS.emailAtAddress.max; i++) expect(consumeAuthAttempt('Eve@Example.com ', '203.0.113.1', t0 + i).allowed).toBe(true);
    // the same email however it is written
    expect(consumeAuthAttempt('eve@example.com', '203.0.113.1', t0 + 60_000)).toEqual({ allowed: false, retryAfterSeconds: 840 });
    expect(consumeAuthAttempt('eve@example.com', '203.0.113.1', t0 + AUTH_LIMITS.emailAtAddress.windowMs).allowed).toBe(true);
  });

  it('one address trying many emails is stopped too, and one email from many addresses', () => {
    resetAuthLimits();
    for (let i = 0; i < AUTH_LIMITS.address.max; i++) expect(consumeAuthAttempt(`user${i}@example.com`, '203.0.113.2', 0).allowed).toBe(true);
    expect(consumeAuthAttempt('fresh@example.com', '203.0.113.2', 1).allowed).toBe(false);
    for (let i = 0; i < AUTH_LIMITS.email.max; i++) expect(consumeAuthAttempt('target@example.com', `198.51.100.${i % 250}`, 0).allowed).toBe(true);
    expect(consumeAuthAttempt('target@example.com', '192.0.2.99', 1).allowed).toBe(false);
    // a refunded attempt (the right password) makes room again
    refundAuthAttempt('target@example.com', '198.51.100.1', 1);
    expect(consumeAuthAttempt('target@example.com', '192.0.2.99', 2).allowed).toBe(true);
    resetAuthLimits();
  });
});

describe.each(testDatabases())('one limiter for sign-in and sign-up on $name', (target) => {
  let database: Database;
  let http: AuthServer;
  beforeAll(async () => {
    database = await target.open();
    setDatabase(database);
    (globalThis as { __facetAuth?: unknown }).__facetAuth = undefined;
    resetAuthLimits();
    const acct = await database.query<{ id: string }>(`insert into accounts (name, slug) values ('Limits', 'limits') returning id`);
    for (const who of ['alice', 'bob', 'carol', 'dave'])
      await createPasswordUser(database, { email: `${who}@example.com`, password: PASSWORD, name: who, accountId: acct.rows[0].id });
    const { POST } = await import('@/app/api/auth/[...all]/route');
    http = await startAuthServer(POST);
  });
  afterAll(async () => {
    await http.close();
    setDatabase(undefined);
    (globalThis as { __facetAuth?: unknown }).__facetAuth = undefined;
    await target.dispose(database);
  });

  const signInForm = async (email: string, password: string, from: string) => {
    request.from = from;
    const { signInAction } = await import('@/app/(auth)/actions');
    return redirectOf(signInAction(null, formOf({ email, password, next: '/cohorts' })));
  };

  it('20 wrong passwords through the form: refused with "try again in N s" from then on, the right password too', async () => {
    expect(AUTH_LIMITS.emailAtAddress.max).toBe(20);
    for (let i = 0; i < 20; i++) {
      const r = await signInForm('alice@example.com', `wrong-${i}`, '127.0.0.1');
      expect(r.answer).toEqual({ ok: false, error: 'Wrong email or password.' });
    }
    for (const password of ['wrong-again', PASSWORD]) {
      const r = await signInForm('alice@example.com', password, '127.0.0.1');
      expect(r.redirect).toBeNull();
      const answer = r.answer as { ok: false; error: string };
      expect(answer.error).toMatch(/^Too many attempts\. Try again in \d+ s\.$/);
      const seconds = Number(/in (\d+) s/.exec(answer.error)![1]);
      expect(seconds).toBeGreaterThan(800);
      expect(seconds).toBeLessThanOrEqual(900);
    }
    // the HTTP endpoint goes through the same limiter: the same email from the same address is refused there too
    const viaHttp = await http.post('sign-in/email', { email: 'alice@example.com', password: PASSWORD });
    expect(viaHttp.status).toBe(429);
    expect(Number(viaHttp.headers['retry-after'])).toBeGreaterThan(800);
  });

  it('20 wrong passwords through the HTTP endpoint: 429 from then on, the right password and the form too; a forged X-Forwarded-For changes nothing', async () => {
    for (let i = 0; i < 20; i++) {
      const r = await http.post('sign-in/email', { email: 'bob@example.com', password: `wrong-${i}` }, { from: '127.0.0.2' });
      expect(r.status).toBe(401);
    }
    const forged: Record<string, string>[] = [{}, { 'x-forwarded-for': '198.51.100.23' }, { 'x-facet-client-address': '198.51.100.24', 'x-real-ip': '198.51.100.25' }];
    for (const headers of forged) {
      const r = await http.post('sign-in/email', { email: 'bob@example.com', password: PASSWORD }, { from: '127.0.0.2', headers });
      expect(r.status).toBe(429);
      expect(r.body.message).toMatch(/Try again in \d+ s/);
    }
    const viaForm = await signInForm('bob@example.com', PASSWORD, '127.0.0.2');
    expect((viaForm.answer as { error: string }).error).toMatch(/Try again in \d+ s/);
    // sign-up of that email from that address: the same limiter
    request.from = '127.0.0.2';
    const { signUpAction } = await import('@/app/(auth)/actions');
    const signUp = await signUpAction(null, formOf({ name: 'Bob again', email: 'bob@example.com', password: 'another-password' }));
    expect(signUp).toMatchObject({ ok: false, error: expect.stringMatching(/Try again in \d+ s/) });
    const signUpHttp = await http.post('sign-up/email', { name: 'Bob', email: 'bob@example.com', password: 'another-password' }, { from: '127.0.0.2' });
    expect(signUpHttp.status).toBe(429);
  });

  it('another email from another address is not limited, through the form or the endpoint', async () => {
    const viaForm = await signInForm('carol@example.com', PASSWORD, '127.0.0.3');
    expect(viaForm.redirect).toBe('/cohorts');
    const viaHttp = await http.post('sign-in/email', { email: 'carol@example.com', password: PASSWORD }, { from: '127.0.0.3' });
    expect(viaHttp.status).toBe(200);
    expect((viaHttp.body.user as { email: string }).email).toBe('carol@example.com');
  });

  it('sign-ins with the right password do not fill the limit', async () => {
    for (let i = 0; i < 25; i++) {
      const r = await http.post('sign-in/email', { email: 'dave@example.com', password: PASSWORD }, { from: '127.0.0.4' });
      expect(r.status).toBe(200);
    }
  });
});
