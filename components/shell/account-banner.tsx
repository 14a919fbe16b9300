'use client';

import { useState, useTransition } from 'react';
import { Button } from '@/components/ui/button';

type Resend = () => Promise<{ ok: true; data: { notice: string } } | { ok: false; error: string }>;

/** What this account may not do yet, and why: a public demo's read-only parts, or an unconfirmed email address. */
export function AccountBanner({
  demoReadOnly,
  unconfirmedEmail,
  resendConfirmation,
}: {
  demoReadOnly: boolean;
  unconfirmedEmail: string | null;
  resendConfirmation: Resend;
}) {
  const [answer, setAnswer] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  if (demoReadOnly)
    return (
      <div role="note" className="mb-6 rounded-md border bg-muted px-4 py-3 text-sm" data-testid="demo-banner">
        This is Facet&apos;s public demo. Build, rename and rebuild persona sets as you like; API keys, uploads, cohorts, pipelines and
        notification settings are read-only here, and the demo sends no email. Create an account of your own for those.
      </div>
    );
  if (!unconfirmedEmail) return null;
  return (
    <div role="note" className="mb-6 flex flex-wrap items-center gap-3 rounded-md border bg-muted px-4 py-3 text-sm" data-testid="confirm-banner">
      <span className="min-w-0 flex-1">
        Confirm your email address ({unconfirmedEmail}) with the link we sent you. Until then Facet sends you no email and you cannot make API
        keys.
      </span>
      <Button
        size="sm"
        variant="outline"
        disabled={pending}
        onClick={() =>
          startTransition(async () => {
            const res = await resendConfirmation();
            setAnswer(res.ok ? res.data.notice : res.error);
          })
        }
      >
        Send the link again
      </Button>
      {answer ? <span role="status">{answer}</span> : null}
    </div>
  );
}
