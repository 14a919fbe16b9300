import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { deliverEmail, personaSetEmail } from '@/lib/services/email';
import { tenantOf, type Tenant } from '@/lib/services/tenant';
import { createPasswordUser } from '@/scripts/seed';
import { testDatabases } from '../helpers/db';

const mail = (key: string) => ({
  idempotencyKey: key,
  to: 'ana@example.com',
  ...personaSetEmail({ setName: 'Buyers', setUrl: 'http://x/persona-sets/1', outcome: 'built', personas: [{ name: 'Urban Renters', size: 40 }, { name: 'Suburban Parents', size: 60 }] }),
});

describe.each(testDatabases())('email delivery on $name', (target) => {
  let database: Database;
  let tenant: Tenant;
  let server: http.Server;
  const calls: { key: string | undefined; body: Record<string, unknown> }[] = [];
  let failNext = false;

  beforeAll(async () => {
    database = await target.open();
    const a = await database.query<{ id: string }>(`insert into accounts (name, slug) values ('Mail', 'mail') returning id`);
    tenant = tenantOf(database, a.rows[0].id);
    // mail leaves only for a confirmed member of the account (seeded users are confirmed)
    await createPasswordUser(database, { email: 'ana@example.com', password: 'ana-password', name: 'Ana', accountId: a.rows[0].id });
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        calls.push({ key: req.headers['idempotency-key'] as string | undefined, body: JSON.parse(body || '{}') });
        if (failNext) {
          failNext = false;
          res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ name: 'internal_server_error', message: 'boom' }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `email-${calls.length}` }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    process.env.RESEND_BASE_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    delete process.env.RESEND_BASE_URL;
    server.close();
    await target.dispose(database);
  });

  it('keeps mail in the outbox without a key, once per key', async () => {
    expect((await deliverEmail(tenant, mail('k-outbox'))).status).toBe('stored');
    expect((await deliverEmail(tenant, mail('k-outbox'))).status).toBe('already-sent');
    const r = await database.query<{ n: string }>(`select count(*)::text as n from email_outbox where idempotency_key = 'k-outbox'`);
    expect(r.rows[0].n).toBe('1');
  });

  it('sends through Resend with the idempotency key, and a retry after the send sends nothing more', async () => {
    calls.length = 0;
    expect((await deliverEmail(tenant, mail('k-resend'), { apiKey: 're_test' })).status).toBe('sent');
    expect((await deliverEmail(tenant, mail('k-resend'), { apiKey: 're_test' })).status).toBe('already-sent');
    expect(calls).toHaveLength(1);
    expect(calls[0].key).toBe('k-resend');
    expect(calls[0].body.subject).toContain('is ready');
    const row = await database.query<{ status: string; provider_id: string }>(`select status, provider_id from email_outbox where idempotency_key = 'k-resend'`);
    expect(row.rows[0]).toEqual({ status: 'sent', provider_id: 'email-1' });
  });

  it('a failed send is retried with the same key and then recorded once', async () => {
    calls.length = 0;
    failNext = true;
    await expect(deliverEmail(tenant, mail('k-retry'), { apiKey: 're_test' })).rejects.toThrow(/Resend refused/);
    expect((await deliverEmail(tenant, mail('k-retry'), { apiKey: 're_test' })).status).toBe('sent');
    expect(calls.map((c) => c.key)).toEqual(['k-retry', 'k-retry']);
    const r = await database.query<{ n: string }>(`select count(*)::text as n from email_outbox where idempotency_key = 'k-retry'`);
    expect(r.rows[0].n).toBe('1');
  });

  it('mail to an address that is no confirmed member of the account stays in the outbox, and says why', async () => {
    calls.length = 0;
    const stranger = { ...mail('k-stranger'), to: 'someone-else@example.com' };
    expect((await deliverEmail(tenant, stranger, { apiKey: 're_test' })).status).toBe('held');
    await database.query(`update users set email_verified = false where email = 'ana@example.com'`);
    expect((await deliverEmail(tenant, mail('k-unconfirmed'), { apiKey: 're_test' })).status).toBe('held');
    await database.query(`update users set email_verified = true where email = 'ana@example.com'`);
    expect(calls).toHaveLength(0);
    const r = await database.query<{ status: string; error: string }>(`select status, error from email_outbox where idempotency_key in ('k-stranger', 'k-unconfirmed') order by idempotency_key`);
    expect(r.rows).toEqual([
      { status: 'stored', error: 'Kept here: the address is not a confirmed member of the account.' },
      { status: 'stored', error: 'Kept here: the address is not a confirmed member of the account.' },
    ]);
  });
});
