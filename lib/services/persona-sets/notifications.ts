// Who hears that a persona set is ready (or failed): its creator, and for sets created through the API (no person
// created them) the account's members who opted in. Each member keeps the opt-in on their membership.
import 'server-only';
import { env } from '@/lib/env';
import { deliverEmail, personaSetEmail } from '../email';
import { assertNotReadOnlyDemo } from '../account-guards';
import { ServiceError } from '../errors';
import { getPersonaSetOrThrow } from './sets';
import type { Tenant } from '../tenant';

export interface Recipient {
  userId: string;
  email: string;
}

export async function readyEmailRecipients(tenant: Tenant, personaSetId: string): Promise<Recipient[]> {
  const { db, accountId } = tenant;
  await getPersonaSetOrThrow(tenant, personaSetId);
  const r = await db.query<{ id: string; email: string }>(
    `select u.id, u.email from persona_sets s join users u on u.id = s.created_by where s.id = $1 and s.account_id = $2
     union
     select u.id, u.email from persona_sets s join members m on m.account_id = s.account_id and m.notify_api_sets_ready
       join users u on u.id = m.user_id
     where s.id = $1 and s.account_id = $2 and s.created_via = 'api'
     order by 2`,
    [personaSetId, accountId],
  );
  return r.rows.map((x) => ({ userId: x.id, email: x.email }));
}

export async function getNotificationSettings({ db, accountId, userId }: Tenant): Promise<{ notifyApiSetsReady: boolean }> {
  if (!userId) throw new ServiceError('forbidden', 'Only a signed-in person has notification settings');
  const r = await db.query<{ notify_api_sets_ready: boolean }>('select notify_api_sets_ready from members where account_id = $1 and user_id = $2', [accountId, userId]);
  return { notifyApiSetsReady: r.rows[0]?.notify_api_sets_ready ?? false };
}

export async function setNotifyApiSetsReady(tenant: Tenant, on: boolean): Promise<{ notifyApiSetsReady: boolean }> {
  const { db, accountId, userId } = tenant;
  await assertNotReadOnlyDemo(tenant, 'notification settings');
  if (!userId) throw new ServiceError('forbidden', 'Only a signed-in person has notification settings');
  const r = await db.query<{ notify_api_sets_ready: boolean }>(
    'update members set notify_api_sets_ready = $3 where account_id = $1 and user_id = $2 returning notify_api_sets_ready',
    [accountId, userId, on],
  );
  if (!r.rows.length) throw new ServiceError('forbidden', 'You are not a member of this account');
  return { notifyApiSetsReady: r.rows[0].notify_api_sets_ready };
}

/**
 * The "ready" (or "could not be built") email of one build to each recipient, once: the creator's message keeps the
 * key it always had, an opted-in member's adds their id.
 */
export async function emailBuildOutcome(
  tenant: Tenant,
  personaSetId: string,
  buildVersion: number,
  outcome: 'built' | 'failed',
  reason?: string,
): Promise<{ sent: number; skipped?: string }> {
  const { db, accountId } = tenant;
  const set = await getPersonaSetOrThrow(tenant, personaSetId);
  const recipients = await readyEmailRecipients(tenant, personaSetId);
  if (!recipients.length) return { sent: 0, skipped: 'nobody to tell' };
  const personas =
    outcome === 'built'
      ? (
          await db.query<{ name: string; size: number }>(
            'select name, size from personas where account_id = $1 and persona_set_id = $2 and retired_at is null order by position',
            [accountId, personaSetId],
          )
        ).rows
      : undefined;
  const mail = personaSetEmail({ setName: set.name, setUrl: `${env.APP_URL}/persona-sets/${personaSetId}`, outcome, personas, reason });
  const base = `persona-set-${personaSetId}-v${buildVersion}-${outcome}`;
  for (const r of recipients)
    await deliverEmail(tenant, { idempotencyKey: r.userId === set.createdBy ? base : `${base}-${r.userId}`, to: r.email, ...mail });
  return { sent: recipients.length };
}
