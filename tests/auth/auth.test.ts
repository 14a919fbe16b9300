import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { setDatabase, type Database } from '@/db/client';
import { createPasswordUser } from '@/scripts/seed';
import { testDatabases } from '../helpers/db';

// lib/auth reads request headers through next/headers; here there is no request
vi.mock('next/headers', () => ({ headers: async () => new Headers(), cookies: async () => ({ get: () => undefined, set: () => {} }) }));

describe.each(testDatabases())('auth on $name', (target) => {
  let database: Database;
  beforeAll(async () => {
    database = await target.open();
    setDatabase(database);
  });
  afterAll(async () => {
    setDatabase(undefined);
    (globalThis as { __facetAuth?: unknown }).__facetAuth = undefined;
    await target.dispose(database);
  });

  it('sign-up makes a user with a workspace account of their own', async () => {
    const { getAuth } = await import('@/lib/auth');
    const auth = await getAuth();
    const res = await auth.api.signUpEmail({ body: { name: 'Ana Analyst', email: 'ana@example.com', password: 'long-enough-pw' } });
    expect(res.user.email).toBe('ana@example.com');
    const m = await database.query<{ name: string; role: string }>(
      `select a.name, m.role from members m join accounts a on a.id = m.account_id where m.user_id = $1`,
      [res.user.id],
    );
    expect(m.rows).toEqual([{ name: "Ana Analyst's workspace", role: 'owner' }]);
  });

  it('a taken email creates nothing, answered like a new one (no session either way)', async () => {
    const { getAuth } = await import('@/lib/auth');
    const auth = await getAuth();
    const res = await auth.api.signUpEmail({ body: { name: 'Other', email: 'ana@example.com', password: 'another-password' } });
    expect(res.token).toBeNull();
    expect(res.user.email).toBe('ana@example.com');
    const n = await database.query<{ n: string }>('select count(*)::text as n from accounts');
    expect(n.rows[0].n).toBe('1');
  });

  it('a password shorter than 8 characters is refused', async () => {
    const { getAuth } = await import('@/lib/auth');
    const auth = await getAuth();
    await expect(auth.api.signUpEmail({ body: { name: 'Bo', email: 'bo@example.com', password: 'short' } })).rejects.toThrow(/short/i);
  });

  it('sign-in works with the right password only, for users made by the seed too', async () => {
    const { getAuth } = await import('@/lib/auth');
    const auth = await getAuth();
    const acct = await database.query<{ id: string }>(`insert into accounts (name, slug) values ('Seeded', 'seeded') returning id`);
    await createPasswordUser(database, { email: 'seeded@example.com', password: 'seeded-password', name: 'Seeded', accountId: acct.rows[0].id });
    const ok = await auth.api.signInEmail({ body: { email: 'seeded@example.com', password: 'seeded-password' } });
    expect(ok.user.email).toBe('seeded@example.com');
    expect(ok.token).toBeTruthy();
    await expect(auth.api.signInEmail({ body: { email: 'seeded@example.com', password: 'wrong-password' } })).rejects.toThrow();
  });
});
