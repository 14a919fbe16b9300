import 'server-only';
import { z } from 'zod';
import { getDatabase } from '@/db/client';
import { getViewer, type Viewer } from './auth';
import { ServiceError } from './services/errors';
import { tenantOf, type Tenant } from './services/tenant';

export type ActionResult<T> =
  | { ok: true; data: T }
  | { ok: false; error: string; fieldErrors?: Record<string, string[]> };

export function fieldErrorsOf(error: z.ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.join('.') || '_';
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

/** Turns a thrown error into a result a user can read, never leaking internals. */
export function failure(err: unknown): { ok: false; error: string; fieldErrors?: Record<string, string[]> } {
  if (err instanceof ServiceError) return { ok: false, error: err.message, fieldErrors: err.fieldErrors };
  console.error('[facet] action failed:', err);
  return { ok: false, error: 'Something went wrong. Please try again.' };
}

/**
 * Wraps a server action: authenticates the caller, validates input with zod, runs the handler with the caller and
 * their tenant (what the services take first), and answers one result shape.
 */
export function authedAction<S extends z.ZodType, T>(
  schema: S,
  handler: (viewer: Viewer, input: z.infer<S>, tenant: Tenant) => Promise<T>,
): (input: z.input<S>) => Promise<ActionResult<T>> {
  return async (input) => {
    const viewer = await getViewer();
    if (!viewer) return { ok: false, error: 'You are signed out. Sign in again.' };
    const parsed = schema.safeParse(input);
    if (!parsed.success) return { ok: false, error: 'Please check the highlighted fields.', fieldErrors: fieldErrorsOf(parsed.error) };
    try {
      const tenant = tenantOf(await getDatabase(), viewer.accountId, viewer.userId);
      return { ok: true, data: await handler(viewer, parsed.data, tenant) };
    } catch (err) {
      return failure(err);
    }
  };
}
