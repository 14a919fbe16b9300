import * as React from 'react';

import { cn } from '@/lib/utils';

type SeparatorProps = React.ComponentProps<'div'> & {
  orientation?: 'horizontal' | 'vertical';
  /** Purely visual (default). Set false to expose role="separator" to assistive tech. */
  decorative?: boolean;
};

function Separator({
  className,
  orientation = 'horizontal',
  decorative = true,
  ...props
}: SeparatorProps) {
  const semantic = decorative
    ? { role: 'none' as const }
    : {
        role: 'separator' as const,
        // aria-orientation defaults to horizontal for role=separator.
        ...(orientation === 'vertical' ? { 'aria-orientation': 'vertical' as const } : {}),
      };
  return (
    <div
      data-slot="separator"
      data-orientation={orientation}
      {...semantic}
      className={cn(
        'shrink-0 bg-border',
        orientation === 'horizontal' ? 'h-px w-full' : 'h-full w-px self-stretch',
        className,
      )}
      {...props}
    />
  );
}

export { Separator, type SeparatorProps };
