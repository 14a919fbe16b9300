'use client';

import * as React from 'react';
import type { ServerAction } from '@/components/action-types';
import { Switch } from '@/components/ui/switch';
import { toast } from '@/components/ui/toast';

/** The opt-in to the "ready" email of persona sets created through the API; saves at once, flips back on failure. */
export function NotifyApiSetsSwitch({
  checked,
  setNotifyApiSetsReadyAction,
}: {
  checked: boolean;
  setNotifyApiSetsReadyAction: ServerAction<{ on: boolean }, { notifyApiSetsReady: boolean }>;
}) {
  const [on, setOn] = React.useState(checked);
  const [pending, start] = React.useTransition();
  const change = (next: boolean) =>
    start(async () => {
      setOn(next);
      const res = await setNotifyApiSetsReadyAction({ on: next });
      if (!res.ok) {
        setOn(!next);
        toast({ title: 'Could not save', description: res.error, variant: 'destructive' });
      }
    });
  return (
    <label className="flex items-center justify-between gap-4 text-sm">
      <span>
        <span className="font-medium">Persona sets created through the API</span>
        <span className="block text-muted-foreground">Email me when one is ready or could not be built (nobody in the app created it).</span>
      </span>
      <Switch checked={on} onCheckedChange={change} disabled={pending} aria-label="Email me when a persona set created through the API is ready" />
    </label>
  );
}
