'use client';

import * as React from 'react';
import { setShowInExploreAction } from '@/app/(app)/persona-sets/actions';
import { Switch } from '@/components/ui/switch';
import { toast } from '@/components/ui/toast';

/** "Show in Explore": flips at once, saves in the background, flips back with a message if saving fails. */
export function ExploreSwitch({ id, name, checked, disabled }: { id: string; name: string; checked: boolean; disabled?: boolean }) {
  const [value, setValue] = React.useState(checked);
  const [pending, setPending] = React.useState(false);
  const [prop, setProp] = React.useState(checked);
  if (prop !== checked && !pending) {
    setProp(checked);
    setValue(checked);
  }
  const change = async (next: boolean) => {
    setValue(next);
    setPending(true);
    try {
      const res = await setShowInExploreAction({ id, showInExplore: next });
      if (!res.ok) {
        setValue(!next);
        toast({ title: `Could not ${next ? 'show' : 'hide'} ${name} in Explore`, description: res.error, variant: 'destructive' });
      }
    } catch {
      setValue(!next);
      toast({ title: `Could not ${next ? 'show' : 'hide'} ${name} in Explore`, description: 'The server could not be reached.', variant: 'destructive' });
    } finally {
      setPending(false);
    }
  };
  return (
    <Switch
      checked={value}
      onCheckedChange={change}
      disabled={disabled}
      aria-label={`Show ${name} in Explore`}
      aria-busy={pending || undefined}
      data-testid="explore-switch"
    />
  );
}
