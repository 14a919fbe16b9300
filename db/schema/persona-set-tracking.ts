// Following a persona set over time: who is emailed about it, and the drift alerts its scoring runs raised.
import { date, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt } from './columns';
import { accounts, users } from './accounts';
import { personaSets, scoringRuns } from './persona-sets';

// People told by email when a set drifts, besides its creator.
export const personaSetWatchers = pgTable(
  'persona_set_watchers',
  {
    accountId: uuid('account_id').notNull(),
    personaSetId: uuid('persona_set_id')
      .notNull()
      .references(() => personaSets.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.personaSetId, t.userId] })],
);

/** What a drift check measured against the build (the shape of drift_alerts.metrics). */
export interface DriftMetrics {
  members: number;
  baselineMembers: number;
  /** population stability index of the persona mix */
  psi: number;
  maxShareChangePoints: number;
  maxCentreShift: number;
  personas: {
    personaId: string;
    baselineShare: number;
    share: number;
    /** share now minus share at the build, in percentage points */
    shareChangePoints: number;
    /** largest move of the persona's centre on one trait, in the encoder's standardized units */
    centreShift: number;
    centreShiftTrait: string | null;
  }[];
}

// At most one alert per set and day (the unique day), raised by the check after a scoring run.
export const driftAlerts = pgTable(
  'drift_alerts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    personaSetId: uuid('persona_set_id')
      .notNull()
      .references(() => personaSets.id, { onDelete: 'cascade' }),
    scoringRunId: uuid('scoring_run_id').references(() => scoringRuns.id, { onDelete: 'set null' }),
    buildVersion: integer('build_version').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    metrics: jsonb('metrics').$type<DriftMetrics>().notNull(),
    reasons: jsonb('reasons').$type<string[]>().notNull(),
    status: text('status', { enum: ['open', 'dismissed', 'rebuild-requested'] }).notNull().default('open'),
    resolvedBy: text('resolved_by').references(() => users.id, { onDelete: 'set null' }),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('drift_alerts_set_day_uq').on(t.personaSetId, t.day), index('drift_alerts_account_idx').on(t.accountId, t.createdAt)],
);
export type DriftAlert = typeof driftAlerts.$inferSelect;
