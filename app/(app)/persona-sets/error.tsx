'use client';

import Link from 'next/link';
import { Button } from '@/components/ui/button';

export default function PersonaSetsError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert" className="mx-auto mt-16 max-w-md space-y-4 text-center">
      <h2 className="text-xl font-semibold">Persona sets could not be shown</h2>
      <p className="text-sm text-muted-foreground">{error.digest ? `Error reference ${error.digest}. ` : ''}Try again, or go back to your persona sets.</p>
      <div className="flex justify-center gap-2">
        <Button onClick={reset}>Try again</Button>
        <Button variant="outline" asChild>
          <Link href="/persona-sets">Back to persona sets</Link>
        </Button>
      </div>
    </div>
  );
}
