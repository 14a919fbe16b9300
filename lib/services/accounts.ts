import 'server-only';
import { and, eq } from 'drizzle-orm';
import { accounts, members, users } from '@/db/schema';
import { ServiceError } from './errors';
import type { Tenant } from './tenant';

export function slugify(name: string): string {
  return (
    name
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 48) || 'x'
  );
}

/** Creates a workspace account for a newly signed-up user and makes them its owner (no account yet: `{ db }` only). */
export async function createAccountForUser(
  { db }: Pick<Tenant, 'db'>,
  user: { id: string; name: string; email: string },
): Promise<string> {
  const existing = await db.db.select().from(members).where(eq(members.userId, user.id)).limit(1);
  if (existing.length) return existing[0].accountId;
  const base = slugify(user.name || user.email.split('@')[0]);
  const slug = `${base}-${user.id.slice(0, 6).toLowerCase()}`;
  return db.db.transaction(async (tx) => {
    const [account] = await tx
      .insert(accounts)
      .values({ name: `${user.name || user.email}'s workspace`, slug })
      .returning({ id: accounts.id });
    await tx.insert(members).values({ accountId: account.id, userId: user.id, role: 'owner' });
    return account.id;
  });
}

/** The account a signed-in user acts for: how a session finds its tenant, so it takes `{ db }` only. */
export async function getMembershipOrThrow({ db }: Pick<Tenant, 'db'>, userId: string) {
  const rows = await db.db
    .select({ accountId: members.accountId, role: members.role, accountName: accounts.name, isDemo: accounts.isDemo })
    .from(members)
    .innerJoin(accounts, eq(accounts.id, members.accountId))
    .where(eq(members.userId, userId))
    .limit(1);
  if (!rows.length) throw new ServiceError('forbidden', 'This user belongs to no account');
  return rows[0];
}

export interface AccountMember {
  name: string;
  email: string;
  role: 'owner' | 'analyst';
  since: Date;
}

/** The people who can sign in to the tenant's account. */
export async function listAccountMembers({ db, accountId }: Tenant): Promise<AccountMember[]> {
  return db.db
    .select({ name: users.name, email: users.email, role: members.role, since: members.createdAt })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(eq(members.accountId, accountId));
}

/** Whether the address signs in to a demo account (how sign-in refuses it where the demo is off). */
export async function isDemoUserEmail({ db }: Pick<Tenant, 'db'>, email: string): Promise<boolean> {
  const rows = await db.db
    .select({ id: users.id })
    .from(users)
    .innerJoin(members, eq(members.userId, users.id))
    .innerJoin(accounts, eq(accounts.id, members.accountId))
    .where(and(eq(users.email, email.trim().toLowerCase()), eq(accounts.isDemo, true)))
    .limit(1);
  return rows.length > 0;
}
