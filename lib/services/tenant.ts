import type { Database } from '@/db/client';

/**
 * The caller every service works for: the database, the account every query is scoped by, and the person
 * (or API key's creator) acting. Services take it as their first argument, as one object.
 */
export interface Tenant {
  db: Database;
  accountId: string;
  /** null for work no person started (cron, pipelines, jobs replaying an API call) */
  userId: string | null;
}

export function tenantOf(db: Database, accountId: string, userId: string | null = null): Tenant {
  return { db, accountId, userId };
}
