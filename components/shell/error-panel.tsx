'use client';

import Link from 'next/link';
import { Button } from '@/components/ui/button';

/** What an error boundary shows: what failed, its reference, a retry and a way back. */
export function ErrorPanel({
  title,
  error,
  reset,
  backHref = '/persona-sets',
  backLabel = 'Back to persona sets',
}: {
  title: string;
  error: Error & { digest?: string };
  reset: () => void;
  backHref?: string;
  backLabel?: string;
}) {
  return (
    <div role="alert" className="mx-auto mt-16 max-w-md space-y-4 text-center">
      <h2 className="text-xl font-semibold">{title}</h2>
      <p className="text-sm text-muted-foreground">
        {error.digest ? `Error reference ${error.digest}. ` : ''}Try again, or go back.
      </p>
      <div className="flex justify-center gap-2">
        <Button onClick={reset}>Try again</Button>
        <Button variant="outline" asChild>
          <Link href={backHref}>{backLabel}</Link>
        </Button>
      </div>
    </div>
  );
}
