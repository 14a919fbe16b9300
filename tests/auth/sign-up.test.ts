import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { setDatabase, type Database } from '@/db/client';
import { resetAuthLimits } from '@/lib/auth-limit';
import { PEER_HEADER } from '@/lib/client-address';
import { env } from '@/lib/env';
import { createApiKey } from '@/lib/services/api-keys';
import { deliverEmail } from '@/lib/services/email';
import { tenantOf } from '@/lib/services/tenant';
import { createPasswordUser } from '@/scripts/seed';
import { testDatabases } from '../helpers/db';
import { cookieOf, formOf, redirectOf, startAuthServer, startMailServer, type AuthServer } from './helpers';

const request = vi.hoisted(() => ({ from: '127.0.0.1', cookie: '' }));
vi.mock('next/headers', () => ({
  headers: async () => new Headers({ [PEER_HEADER]: request.from, ...(request.cookie ? { cookie: request.cookie } : {}) }),
  cookies: async () => ({ get: () => undefined, set: () => {}, delete: () => {} }),
}));
vi.mock('next/cache', () => ({ revalidatePath: () => {} }));

const HOSTILE_NAME = 'Win a prize at evil.example';

describe.each(testDatabases())('sign-up and email confirmation on $name', (target) => {
  let database: Database;
  let http: AuthServer;
  let mail: Awaited<ReturnType<typeof startMailServer>>;
  let ownerAccount: string;
  const saved = { key: env.RESEND_API_KEY, base: process.env.RESEND_BASE_URL };

  beforeAll(async () => {
    database = await target.open();
    setDatabase(database);
    (globalThis as { __facetAuth?: unknown }).__facetAuth = undefined;
    resetAuthLimits();
    mail = await startMailServer();
    process.env.RESEND_BASE_URL = mail.url;
    env.RESEND_API_KEY = 're_test';
    const acct = await database.query<{ id: string }>(`insert into accounts (name, slug) values ('Owner', 'owner') returning id`);
    ownerAccount = acct.rows[0].id;
    await createPasswordUser(database, { email: 'owner@example.com', password: 'owner-password', name: 'Owner', accountId: ownerAccount });
    const { POST } = await import('@/app/api/auth/[...all]/route');
    http = await startAuthServer(POST);
  });
  afterAll(async () => {
    env.RESEND_API_KEY = saved.key;
    if (saved.base === undefined) delete process.env.RESEND_BASE_URL;
    else process.env.RESEND_BASE_URL = saved.base;
    await http.close();
    await mail.close();
    setDatabase(undefined);
    (globalThis as { __facetAuth?: unknown }).__facetAuth = undefined;
    await target.dispose(database);
  });

  const mailTo = (address: string) => mail.sent.filter((m) => m.to.includes(address));
  const accounts = async () => Number((await database.query<{ n: string }>('select count(*)::text as n from accounts')).rows[0].n);

  it('the form answers a registered and an unregistered email alike, and mails a link or a notice', async () => {
    const { signUpAction } = await import('@/app/(auth)/actions');
    const { signUpNotice } = await import('@/app/(auth)/schema');
    const before = await accounts();
    const fresh = await signUpAction(null, formOf({ name: HOSTILE_NAME, email: 'new@example.com', password: 'a-long-password' }));
    const taken = await signUpAction(null, formOf({ name: HOSTILE_NAME, email: 'owner@example.com', password: 'a-long-password' }));
    expect(fresh).toEqual({ ok: true, data: { notice: signUpNotice('new@example.com') } });
    expect(taken).toEqual({ ok: true, data: { notice: signUpNotice('owner@example.com') } });
    // one new account, for the new address only
    expect(await accounts()).toBe(before + 1);
    const [confirm] = mailTo('new@example.com');
    expect(confirm.subject).toBe('Confirm your email address for Facet');
    expect(confirm.text).toContain(`${env.APP_URL}/verify-email?token=`);
    const [notice] = mailTo('owner@example.com');
    expect(notice.subject).toBe('Someone tried to create a Facet account with your address');
    // what the visitor typed reaches nobody's inbox
    for (const m of [confirm, notice]) expect(`${m.subject}${m.text}${m.html}`).not.toContain('evil.example');
    // and no mailbox in the app shows these messages (their links sign in)
    const listed = await database.query<{ n: string }>(`select count(*)::text as n from email_outbox where account_id is not null and "to" in ('new@example.com', 'owner@example.com')`);
    expect(listed.rows[0].n).toBe('0');
  });

  it('the HTTP endpoint answers both alike too: same status, same shape, no session', async () => {
    const fresh = await http.post('sign-up/email', { name: 'N', email: 'new2@example.com', password: 'a-long-password' }, { from: '127.0.0.2' });
    const taken = await http.post('sign-up/email', { name: 'N', email: 'owner@example.com', password: 'a-long-password' }, { from: '127.0.0.2' });
    expect(fresh.status).toBe(200);
    expect(taken.status).toBe(200);
    expect(Object.keys(taken.body).sort()).toEqual(Object.keys(fresh.body).sort());
    expect(Object.keys(taken.body.user as object).sort()).toEqual(Object.keys(fresh.body.user as object).sort());
    expect([fresh.body.token, taken.body.token]).toEqual([null, null]);
    expect([fresh.headers['set-cookie'], taken.headers['set-cookie']]).toEqual([undefined, undefined]);
    expect((taken.body.user as { emailVerified: boolean }).emailVerified).toBe(false);
  });

  it('until the address is confirmed: no API key (service and action), and its mail stays in the outbox', async () => {
    const signIn = await http.post('sign-in/email', { email: 'new@example.com', password: 'a-long-password' }, { from: '127.0.0.3' });
    expect(signIn.status).toBe(200);
    request.cookie = cookieOf(signIn.headers['set-cookie']);
    const { getViewer } = await import('@/lib/auth');
    const viewer = (await getViewer())!;
    expect(viewer).toMatchObject({ email: 'new@example.com', emailVerified: false, demoReadOnly: false });
    const tenant = tenantOf(database, viewer.accountId, viewer.userId);
    await expect(createApiKey(tenant, { name: 'early' })).rejects.toThrow(/Confirm your email address/);
    const { createApiKeyAction } = await import('@/app/(app)/settings/api-keys/actions');
    expect(await createApiKeyAction({ name: 'early' })).toMatchObject({ ok: false, error: expect.stringMatching(/Confirm your email address/) });
    const sentBefore = mail.sent.length;
    const ready = { idempotencyKey: 'ready-unconfirmed', to: 'new@example.com', subject: 'Your persona set “x” is ready', text: 'x', html: 'x' };
    expect((await deliverEmail(tenant, ready)).status).toBe('held');
    expect(mail.sent.length).toBe(sentBefore);
    const keys = await database.query<{ n: string }>('select count(*)::text as n from api_keys where account_id = $1', [viewer.accountId]);
    expect(keys.rows[0].n).toBe('0');
  });

  it('"send the link again" answers, and at most one link leaves per address every ten minutes', async () => {
    const { resendConfirmationAction } = await import('@/app/(auth)/actions');
    expect(await resendConfirmationAction()).toEqual({ ok: true, data: { notice: 'We sent a new link to new@example.com.' } });
    const { sendAddressConfirmation } = await import('@/lib/services/account-email');
    const user = { id: 'u-throttle', email: 'throttle@example.com' };
    const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(await sendAddressConfirmation(database, user, 'tok-1', t0)).toBe('sent');
    expect(await sendAddressConfirmation(database, user, 'tok-2', t0 + 9 * 60_000)).toBe('already-sent');
    expect(await sendAddressConfirmation(database, user, 'tok-3', t0 + 10 * 60_000)).toBe('sent');
    expect(mailTo('throttle@example.com').map((m) => /token=(\S+)/.exec(m.text)![1])).toEqual(['tok-1', 'tok-3']);
  });

  it('a bad link confirms nothing; the link from the email confirms the address, signs in, and opens keys and mail', async () => {
    const { verifyEmailAction } = await import('@/app/(auth)/actions');
    const bad = await redirectOf(verifyEmailAction(null, formOf({ token: 'not-a-token' })));
    expect(bad.answer).toMatchObject({ ok: false, error: expect.stringMatching(/expired or is not valid/) });
    const token = new URL(/(http\S+verify-email\S+)/.exec(mailTo('new@example.com')[0].text)![1]).searchParams.get('token')!;
    request.cookie = '';
    const good = await redirectOf(verifyEmailAction(null, formOf({ token })));
    expect(good.redirect).toBe('/persona-sets');
    const u = await database.query<{ email_verified: boolean }>(`select email_verified from users where email = 'new@example.com'`);
    expect(u.rows[0].email_verified).toBe(true);
    const m = await database.query<{ account_id: string; user_id: string }>(
      `select m.account_id, m.user_id from members m join users u on u.id = m.user_id where u.email = 'new@example.com'`,
    );
    const tenant = tenantOf(database, m.rows[0].account_id, m.rows[0].user_id);
    expect((await createApiKey(tenant, { name: 'now' })).key).toMatch(/^fct_/);
    const ready = { idempotencyKey: 'ready-confirmed', to: 'new@example.com', subject: 'Your persona set “x” is ready', text: 'x', html: 'x' };
    expect((await deliverEmail(tenant, ready)).status).toBe('sent');
    expect(mailTo('new@example.com').at(-1)!.subject).toBe(ready.subject);
  });

  it('seeded users count as confirmed', async () => {
    const u = await database.query<{ id: string }>(`select id from users where email = 'owner@example.com'`);
    expect((await createApiKey(tenantOf(database, ownerAccount, u.rows[0].id), { name: 'owner key' })).key).toMatch(/^fct_/);
  });
});
