// The mail of signing up: the link that confirms an address, and the notice to an address that already has an
// account (sign-up answers both the same way, so only the inbox's owner learns which it was). Neither carries
// words the person signing up chose, so Facet cannot be made to mail a stranger someone else's text.
import 'server-only';
import type { Database } from '@/db/client';
import { env } from '@/lib/env';
import { deliverAccountEmail } from './email';

const TEN_MINUTES = 10 * 60_000;
const HOUR = 60 * 60_000;
/** how long a confirmation link works (lib/auth.ts gives better-auth the same) */
export const CONFIRMATION_LINK_SECONDS = 24 * 60 * 60;

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function confirmationUrl(token: string): string {
  return `${env.APP_URL}/verify-email?token=${encodeURIComponent(token)}`;
}

/**
 * Mails the confirmation link; at most one per address every ten minutes (a second request inside them sends nothing).
 * Without an email provider the link is written to the server log, the only place it can go.
 */
export async function sendAddressConfirmation(database: Database, user: { id: string; email: string }, token: string, now = Date.now()): Promise<string> {
  const url = confirmationUrl(token);
  const res = await deliverAccountEmail(database, {
    idempotencyKey: `confirm-${user.id}-${Math.floor(now / TEN_MINUTES)}`,
    to: user.email,
    subject: 'Confirm your email address for Facet',
    text: `Open this link within 24 hours to confirm your email address and sign in to Facet:\n\n${url}\n\nIf you did not create a Facet account, ignore this message.\n`,
    html: `<p>Open this link within 24 hours to confirm your email address and sign in to Facet:</p><p><a href="${esc(url)}">Confirm my email address</a></p><p>If you did not create a Facet account, ignore this message.</p>`,
  });
  if (res.status === 'stored') console.log(`[facet] no RESEND_API_KEY: the confirmation link for ${user.email} is ${url}`);
  return res.status;
}

/** Tells the owner of an address that someone tried to sign up with it; at most once an hour. */
export async function sendExistingAccountNotice(database: Database, user: { id: string; email: string }, now = Date.now()): Promise<string> {
  const signIn = `${env.APP_URL}/sign-in`;
  const res = await deliverAccountEmail(database, {
    idempotencyKey: `signup-notice-${user.id}-${Math.floor(now / HOUR)}`,
    to: user.email,
    subject: 'Someone tried to create a Facet account with your address',
    text: `Someone, perhaps you, tried to create a Facet account with this email address, which already has one. Nothing changed.\n\nIf it was you, sign in: ${signIn}\n\nIf not, you can ignore this message.\n`,
    html: `<p>Someone, perhaps you, tried to create a Facet account with this email address, which already has one. Nothing changed.</p><p>If it was you, <a href="${esc(signIn)}">sign in</a>. If not, you can ignore this message.</p>`,
  });
  return res.status;
}
