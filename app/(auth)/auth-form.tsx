'use client';

import Link from 'next/link';
import { useActionState, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardFooter, CardHeader } from '@/components/ui/card';
import { FieldError } from '@/components/ui/field-error';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import type { AuthFormState } from './actions';

interface Field {
  name: string;
  label: string;
  type: string;
  autoComplete: string;
  defaultValue?: string;
}

export function AuthForm({
  mode,
  action,
  fields,
  next,
  hint,
}: {
  mode: 'sign-in' | 'sign-up';
  action: (prev: AuthFormState, form: FormData) => Promise<AuthFormState>;
  fields: Field[];
  next?: string;
  hint?: React.ReactNode;
}) {
  const [state, formAction, pending] = useActionState(action, null);
  // controlled fields: what the person typed stays after a refused submission
  const [values, setValues] = useState<Record<string, string>>({});
  const errors = state && !state.ok ? state.fieldErrors ?? {} : {};
  const title = mode === 'sign-in' ? 'Sign in to Facet' : 'Create your Facet account';
  return (
    <Card className="w-full max-w-sm">
      <CardHeader>
        <h1 data-slot="card-title" className="text-xl font-semibold leading-none tracking-tight">
          {title}
        </h1>
        <CardDescription>
          {mode === 'sign-in' ? 'Persona sets for your customer base.' : 'A workspace of your own, in a minute.'}
        </CardDescription>
      </CardHeader>
      <form action={formAction} noValidate>
        <CardContent className="space-y-4">
          {next ? <input type="hidden" name="next" value={next} /> : null}
          {fields.map((f) => (
            <div key={f.name} className="space-y-1.5">
              <Label htmlFor={f.name}>{f.label}</Label>
              <Input
                id={f.name}
                name={f.name}
                type={f.type}
                autoComplete={f.autoComplete}
                value={values[f.name] ?? f.defaultValue ?? ''}
                onChange={(e) => setValues((v) => ({ ...v, [f.name]: e.target.value }))}
                aria-invalid={errors[f.name] ? true : undefined}
                aria-describedby={errors[f.name] ? `${f.name}-error` : undefined}
                required
              />
              <FieldError id={`${f.name}-error`} message={errors[f.name]} />
            </div>
          ))}
          {state && !state.ok && !Object.keys(errors).length ? (
            <p role="alert" className="text-sm text-destructive">
              {state.error}
            </p>
          ) : null}
          {state?.ok ? (
            <p role="status" className="rounded-md bg-muted px-3 py-2 text-sm">
              {state.data.notice}
            </p>
          ) : null}
          {hint}
        </CardContent>
        <CardFooter className="mt-6 flex flex-col gap-3">
          <Button type="submit" className="w-full" disabled={pending}>
            {pending ? 'Please wait…' : mode === 'sign-in' ? 'Sign in' : 'Create account'}
          </Button>
          <p className="text-sm text-muted-foreground">
            {mode === 'sign-in' ? (
              <>
                New to Facet? <Link className="text-primary underline-offset-4 hover:underline" href="/sign-up">Create an account</Link>
              </>
            ) : (
              <>
                Already have an account? <Link className="text-primary underline-offset-4 hover:underline" href="/sign-in">Sign in</Link>
              </>
            )}
          </p>
        </CardFooter>
      </form>
    </Card>
  );
}
