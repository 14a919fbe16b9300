import * as React from 'react';

import { cn } from '@/lib/utils';

/** Loading placeholder. Mark the surrounding region `aria-busy` while loading. */
function Skeleton({ className, ...props }: React.ComponentProps<'div'>) {
  return (
    <div
      data-slot="skeleton"
      aria-hidden="true"
      className={cn('animate-pulse rounded-md bg-muted', className)}
      {...props}
    />
  );
}

export { Skeleton };
