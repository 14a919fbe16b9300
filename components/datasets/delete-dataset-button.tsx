'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { Trash2 } from 'lucide-react';
import type { ActionResult } from '@/components/action-types';
import { Button } from '@/components/ui/button';

type Result = ActionResult<unknown>;

/** Removes a dataset and its file (people and orders it loaded stay), after a confirmation. */
export function DeleteDatasetButton({ datasetId, name, action }: { datasetId: string; name: string; action: (input: { datasetId: string }) => Promise<Result> }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="flex items-center gap-2">
      {error ? (
        <span role="alert" className="text-sm text-destructive">
          {error}
        </span>
      ) : null}
      <Button
        type="button"
        variant="outline"
        className="gap-2"
        disabled={pending}
        onClick={() => {
          if (!window.confirm(`Remove the dataset "${name}"? The people and orders it loaded stay in your account.`)) return;
          start(async () => {
            const r = await action({ datasetId });
            if (r.ok) router.push('/datasets');
            else setError(r.error);
          });
        }}
      >
        <Trash2 className="size-4" aria-hidden /> Remove
      </Button>
    </div>
  );
}
