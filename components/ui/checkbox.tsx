'use client';

import * as React from 'react';
import { CheckIcon, MinusIcon } from 'lucide-react';

import { cn } from '@/lib/utils';

type CheckboxProps = Omit<React.ComponentProps<'input'>, 'type'> & {
  /** Mixed state (e.g. "select all" with a partial selection). Reported as aria-checked="mixed". */
  indeterminate?: boolean;
  /** Convenience callback receiving the new checked value. `onChange` still fires too. */
  onCheckedChange?: (checked: boolean) => void;
};

/**
 * Native `<input type="checkbox">` with custom visuals: keeps native keyboard
 * (Space), form submission and label association (`id` + `<Label htmlFor>`).
 */
function Checkbox({
  className,
  indeterminate = false,
  onCheckedChange,
  onChange,
  ref,
  ...props
}: CheckboxProps) {
  const setRef = React.useCallback(
    (el: HTMLInputElement | null) => {
      if (el) el.indeterminate = indeterminate;
      if (typeof ref === 'function') ref(el);
      else if (ref) ref.current = el;
    },
    [indeterminate, ref],
  );

  return (
    <span data-slot="checkbox-root" className="relative inline-flex size-4 shrink-0 align-middle">
      <input
        type="checkbox"
        ref={setRef}
        data-slot="checkbox"
        aria-checked={indeterminate ? 'mixed' : undefined}
        data-indeterminate={indeterminate ? '' : undefined}
        onChange={(event) => {
          onChange?.(event);
          onCheckedChange?.(event.currentTarget.checked);
        }}
        className={cn(
          'peer size-4 shrink-0 appearance-none rounded-[4px] border border-input bg-background shadow-xs transition-[color,background-color,box-shadow] outline-none',
          'checked:border-primary checked:bg-primary data-[indeterminate]:border-primary data-[indeterminate]:bg-primary',
          'focus-visible:border-ring focus-visible:ring-[3px] focus-visible:ring-ring/50',
          'disabled:cursor-not-allowed disabled:opacity-50',
          'aria-invalid:border-destructive aria-invalid:ring-destructive/20',
          className,
        )}
        {...props}
      />
      {indeterminate ? (
        <MinusIcon
          aria-hidden="true"
          className="pointer-events-none absolute inset-0 m-auto size-3.5 text-primary-foreground"
        />
      ) : (
        <CheckIcon
          aria-hidden="true"
          className="pointer-events-none absolute inset-0 m-auto hidden size-3.5 text-primary-foreground peer-checked:block"
        />
      )}
    </span>
  );
}

export { Checkbox, type CheckboxProps };
