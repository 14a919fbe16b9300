// What an account may do before it has proved who it is: the public demo writes nothing outside persona sets, and a
// person whose email address is unconfirmed makes no API keys (lib/services/email.ts holds their mail).
import 'server-only';
import { demoMode } from '@/lib/env';
import { ServiceError } from './errors';
import type { Tenant } from './tenant';

/** Refuses a write of the demo account outside persona sets, unless the demo is writable here. */
export async function assertNotReadOnlyDemo({ db, accountId }: Tenant, what: string): Promise<void> {
  if (demoMode() === 'writable') return;
  const r = await db.query<{ is_demo: boolean }>('select is_demo from accounts where id = $1', [accountId]);
  if (r.rows[0]?.is_demo)
    throw new ServiceError('forbidden', `The demo account is read-only for ${what}: persona sets are yours to try. Create an account of your own to do this.`);
}

/** Refuses work that needs the acting person's email address confirmed (work no person started is let through). */
export async function assertEmailConfirmed({ db, accountId, userId }: Tenant, what: string): Promise<void> {
  if (!userId) return;
  const r = await db.query<{ email_verified: boolean }>(
    'select u.email_verified from users u join members m on m.user_id = u.id and m.account_id = $2 where u.id = $1',
    [userId, accountId],
  );
  if (!r.rows[0]?.email_verified)
    throw new ServiceError('forbidden', `Confirm your email address before ${what}: open the link we sent you, or send it again from the banner above.`);
}
