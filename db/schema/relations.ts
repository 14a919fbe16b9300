// How the tables relate, for drizzle's relational queries (`db.query.x.findMany({ with })`). Several references
// are kept by the services rather than by foreign keys (bulk-loaded people, orders and assignments): they are
// relations all the same. verifications and job_events relate to nothing.
import { relations, type AnyColumn } from 'drizzle-orm';
import { accounts, authCredentials, members, sessions, users } from './accounts';
import { cohortMemberships, cohorts } from './cohorts';
import { apiKeys, emailOutbox, pipelines } from './delivery';
import { eventOutbox, jobRuns, jobSteps } from './jobs';
import { datasetRowErrors, datasets, graphPersons, orders, people, traits } from './people';
import { assignments, buildSnapshots, personaSetAnalyses, personaSets, personas, scoringRunChunks, scoringRuns } from './persona-sets';
import { driftAlerts, personaSetWatchers } from './persona-set-tracking';

/** The relation of a row to its tenant, by its account_id column. */
const account = <C extends AnyColumn>(accountId: C) => ({ fields: [accountId] as [C], references: [accounts.id] as [typeof accounts.id] });

/* ---------- tenants and sign-in ---------- */

export const accountsRelations = relations(accounts, ({ many }) => ({
  members: many(members),
  traits: many(traits),
  datasets: many(datasets),
  people: many(people),
  orders: many(orders),
  cohorts: many(cohorts),
  personaSets: many(personaSets),
  pipelines: many(pipelines),
  apiKeys: many(apiKeys),
  emails: many(emailOutbox),
  jobRuns: many(jobRuns),
}));

export const usersRelations = relations(users, ({ many }) => ({
  sessions: many(sessions),
  credentials: many(authCredentials),
  memberships: many(members),
  datasets: many(datasets),
  personaSets: many(personaSets),
  apiKeys: many(apiKeys),
}));

export const sessionsRelations = relations(sessions, ({ one }) => ({
  user: one(users, { fields: [sessions.userId], references: [users.id] }),
}));

export const authCredentialsRelations = relations(authCredentials, ({ one }) => ({
  user: one(users, { fields: [authCredentials.userId], references: [users.id] }),
}));

export const membersRelations = relations(members, ({ one }) => ({
  account: one(accounts, account(members.accountId)),
  user: one(users, { fields: [members.userId], references: [users.id] }),
}));

/* ---------- traits, the identity graph, the account's data ---------- */

export const traitsRelations = relations(traits, ({ one }) => ({
  // null for graph traits
  account: one(accounts, account(traits.accountId)),
}));

export const graphPersonsRelations = relations(graphPersons, ({ many }) => ({
  matchedPeople: many(people),
}));

export const datasetsRelations = relations(datasets, ({ one, many }) => ({
  account: one(accounts, account(datasets.accountId)),
  createdByUser: one(users, { fields: [datasets.createdBy], references: [users.id] }),
  rowErrors: many(datasetRowErrors),
  people: many(people),
  orders: many(orders),
}));

export const datasetRowErrorsRelations = relations(datasetRowErrors, ({ one }) => ({
  dataset: one(datasets, { fields: [datasetRowErrors.datasetId], references: [datasets.id] }),
}));

export const peopleRelations = relations(people, ({ one, many }) => ({
  account: one(accounts, account(people.accountId)),
  graphPerson: one(graphPersons, { fields: [people.graphId], references: [graphPersons.id] }),
  dataset: one(datasets, { fields: [people.datasetId], references: [datasets.id] }),
  orders: many(orders),
  cohortMemberships: many(cohortMemberships),
  assignments: many(assignments),
}));

export const ordersRelations = relations(orders, ({ one }) => ({
  account: one(accounts, account(orders.accountId)),
  person: one(people, { fields: [orders.personId], references: [people.id] }),
  dataset: one(datasets, { fields: [orders.datasetId], references: [datasets.id] }),
}));

/* ---------- cohorts ---------- */

export const cohortsRelations = relations(cohorts, ({ one, many }) => ({
  account: one(accounts, account(cohorts.accountId)),
  memberships: many(cohortMemberships),
  personaSets: many(personaSets),
}));

export const cohortMembershipsRelations = relations(cohortMemberships, ({ one }) => ({
  cohort: one(cohorts, { fields: [cohortMemberships.cohortId], references: [cohorts.id] }),
  person: one(people, { fields: [cohortMemberships.personId], references: [people.id] }),
}));

/* ---------- persona sets ---------- */

export const personaSetsRelations = relations(personaSets, ({ one, many }) => ({
  account: one(accounts, account(personaSets.accountId)),
  cohort: one(cohorts, { fields: [personaSets.cohortId], references: [cohorts.id] }),
  createdByUser: one(users, { fields: [personaSets.createdBy], references: [users.id] }),
  personas: many(personas),
  assignments: many(assignments),
  buildSnapshots: many(buildSnapshots),
  analyses: many(personaSetAnalyses),
  scoringRuns: many(scoringRuns),
}));

export const personasRelations = relations(personas, ({ one, many }) => ({
  personaSet: one(personaSets, { fields: [personas.personaSetId], references: [personaSets.id] }),
  assignments: many(assignments, { relationName: 'assignedPersona' }),
  runnerUpAssignments: many(assignments, { relationName: 'runnerUpPersona' }),
}));

export const assignmentsRelations = relations(assignments, ({ one }) => ({
  personaSet: one(personaSets, { fields: [assignments.personaSetId], references: [personaSets.id] }),
  person: one(people, { fields: [assignments.personId], references: [people.id] }),
  persona: one(personas, { fields: [assignments.personaId], references: [personas.id], relationName: 'assignedPersona' }),
  runnerUp: one(personas, { fields: [assignments.runnerUpPersonaId], references: [personas.id], relationName: 'runnerUpPersona' }),
  scoringRun: one(scoringRuns, { fields: [assignments.scoringRunId], references: [scoringRuns.id] }),
}));

export const buildSnapshotsRelations = relations(buildSnapshots, ({ one }) => ({
  personaSet: one(personaSets, { fields: [buildSnapshots.personaSetId], references: [personaSets.id] }),
}));

export const personaSetAnalysesRelations = relations(personaSetAnalyses, ({ one }) => ({
  personaSet: one(personaSets, { fields: [personaSetAnalyses.personaSetId], references: [personaSets.id] }),
}));

export const scoringRunsRelations = relations(scoringRuns, ({ one, many }) => ({
  personaSet: one(personaSets, { fields: [scoringRuns.personaSetId], references: [personaSets.id] }),
  assignments: many(assignments),
  chunks: many(scoringRunChunks),
}));

export const scoringRunChunksRelations = relations(scoringRunChunks, ({ one }) => ({
  scoringRun: one(scoringRuns, { fields: [scoringRunChunks.scoringRunId], references: [scoringRuns.id] }),
}));

export const personaSetWatchersRelations = relations(personaSetWatchers, ({ one }) => ({
  account: one(accounts, account(personaSetWatchers.accountId)),
  personaSet: one(personaSets, { fields: [personaSetWatchers.personaSetId], references: [personaSets.id] }),
  user: one(users, { fields: [personaSetWatchers.userId], references: [users.id] }),
}));

export const driftAlertsRelations = relations(driftAlerts, ({ one }) => ({
  account: one(accounts, account(driftAlerts.accountId)),
  personaSet: one(personaSets, { fields: [driftAlerts.personaSetId], references: [personaSets.id] }),
  scoringRun: one(scoringRuns, { fields: [driftAlerts.scoringRunId], references: [scoringRuns.id] }),
  resolvedBy: one(users, { fields: [driftAlerts.resolvedBy], references: [users.id] }),
}));

/* ---------- delivery and jobs ---------- */

export const pipelinesRelations = relations(pipelines, ({ one }) => ({
  account: one(accounts, account(pipelines.accountId)),
}));

export const apiKeysRelations = relations(apiKeys, ({ one }) => ({
  account: one(accounts, account(apiKeys.accountId)),
  createdByUser: one(users, { fields: [apiKeys.createdBy], references: [users.id] }),
}));

export const emailOutboxRelations = relations(emailOutbox, ({ one }) => ({
  account: one(accounts, account(emailOutbox.accountId)),
}));

export const jobRunsRelations = relations(jobRuns, ({ one, many }) => ({
  account: one(accounts, account(jobRuns.accountId)),
  steps: many(jobSteps),
}));

export const jobStepsRelations = relations(jobSteps, ({ one }) => ({
  run: one(jobRuns, { fields: [jobSteps.runId], references: [jobRuns.id] }),
}));

export const eventOutboxRelations = relations(eventOutbox, ({ one }) => ({
  account: one(accounts, account(eventOutbox.accountId)),
}));
