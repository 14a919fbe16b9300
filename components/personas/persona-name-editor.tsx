'use client';

import * as React from 'react';
import { Check, Pencil, X } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { FieldError } from '@/components/ui/field-error';
import { Input } from '@/components/ui/input';
import { toast } from '@/components/ui/toast';
import type { PersonaSetActions } from './persona-set-actions';

/** A persona's name, editable in place: click (or Enter) to edit, Enter to save, Escape to cancel. */
export function PersonaNameEditor({
  personaSetId,
  personaId,
  name,
  renamePersonaAction,
}: { personaSetId: string; personaId: string; name: string } & Pick<PersonaSetActions, 'renamePersonaAction'>) {
  const [editing, setEditing] = React.useState(false);
  const [value, setValue] = React.useState(name);
  const [shown, setShown] = React.useState(name);
  const [error, setError] = React.useState<string[] | undefined>();
  const [pending, start] = React.useTransition();
  const inputId = `persona-name-${personaId}`;

  const save = () => {
    const next = value.trim();
    if (next === shown) {
      setEditing(false);
      return;
    }
    const before = shown;
    setShown(next);
    setEditing(false);
    start(async () => {
      const res = await renamePersonaAction({ personaSetId, personaId, name: next });
      if (!res.ok) {
        setShown(before);
        setValue(next);
        setEditing(true);
        setError(res.fieldErrors?.name ?? [res.error]);
        return;
      }
      setError(undefined);
      toast({ title: 'Persona renamed', description: `Now called ${res.data.name}.`, variant: 'success' });
    });
  };

  if (!editing)
    return (
      <div className="group flex min-w-0 items-center gap-1">
        <h3 className="truncate text-base leading-tight font-semibold" data-testid="persona-name" title={shown}>
          {shown}
        </h3>
        <Button
          variant="ghost"
          size="icon"
          className="size-7 shrink-0 opacity-60 group-hover:opacity-100 focus-visible:opacity-100"
          aria-label={`Rename ${shown}`}
          disabled={pending}
          onClick={() => {
            setValue(shown);
            setEditing(true);
          }}
        >
          <Pencil aria-hidden className="size-3.5" />
        </Button>
      </div>
    );
  return (
    <form
      className="space-y-1"
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      <div className="flex items-center gap-1">
        <label htmlFor={inputId} className="sr-only">
          Persona name
        </label>
        <Input
          id={inputId}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              setEditing(false);
              setError(undefined);
            }
          }}
          maxLength={80}
          autoFocus
          className="h-8"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${inputId}-error` : undefined}
        />
        <Button type="submit" size="icon" className="size-8 shrink-0" aria-label="Save name">
          <Check aria-hidden />
        </Button>
        <Button
          type="button"
          variant="ghost"
          size="icon"
          className="size-8 shrink-0"
          aria-label="Cancel renaming"
          onClick={() => {
            setEditing(false);
            setError(undefined);
          }}
        >
          <X aria-hidden />
        </Button>
      </div>
      <FieldError id={`${inputId}-error`} message={error} className="text-xs" />
    </form>
  );
}
