'use client';

import * as React from 'react';
import { Switch } from '@/components/ui/switch';
import { toast } from '@/components/ui/toast';
import type { PersonaSetActions } from './persona-set-actions';

/** "Show in Explore": flips at once, saves in the background, flips back with a message if saving fails. */
export function ExploreSwitch({
  id,
  name,
  checked,
  disabled,
  setShowInExploreAction,
}: { id: string; name: string; checked: boolean; disabled?: boolean } & Pick<PersonaSetActions, 'setShowInExploreAction'>) {
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
