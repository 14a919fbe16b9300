import * as React from 'react';

import { cn } from '@/lib/utils';

type FieldErrorProps = React.ComponentProps<'p'> & {
  /** Error text; an array renders one message per line. Nothing renders when empty. */
  message?: string | readonly string[] | null;
};

/**
 * Inline form-field error. Give it an `id` and point the input's
 * `aria-describedby` at it (and set `aria-invalid` on the input).
 */
function FieldError({ className, message, children, ...props }: FieldErrorProps) {
  const messages = (Array.isArray(message) ? message : message ? [message] : []).filter(Boolean);
  const content =
    children ??
    (messages.length > 1 ? (
      <span className="flex flex-col gap-0.5">
        {messages.map((m, i) => (
          <span key={i}>{m}</span>
        ))}
      </span>
    ) : (
      messages[0]
    ));

  if (content == null || content === false || content === '') return null;

  return (
    <p
      role="alert"
      data-slot="field-error"
      className={cn('text-sm font-medium text-destructive', className)}
      {...props}
    >
      {content}
    </p>
  );
}

export { FieldError, type FieldErrorProps };
