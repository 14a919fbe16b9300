// Cohorts and the history of who was in them.
import { sql } from 'drizzle-orm';
import { bigint, date, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { CohortDefinition } from '@/lib/cohorts/definition';
import { createdAt, updatedAt } from './columns';
import { accounts } from './accounts';
import { people } from './people';

export const cohorts = pgTable(
  'cohorts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    definition: jsonb('definition').$type<CohortDefinition>().notNull(),
    memberCount: integer('member_count').notNull().default(0),
    computedAt: timestamp('computed_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('cohorts_account_name_uq').on(t.accountId, t.name)],
);
export type Cohort = typeof cohorts.$inferSelect;
export type NewCohort = typeof cohorts.$inferInsert;

// One row per stay of a person in a cohort: [entered_on, exited_on).
export const cohortMemberships = pgTable(
  'cohort_memberships',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    accountId: uuid('account_id').notNull(),
    cohortId: uuid('cohort_id')
      .notNull()
      .references(() => cohorts.id, { onDelete: 'cascade' }),
    personId: bigint('person_id', { mode: 'number' })
      .notNull()
      .references(() => people.id, { onDelete: 'cascade' }),
    enteredOn: date('entered_on', { mode: 'string' }).notNull(),
    exitedOn: date('exited_on', { mode: 'string' }),
  },
  (t) => [
    uniqueIndex('cohort_memberships_current_uq').on(t.cohortId, t.personId).where(sql`exited_on is null`),
    index('cohort_memberships_cohort_idx').on(t.cohortId, t.enteredOn),
  ],
);
export type CohortMembership = typeof cohortMemberships.$inferSelect;
