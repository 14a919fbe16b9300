'use client';

import * as React from 'react';
import * as ProgressPrimitive from '@radix-ui/react-progress';

import { cn } from '@/lib/utils';

type ProgressProps = React.ComponentProps<typeof ProgressPrimitive.Root> & {
  /** Extra classes for the filled bar (e.g. `bg-chart-3` for a persona colour). */
  indicatorClassName?: string;
};

/**
 * Accessible progress bar (role="progressbar" with aria-valuemin/max/now from Radix).
 * Pass `value={null}` (or omit it) for an indeterminate state. Give it an
 * `aria-label` or `aria-labelledby` so assistive tech knows what is progressing.
 */
function Progress({ className, indicatorClassName, value, max = 100, ...props }: ProgressProps) {
  const pct =
    value == null || !Number.isFinite(value) || max <= 0
      ? null
      : Math.min(100, Math.max(0, (value / max) * 100));
  return (
    <ProgressPrimitive.Root
      data-slot="progress"
      value={value == null ? null : Math.min(Math.max(value, 0), max)}
      max={max}
      className={cn('relative h-2 w-full overflow-hidden rounded-full bg-primary/15', className)}
      {...props}
    >
      <ProgressPrimitive.Indicator
        // a bar that turns from indeterminate to a value is a new bar: it does not slide from full to its value
        key={pct === null ? 'indeterminate' : 'value'}
        data-slot="progress-indicator"
        className={cn(
          'h-full w-full flex-1 bg-primary transition-transform duration-300 ease-out',
          pct === null && 'w-1/3 animate-pulse',
          indicatorClassName,
        )}
        style={{ transform: `translateX(-${100 - (pct ?? 100)}%)` }}
      />
    </ProgressPrimitive.Root>
  );
}

export { Progress, type ProgressProps };
