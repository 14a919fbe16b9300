import 'server-only';
import { Resend } from 'resend';
import { env } from '@/lib/env';
import type { Tenant } from './tenant';

export interface OutgoingEmail {
  /** one email per key, ever: a retried job sends nothing twice */
  idempotencyKey: string;
  to: string;
  subject: string;
  html: string;
  text: string;
}

/**
 * Why product mail to `to` stays in the outbox instead of leaving: Facet mails only a confirmed member of the
 * account, and never for the demo account (its address is nobody's, its persona set names anybody's).
 */
async function holdReason(database: Tenant['db'], accountId: string, to: string): Promise<string | null> {
  const r = await database.query<{ is_demo: boolean; confirmed: boolean }>(
    `select a.is_demo, exists (select 1 from members m join users u on u.id = m.user_id
       where m.account_id = a.id and lower(u.email) = lower($2) and u.email_verified) as confirmed
     from accounts a where a.id = $1`,
    [accountId, to],
  );
  const account = r.rows[0];
  if (!account) return 'Kept here: the account is gone.';
  if (account.is_demo) return 'Kept here: the demo account sends no email.';
  if (!account.confirmed) return 'Kept here: the address is not a confirmed member of the account.';
  return null;
}

/**
 * Sends through Resend when RESEND_API_KEY is set (with the same Idempotency-Key on every retry), otherwise keeps
 * the message in the outbox for the dev mailbox. The outbox row is written first, so a crash between the two
 * is repaired by the retry without a second message. An account's mail leaves only for a confirmed member of it.
 */
export function deliverEmail(tenant: Tenant, mail: OutgoingEmail, opts: { apiKey?: string } = {}): Promise<DeliveryStatus> {
  return deliver(tenant.db, tenant.accountId, mail, opts);
}

/**
 * Mail about sign-in itself (confirm your address, someone used your address): sent whether or not the address is
 * confirmed, and kept under no account, so that no mailbox in the app shows its link.
 */
export function deliverAccountEmail(database: Tenant['db'], mail: OutgoingEmail, opts: { apiKey?: string } = {}): Promise<DeliveryStatus> {
  return deliver(database, null, mail, opts);
}

type DeliveryStatus = { status: 'sent' | 'stored' | 'held' | 'already-sent' };

async function deliver(database: Tenant['db'], accountId: string | null, mail: OutgoingEmail, opts: { apiKey?: string }): Promise<DeliveryStatus> {
  const apiKey = opts.apiKey ?? env.RESEND_API_KEY;
  await database.query(
    `insert into email_outbox (account_id, idempotency_key, "to", subject, html, text, status)
     values ($1, $2, $3, $4, $5, $6, 'pending') on conflict (idempotency_key) do nothing`,
    [accountId, mail.idempotencyKey, mail.to, mail.subject, mail.html, mail.text],
  );
  const row = await database.query<{ status: string }>('select status from email_outbox where idempotency_key = $1', [mail.idempotencyKey]);
  if (row.rows[0]?.status === 'sent' || row.rows[0]?.status === 'stored') return { status: 'already-sent' };
  if (!apiKey) {
    await database.query(`update email_outbox set status = 'stored' where idempotency_key = $1`, [mail.idempotencyKey]);
    return { status: 'stored' };
  }
  const held = accountId ? await holdReason(database, accountId, mail.to) : null;
  if (held) {
    await database.query(`update email_outbox set status = 'stored', error = $2 where idempotency_key = $1`, [mail.idempotencyKey, held]);
    return { status: 'held' };
  }
  const resend = new Resend(apiKey);
  const { data, error } = await resend.emails.send(
    { from: env.EMAIL_FROM, to: mail.to, subject: mail.subject, html: mail.html, text: mail.text },
    { idempotencyKey: mail.idempotencyKey },
  );
  if (error) {
    await database.query(`update email_outbox set error = $1 where idempotency_key = $2`, [error.message, mail.idempotencyKey]);
    throw new Error(`Resend refused the email: ${error.message}`);
  }
  await database.query(`update email_outbox set status = 'sent', provider_id = $1, sent_at = now(), error = null where idempotency_key = $2`, [
    data?.id ?? null,
    mail.idempotencyKey,
  ]);
  return { status: 'sent' };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The "your persona set is ready" or "could not be built" message. */
export function personaSetEmail(input: {
  setName: string;
  setUrl: string;
  outcome: 'built' | 'failed';
  personas?: { name: string; size: number }[];
  reason?: string;
}): { subject: string; html: string; text: string } {
  if (input.outcome === 'failed') {
    const reason = input.reason ?? 'An unknown error';
    return {
      subject: `Persona set “${input.setName}” could not be built`,
      text: `Your persona set “${input.setName}” could not be built.\n\nReason: ${reason}\n\nOpen it to retry: ${input.setUrl}\n`,
      html: `<p>Your persona set <strong>${esc(input.setName)}</strong> could not be built.</p><p>Reason: ${esc(reason)}</p><p><a href="${esc(input.setUrl)}">Open it to retry</a></p>`,
    };
  }
  const list = input.personas ?? [];
  const total = list.reduce((s, p) => s + p.size, 0) || 1;
  const lines = list.map((p) => `- ${p.name}: ${p.size.toLocaleString('en-US')} people (${Math.round((p.size / total) * 100)}%)`);
  return {
    subject: `Your persona set “${input.setName}” is ready: ${list.length} personas`,
    text: `Your persona set “${input.setName}” is ready.\n\n${lines.join('\n')}\n\nSee it: ${input.setUrl}\n`,
    html: `<p>Your persona set <strong>${esc(input.setName)}</strong> is ready.</p><ul>${list
      .map((p) => `<li><strong>${esc(p.name)}</strong>: ${p.size.toLocaleString('en-US')} people (${Math.round((p.size / total) * 100)}%)</li>`)
      .join('')}</ul><p><a href="${esc(input.setUrl)}">See the personas</a></p>`,
  };
}
