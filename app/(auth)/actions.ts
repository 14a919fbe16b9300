'use server';

import { APIError } from 'better-auth/api';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { getAuth } from '@/lib/auth';
import { fieldErrorsOf, failure, type ActionResult } from '@/lib/action';
import { signInSchema, signUpSchema } from './schema';

export type AuthFormState = ActionResult<null> | null;

function safeNext(next: FormDataEntryValue | null): string {
  const s = typeof next === 'string' ? next : '';
  return s.startsWith('/') && !s.startsWith('//') ? s : '/persona-sets';
}

export async function signInAction(_prev: AuthFormState, form: FormData): Promise<AuthFormState> {
  const parsed = signInSchema.safeParse({ email: form.get('email'), password: form.get('password') });
  if (!parsed.success) return { ok: false, error: 'Please check the highlighted fields.', fieldErrors: fieldErrorsOf(parsed.error) };
  try {
    const auth = await getAuth();
    await auth.api.signInEmail({ body: parsed.data, headers: await headers() });
  } catch (err) {
    if (err instanceof APIError) return { ok: false, error: 'Wrong email or password.' };
    return failure(err);
  }
  redirect(safeNext(form.get('next')));
}

export async function signUpAction(_prev: AuthFormState, form: FormData): Promise<AuthFormState> {
  const parsed = signUpSchema.safeParse({ name: form.get('name'), email: form.get('email'), password: form.get('password') });
  if (!parsed.success) return { ok: false, error: 'Please check the highlighted fields.', fieldErrors: fieldErrorsOf(parsed.error) };
  try {
    const auth = await getAuth();
    await auth.api.signUpEmail({ body: parsed.data, headers: await headers() });
  } catch (err) {
    if (err instanceof APIError) {
      const msg = String(err.body?.message ?? err.message);
      if (/exist/i.test(msg))
        return { ok: false, error: 'An account with this email already exists.', fieldErrors: { email: ['This email is already registered. Sign in instead.'] } };
      if (/password/i.test(msg)) return { ok: false, error: msg, fieldErrors: { password: [msg] } };
      return { ok: false, error: msg };
    }
    return failure(err);
  }
  redirect('/persona-sets');
}

export async function signOutAction(): Promise<void> {
  const auth = await getAuth();
  await auth.api.signOut({ headers: await headers() });
  redirect('/sign-in');
}
