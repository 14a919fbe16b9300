import 'server-only';
import type { Tenant } from './tenant';

export interface MailboxMessage {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  status: string;
  createdAt: Date;
}

/** The account's outgoing mail (the dev mailbox when no email provider is configured). */
export async function listMailbox({ db, accountId }: Tenant, limit = 50): Promise<MailboxMessage[]> {
  const r = await db.query<{ id: string; to: string; subject: string; text: string; html: string; status: string; created_at: Date }>(
    `select id, "to", subject, text, html, status, created_at from email_outbox where account_id = $1 order by created_at desc limit $2`,
    [accountId, limit],
  );
  return r.rows.map((m) => ({ ...m, createdAt: new Date(m.created_at) }));
}
