'use client';

import * as React from 'react';
import * as ToastPrimitive from '@radix-ui/react-toast';
import { cva, type VariantProps } from 'class-variance-authority';
import { XIcon } from 'lucide-react';

import { cn } from '@/lib/utils';

/* ------------------------------------------------------------------------------------------------
 * Styled Radix Toast parts (usable directly; most code should just call `toast()`).
 * ----------------------------------------------------------------------------------------------*/

const ToastProvider = ToastPrimitive.Provider;

function ToastViewport({
  className,
  ...props
}: React.ComponentProps<typeof ToastPrimitive.Viewport>) {
  return (
    <ToastPrimitive.Viewport
      data-slot="toast-viewport"
      className={cn(
        'fixed right-0 bottom-0 z-[100] m-0 flex max-h-screen w-full list-none flex-col-reverse gap-2 p-4 outline-none sm:max-w-[420px]',
        className,
      )}
      {...props}
    />
  );
}

const toastVariants = cva(
  [
    'group pointer-events-auto relative flex w-full items-start justify-between gap-3 overflow-hidden rounded-lg border p-4 pr-9 shadow-lg',
    'data-[state=open]:animate-slide-in data-[state=closed]:animate-slide-out',
    'data-[swipe=move]:translate-x-(--radix-toast-swipe-move-x) data-[swipe=move]:transition-none',
    'data-[swipe=cancel]:translate-x-0 data-[swipe=cancel]:transition-[translate]',
    'data-[swipe=end]:translate-x-(--radix-toast-swipe-end-x) data-[swipe=end]:animate-slide-out',
    'focus-visible:outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50',
  ],
  {
    variants: {
      variant: {
        default: 'bg-background text-foreground',
        success: 'border-l-4 border-l-success bg-background text-foreground',
        destructive: 'border-destructive bg-destructive text-destructive-foreground',
      },
    },
    defaultVariants: { variant: 'default' },
  },
);

type ToastVariant = NonNullable<VariantProps<typeof toastVariants>['variant']>;

function Toast({
  className,
  variant,
  ...props
}: React.ComponentProps<typeof ToastPrimitive.Root> & VariantProps<typeof toastVariants>) {
  return (
    <ToastPrimitive.Root
      data-slot="toast"
      data-variant={variant ?? 'default'}
      className={cn(toastVariants({ variant }), className)}
      {...props}
    />
  );
}

function ToastTitle({ className, ...props }: React.ComponentProps<typeof ToastPrimitive.Title>) {
  return (
    <ToastPrimitive.Title
      data-slot="toast-title"
      className={cn('text-sm font-semibold', className)}
      {...props}
    />
  );
}

function ToastDescription({
  className,
  ...props
}: React.ComponentProps<typeof ToastPrimitive.Description>) {
  return (
    <ToastPrimitive.Description
      data-slot="toast-description"
      className={cn('text-sm opacity-90', className)}
      {...props}
    />
  );
}

function ToastAction({ className, ...props }: React.ComponentProps<typeof ToastPrimitive.Action>) {
  return (
    <ToastPrimitive.Action
      data-slot="toast-action"
      className={cn(
        'inline-flex h-8 shrink-0 items-center justify-center self-center rounded-md border bg-transparent px-3 text-sm font-medium transition-colors hover:bg-secondary',
        'outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50 disabled:pointer-events-none disabled:opacity-50',
        'group-data-[variant=destructive]:border-destructive-foreground/40 group-data-[variant=destructive]:hover:bg-destructive-foreground/10',
        className,
      )}
      {...props}
    />
  );
}

function ToastClose({ className, ...props }: React.ComponentProps<typeof ToastPrimitive.Close>) {
  return (
    <ToastPrimitive.Close
      data-slot="toast-close"
      aria-label="Close"
      className={cn(
        'absolute top-2 right-2 rounded-md p-1 opacity-60 transition-opacity hover:opacity-100',
        'outline-none focus-visible:opacity-100 focus-visible:ring-[3px] focus-visible:ring-ring/50',
        className,
      )}
      {...props}
    >
      <XIcon className="size-4" aria-hidden="true" />
    </ToastPrimitive.Close>
  );
}

/* ------------------------------------------------------------------------------------------------
 * Imperative API: a module-level store read by <Toaster /> via useSyncExternalStore.
 * Call `toast()` from client code (event handlers, effects) — not during server rendering.
 * ----------------------------------------------------------------------------------------------*/

type ToastOptions = {
  title?: React.ReactNode;
  description?: React.ReactNode;
  variant?: ToastVariant;
  /** Milliseconds before auto-dismiss; defaults to the Toaster's duration. */
  duration?: number;
  /** Optional single action button. `altText` describes it for screen readers (defaults to label). */
  action?: { label: string; onClick: () => void; altText?: string };
};

type ToastRecord = ToastOptions & { id: string; open: boolean };

type ToastHandle = {
  id: string;
  dismiss: () => void;
  update: (patch: ToastOptions) => void;
};

const TOAST_LIMIT = 5;
/** Keep closed toasts mounted long enough for the exit animation. */
const TOAST_REMOVE_DELAY_MS = 300;
const EMPTY: readonly ToastRecord[] = [];

let toastState: readonly ToastRecord[] = EMPTY;
let toastCounter = 0;
const listeners = new Set<() => void>();
const removalTimers = new Map<string, ReturnType<typeof setTimeout>>();

function setToastState(next: readonly ToastRecord[]) {
  toastState = next;
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

const getSnapshot = () => toastState;
const getServerSnapshot = () => EMPTY;

function scheduleRemoval(id: string) {
  if (removalTimers.has(id)) return;
  removalTimers.set(
    id,
    setTimeout(() => {
      removalTimers.delete(id);
      setToastState(toastState.filter((t) => t.id !== id));
    }, TOAST_REMOVE_DELAY_MS),
  );
}

/** Close one toast by id, or all toasts when called without an id. */
function dismissToast(id?: string) {
  const closing = toastState.filter((t) => t.open && (id === undefined || t.id === id));
  if (closing.length === 0) return;
  setToastState(
    toastState.map((t) => (id === undefined || t.id === id ? { ...t, open: false } : t)),
  );
  for (const t of closing) scheduleRemoval(t.id);
}

function updateToast(id: string, patch: ToastOptions) {
  setToastState(toastState.map((t) => (t.id === id ? { ...t, ...patch } : t)));
}

function toast(options: ToastOptions): ToastHandle {
  toastCounter = (toastCounter + 1) % Number.MAX_SAFE_INTEGER;
  const id = `toast-${toastCounter}`;
  const next = [{ ...options, id, open: true }, ...toastState];
  // Drop the oldest beyond the limit (they vanish without animation).
  for (const dropped of next.slice(TOAST_LIMIT)) {
    const timer = removalTimers.get(dropped.id);
    if (timer) clearTimeout(timer);
    removalTimers.delete(dropped.id);
  }
  setToastState(next.slice(0, TOAST_LIMIT));
  return { id, dismiss: () => dismissToast(id), update: (patch) => updateToast(id, patch) };
}

toast.success = (title: React.ReactNode, options: Omit<ToastOptions, 'title' | 'variant'> = {}) =>
  toast({ ...options, title, variant: 'success' });
toast.error = (title: React.ReactNode, options: Omit<ToastOptions, 'title' | 'variant'> = {}) =>
  toast({ ...options, title, variant: 'destructive' });
toast.dismiss = dismissToast;

/** Snapshot of the toast store outside React (e.g. in tests). */
function getToasts(): readonly ToastRecord[] {
  return toastState;
}

/** Current toasts (for custom renderers/tests). Empty during server rendering. */
function useToasts(): readonly ToastRecord[] {
  return React.useSyncExternalStore(subscribe, getSnapshot, getServerSnapshot);
}

type ToasterProps = Omit<React.ComponentProps<typeof ToastPrimitive.Viewport>, 'children'> & {
  /** Default auto-dismiss time in ms (default 5000). */
  duration?: number;
  swipeDirection?: React.ComponentProps<typeof ToastPrimitive.Provider>['swipeDirection'];
};

/** Mount once (e.g. in the root layout body). Renders toasts created with `toast()`. */
function Toaster({ duration = 5000, swipeDirection = 'right', ...viewportProps }: ToasterProps) {
  const toasts = useToasts();
  return (
    <ToastProvider duration={duration} swipeDirection={swipeDirection}>
      {toasts.map((t) => (
        <Toast
          key={t.id}
          open={t.open}
          onOpenChange={(open) => {
            if (!open) dismissToast(t.id);
          }}
          variant={t.variant}
          duration={t.duration}
          // Errors are announced assertively; other toasts politely.
          type={t.variant === 'destructive' ? 'foreground' : 'background'}
        >
          <div className="grid gap-1">
            {t.title != null && <ToastTitle>{t.title}</ToastTitle>}
            {t.description != null && <ToastDescription>{t.description}</ToastDescription>}
          </div>
          {t.action && (
            <ToastAction altText={t.action.altText ?? t.action.label} onClick={t.action.onClick}>
              {t.action.label}
            </ToastAction>
          )}
          <ToastClose />
        </Toast>
      ))}
      <ToastViewport {...viewportProps} />
    </ToastProvider>
  );
}

export {
  Toast,
  ToastAction,
  ToastClose,
  ToastDescription,
  ToastProvider,
  ToastTitle,
  ToastViewport,
  Toaster,
  dismissToast,
  getToasts,
  toast,
  toastVariants,
  useToasts,
  type ToastHandle,
  type ToastOptions,
  type ToastRecord,
  type ToastVariant,
  type ToasterProps,
};
