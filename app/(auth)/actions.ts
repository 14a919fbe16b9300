'use server';

import { APIError } from 'better-auth/api';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { getAuth, getViewer } from '@/lib/auth';
import { fieldErrorsOf, failure, type ActionResult } from '@/lib/action';
import { withClientAddress } from '@/lib/client-address';
import { sameOriginPath } from '@/lib/redirect';
import { signInSchema, signUpNotice, signUpSchema, verifyEmailSchema } from './schema';

/** null before the first submission; `data.notice` is what the form says after a submission that went through */
export type AuthFormState = ActionResult<{ notice: string }> | null;

const tooMany = (err: APIError) => (err.statusCode === 429 ? { ok: false as const, error: String(err.body?.message ?? err.message) } : null);

/** The request's headers with the client's address resolved, as better-auth's own endpoints see them. */
const authHeaders = async () => withClientAddress(await headers());

export async function signInAction(_prev: AuthFormState, form: FormData): Promise<AuthFormState> {
  const parsed = signInSchema.safeParse({ email: form.get('email'), password: form.get('password') });
  if (!parsed.success) return { ok: false, error: 'Please check the highlighted fields.', fieldErrors: fieldErrorsOf(parsed.error) };
  try {
    const auth = await getAuth();
    await auth.api.signInEmail({ body: parsed.data, headers: await authHeaders() });
  } catch (err) {
    if (err instanceof APIError) return tooMany(err) ?? { ok: false, error: 'Wrong email or password.' };
    return failure(err);
  }
  redirect(sameOriginPath(form.get('next')));
}

export async function signUpAction(_prev: AuthFormState, form: FormData): Promise<AuthFormState> {
  const parsed = signUpSchema.safeParse({ name: form.get('name'), email: form.get('email'), password: form.get('password') });
  if (!parsed.success) return { ok: false, error: 'Please check the highlighted fields.', fieldErrors: fieldErrorsOf(parsed.error) };
  try {
    const auth = await getAuth();
    // a taken address gets a look-alike answer from better-auth and its owner a notice (lib/auth.ts)
    await auth.api.signUpEmail({ body: parsed.data, headers: await authHeaders() });
  } catch (err) {
    if (err instanceof APIError) {
      const limited = tooMany(err);
      if (limited) return limited;
      const msg = String(err.body?.message ?? err.message);
      if (/password/i.test(msg)) return { ok: false, error: msg, fieldErrors: { password: [msg] } };
      return { ok: false, error: 'We could not create the account. Please try again.' };
    }
    return failure(err);
  }
  return { ok: true, data: { notice: signUpNotice(parsed.data.email) } };
}

/** Sends the signed-in person's confirmation link again (at most one leaves every ten minutes). */
export async function resendConfirmationAction(): Promise<ActionResult<{ notice: string }>> {
  const viewer = await getViewer();
  if (!viewer) return { ok: false, error: 'You are signed out. Sign in again.' };
  if (viewer.emailVerified) return { ok: true, data: { notice: 'Your email address is confirmed.' } };
  try {
    const auth = await getAuth();
    await auth.api.sendVerificationEmail({ body: { email: viewer.email }, headers: await authHeaders() });
  } catch (err) {
    if (err instanceof APIError) return tooMany(err) ?? { ok: false, error: 'We could not send the link. Please try again.' };
    return failure(err);
  }
  return { ok: true, data: { notice: `We sent a new link to ${viewer.email}.` } };
}

/** The confirmation link's page posts here: confirms the address, signs its owner in, and opens Facet. */
export async function verifyEmailAction(_prev: AuthFormState, form: FormData): Promise<AuthFormState> {
  const parsed = verifyEmailSchema.safeParse({ token: form.get('token') });
  if (!parsed.success) return { ok: false, error: 'This link is incomplete. Open the link from the email again.' };
  try {
    const auth = await getAuth();
    await auth.api.verifyEmail({ query: { token: parsed.data.token }, headers: await authHeaders() });
  } catch (err) {
    if (err instanceof APIError)
      return { ok: false, error: 'This link has expired or is not valid. Sign in and send a new one from the banner at the top.' };
    return failure(err);
  }
  redirect('/persona-sets');
}

export async function signOutAction(): Promise<void> {
  const auth = await getAuth();
  await auth.api.signOut({ headers: await headers() });
  redirect('/sign-in');
}
