'use client';

import Link from 'next/link';
import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardFooter, CardHeader } from '@/components/ui/card';
import type { AuthFormState } from '../actions';

export function VerifyEmailForm({
  token,
  action,
}: {
  token: string;
  action: (prev: AuthFormState, form: FormData) => Promise<AuthFormState>;
}) {
  const [state, formAction, pending] = useActionState(action, null);
  return (
    <Card className="w-full max-w-sm">
      <CardHeader>
        <h1 data-slot="card-title" className="text-xl font-semibold leading-none tracking-tight">
          Confirm your email address
        </h1>
        <CardDescription>Confirming it lets Facet email you and lets you make API keys.</CardDescription>
      </CardHeader>
      <form action={formAction}>
        <CardContent className="space-y-4">
          <input type="hidden" name="token" value={token} />
          {!token ? <p className="text-sm text-destructive">This link is incomplete. Open the link from the email again.</p> : null}
          {state && !state.ok ? (
            <p role="alert" className="text-sm text-destructive">
              {state.error}
            </p>
          ) : null}
        </CardContent>
        <CardFooter className="mt-6 flex flex-col gap-3">
          <Button type="submit" className="w-full" disabled={pending || !token}>
            {pending ? 'Please wait…' : 'Confirm and sign in'}
          </Button>
          <p className="text-sm text-muted-foreground">
            <Link className="text-primary underline-offset-4 hover:underline" href="/sign-in">
              Sign in instead
            </Link>
          </p>
        </CardFooter>
      </form>
    </Card>
  );
}
