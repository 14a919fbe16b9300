// Persona sets: the sets, their personas, assignment history, build snapshots, analyses and scoring runs.
import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, real, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { AnalysisData, BuildDraft, BuildQuality, BuildTimings, PersonaCentre, TraitSelection } from '../json';
import type { AvatarSpec, PersonaModel, SalientTrait } from '@/lib/clustering/types';
import { createdAt, updatedAt } from './columns';
import { accounts, users } from './accounts';
import { cohorts } from './cohorts';

export const personaSets = pgTable(
  'persona_sets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    cohortId: uuid('cohort_id')
      .notNull()
      .references(() => cohorts.id, { onDelete: 'restrict' }),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    status: text('status', { enum: ['queued', 'building', 'ready', 'errored'] })
      .notNull()
      .default('queued'),
    progress: real('progress').notNull().default(0),
    currentStep: text('current_step'),
    // what the current step has done so far, e.g. "40,000 of 100,000 members written"
    stepDetail: text('step_detail'),
    error: text('error'),
    showInExplore: boolean('show_in_explore').notNull().default(false),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    // analyst's trait choice; null = automatic
    traitKeys: jsonb('trait_keys').$type<string[] | null>(),
    requestedK: integer('requested_k'),
    schedule: text('schedule', { enum: ['off', 'daily', 'weekly'] }).notNull().default('off'),
    createdVia: text('created_via', { enum: ['app', 'api'] }).notNull().default('app'),
    buildVersion: integer('build_version').notNull().default(0),
    // results of the last successful build
    k: integer('k'),
    memberCount: integer('member_count'),
    model: jsonb('model').$type<PersonaModel>(),
    // the traits clustered on and who chose them: { traits, chosenBy, report }
    selection: jsonb('selection').$type<TraitSelection>(),
    quality: jsonb('quality').$type<BuildQuality>(),
    // the fitted result of the build in progress, published with its assignments
    draft: jsonb('draft').$type<BuildDraft>(),
    // seconds per step and phase of the last build, as its steps finished: { buildVersion, steps: { name: ms } }
    buildTimings: jsonb('build_timings').$type<BuildTimings>(),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    builtAt: timestamp('built_at', { withTimezone: true }),
    lastScoredAt: timestamp('last_scored_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('persona_sets_account_name_uq').on(t.accountId, t.name),
    uniqueIndex('persona_sets_account_slug_uq').on(t.accountId, t.slug),
  ],
);
export type PersonaSet = typeof personaSets.$inferSelect;
export type NewPersonaSet = typeof personaSets.$inferInsert;

export const personas = pgTable(
  'personas',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    accountId: uuid('account_id').notNull(),
    personaSetId: uuid('persona_set_id')
      .notNull()
      .references(() => personaSets.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    name: text('name').notNull(),
    shortName: text('short_name').notNull(),
    nameEdited: boolean('name_edited').notNull().default(false),
    avatar: jsonb('avatar').$type<AvatarSpec>().notNull(),
    size: integer('size').notNull().default(0),
    share: real('share').notNull().default(0),
    centre: jsonb('centre').$type<PersonaCentre>().notNull(),
    centroid: real('centroid').array().notNull(),
    salient: jsonb('salient').$type<SalientTrait[]>().notNull(),
    cohesion: real('cohesion'),
    retiredAt: timestamp('retired_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('personas_set_idx').on(t.personaSetId)],
);
export type Persona = typeof personas.$inferSelect;

// Assignment history: one row per stay of a person in a persona; valid_to null = current.
// The largest table, written a million rows at a time by builds: its references to persona_sets and people are
// kept by the services (deleting a set deletes its assignments in the same transaction) rather than checked per row.
// A build's rows arrive in (set, person) order, so the index of current rows is appended to as they are copied in;
// closed stays have an index of their own that a first build never touches. No row id: nothing looks a row up by one.
export const assignments = pgTable(
  'assignments',
  {
    accountId: uuid('account_id').notNull(),
    personaSetId: uuid('persona_set_id').notNull(),
    personId: bigint('person_id', { mode: 'number' }).notNull(),
    personaId: uuid('persona_id').notNull(),
    distance: real('distance').notNull(),
    runnerUpPersonaId: uuid('runner_up_persona_id'),
    margin: real('margin'),
    validFrom: timestamp('valid_from', { withTimezone: true }).notNull().defaultNow(),
    validTo: timestamp('valid_to', { withTimezone: true }),
    scoringRunId: uuid('scoring_run_id'),
  },
  (t) => [
    uniqueIndex('assignments_current_uq').on(t.personaSetId, t.personId).where(sql`valid_to is null`),
    index('assignments_closed_idx').on(t.personaSetId, t.personId).where(sql`valid_to is not null`),
  ],
);
export type Assignment = typeof assignments.$inferSelect;

// The cohort members a build works on, fixed when the build starts so that retries see the same people.
// Logged (migration 0011): a resumed step after a crash needs them; keyed by build version so that a superseded
// build's cleanup never touches a newer build's members. One row per build, its members' ids in order: written
// and read as one value rather than a row (and an index entry) per member.
export const buildSnapshots = pgTable(
  'build_snapshots',
  {
    // no foreign key to persona_sets: deleting a set deletes its snapshots
    personaSetId: uuid('persona_set_id').notNull(),
    buildVersion: integer('build_version').notNull(),
    personIds: bigint('person_ids', { mode: 'number' }).array().notNull(),
  },
  (t) => [primaryKey({ columns: [t.personaSetId, t.buildVersion] })],
);
export type BuildSnapshot = typeof buildSnapshots.$inferSelect;

// Precomputed aggregates the Analysis and Flow tabs and the API read.
export const personaSetAnalyses = pgTable(
  'persona_set_analyses',
  {
    personaSetId: uuid('persona_set_id')
      .notNull()
      .references(() => personaSets.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['dimension', 'revenue', 'flow', 'geo'] }).notNull(),
    key: text('key').notNull(),
    // the shape depends on kind: db/json.ts parseAnalysis(kind, data)
    data: jsonb('data').$type<AnalysisData>().notNull(),
    computedAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.personaSetId, t.kind, t.key] })],
);
export type PersonaSetAnalysis = typeof personaSetAnalyses.$inferSelect;

export const scoringRuns = pgTable(
  'scoring_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    accountId: uuid('account_id').notNull(),
    personaSetId: uuid('persona_set_id')
      .notNull()
      .references(() => personaSets.id, { onDelete: 'cascade' }),
    // changes: only members written since the last scoring (after an upload or a cohort recompute)
    trigger: text('trigger', { enum: ['build', 'adhoc', 'scheduled', 'api', 'changes'] }).notNull(),
    status: text('status', { enum: ['queued', 'running', 'done', 'errored'] }).notNull().default('queued'),
    scored: integer('scored').notNull().default(0),
    changed: integer('changed').notNull().default(0),
    added: integer('added').notNull().default(0),
    removed: integer('removed').notNull().default(0),
    chunksTotal: integer('chunks_total').notNull().default(0),
    chunksDone: integer('chunks_done').notNull().default(0),
    error: text('error'),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('scoring_runs_set_idx').on(t.personaSetId)],
);
export type ScoringRun = typeof scoringRuns.$inferSelect;

// One row per finished chunk of a scoring run: the run's counters are sums of these, so a retried chunk
// (already committed, its step result lost in a crash) counts once.
export const scoringRunChunks = pgTable(
  'scoring_run_chunks',
  {
    scoringRunId: uuid('scoring_run_id')
      .notNull()
      .references(() => scoringRuns.id, { onDelete: 'cascade' }),
    fromPersonId: bigint('from_person_id', { mode: 'number' }).notNull(),
    toPersonId: bigint('to_person_id', { mode: 'number' }).notNull(),
    scored: integer('scored').notNull(),
    changed: integer('changed').notNull(),
    added: integer('added').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.scoringRunId, t.fromPersonId] })],
);
export type ScoringRunChunk = typeof scoringRunChunks.$inferSelect;
