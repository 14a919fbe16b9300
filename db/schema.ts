import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  date,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () =>
  timestamp('updated_at', { withTimezone: true })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date());

/* ---------- tenants and sign-in ---------- */

export const accounts = pgTable('accounts', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  slug: text('slug').notNull().unique(),
  isDemo: boolean('is_demo').notNull().default(false),
  // set when the demo seed finished; an unfinished seed is removed and redone
  seededAt: timestamp('seeded_at', { withTimezone: true }),
  createdAt: createdAt(),
});
export type Account = typeof accounts.$inferSelect;

// better-auth's core tables (user, session, account, verification), renamed to avoid clashing with tenants.
export const users = pgTable('users', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  email: text('email').notNull().unique(),
  emailVerified: boolean('email_verified').notNull().default(false),
  image: text('image'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});
export type User = typeof users.$inferSelect;

export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    token: text('token').notNull().unique(),
    ipAddress: text('ip_address'),
    userAgent: text('user_agent'),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

export const authCredentials = pgTable(
  'auth_credentials',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull(),
    providerId: text('provider_id').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    accessToken: text('access_token'),
    refreshToken: text('refresh_token'),
    idToken: text('id_token'),
    accessTokenExpiresAt: timestamp('access_token_expires_at', { withTimezone: true }),
    refreshTokenExpiresAt: timestamp('refresh_token_expires_at', { withTimezone: true }),
    scope: text('scope'),
    password: text('password'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('auth_credentials_user_idx').on(t.userId)],
);

export const verifications = pgTable('verifications', {
  id: text('id').primaryKey(),
  identifier: text('identifier').notNull(),
  value: text('value').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const members = pgTable(
  'members',
  {
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ['owner', 'analyst'] }).notNull().default('owner'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.userId] }), uniqueIndex('members_user_uq').on(t.userId)],
);
export type Member = typeof members.$inferSelect;

/* ---------- traits and the identity graph ---------- */

// The trait catalog. Graph traits have account_id null; custom traits belong to one account.
export const traits = pgTable(
  'traits',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    accountId: uuid('account_id').references(() => accounts.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    label: text('label').notNull(),
    category: text('category').notNull(),
    type: text('type', { enum: ['numeric', 'ordinal', 'categorical', 'boolean'] }).notNull(),
    unit: text('unit'),
    description: text('description').notNull().default(''),
    categories: jsonb('categories').$type<string[]>(),
    words: jsonb('words').$type<Record<string, unknown>>(),
    source: text('source', { enum: ['graph', 'custom'] }).notNull(),
    // position in people.graph_traits for graph traits
    position: integer('position'),
    coverage: real('coverage'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('traits_graph_key_uq').on(t.key).where(sql`account_id is null`),
    uniqueIndex('traits_account_key_uq').on(t.accountId, t.key).where(sql`account_id is not null`),
  ],
);
export type Trait = typeof traits.$inferSelect;

// The reference population, materialized for identity matching.
export const graphPersons = pgTable(
  'graph_persons',
  {
    id: integer('id').primaryKey(),
    emailNorm: text('email_norm').notNull(),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    street: text('street').notNull(),
    city: text('city').notNull(),
    state: text('state').notNull(),
    postcode: text('postcode').notNull(),
    nameKey: text('name_key').notNull(),
    traits: real('traits').array().notNull(),
  },
  (t) => [index('graph_persons_email_idx').on(t.emailNorm), index('graph_persons_postcode_idx').on(t.postcode, t.nameKey)],
);

/* ---------- the account's data ---------- */

export const datasets = pgTable(
  'datasets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    kind: text('kind', { enum: ['people', 'orders'] }).notNull(),
    status: text('status', { enum: ['uploaded', 'processing', 'ready', 'errored'] })
      .notNull()
      .default('uploaded'),
    fileName: text('file_name'),
    filePath: text('file_path'),
    byteSize: bigint('byte_size', { mode: 'number' }),
    mapping: jsonb('mapping').$type<Record<string, string>>(),
    rowCount: integer('row_count').notNull().default(0),
    okCount: integer('ok_count').notNull().default(0),
    errorCount: integer('error_count').notNull().default(0),
    matchedCount: integer('matched_count').notNull().default(0),
    missReasons: jsonb('miss_reasons').$type<Record<string, number>>(),
    progress: real('progress').notNull().default(0),
    error: text('error'),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('datasets_account_idx').on(t.accountId)],
);
export type Dataset = typeof datasets.$inferSelect;

export const datasetRowErrors = pgTable(
  'dataset_row_errors',
  {
    datasetId: uuid('dataset_id')
      .notNull()
      .references(() => datasets.id, { onDelete: 'cascade' }),
    line: integer('line').notNull(),
    reason: text('reason').notNull(),
  },
  (t) => [primaryKey({ columns: [t.datasetId, t.line] })],
);

export const people = pgTable(
  'people',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    // no foreign key: people are bulk-loaded, and a per-row check of the account costs a fifth of an upsert; the
    // services scope by account and remove an account's people with it
    accountId: uuid('account_id').notNull(),
    externalId: text('external_id'),
    email: text('email'),
    emailNorm: text('email_norm'),
    firstName: text('first_name'),
    lastName: text('last_name'),
    street: text('street'),
    city: text('city'),
    state: text('state'),
    postcode: text('postcode'),
    phone: text('phone'),
    graphId: integer('graph_id'),
    matchMethod: text('match_method', { enum: ['email', 'name_address', 'none'] }),
    // graph traits in catalog order (traits.position); NaN where unknown
    graphTraits: real('graph_traits').array(),
    customTraits: jsonb('custom_traits').$type<Record<string, string | number | boolean | null>>(),
    isLead: boolean('is_lead').notNull().default(false),
    // the upload that last wrote the row (provenance only; cleared when the dataset is removed)
    datasetId: uuid('dataset_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('people_account_external_uq').on(t.accountId, t.externalId),
    index('people_account_email_idx').on(t.accountId, t.emailNorm),
  ],
);
export type Person = typeof people.$inferSelect;

export const orders = pgTable(
  'orders',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    // no foreign keys on this bulk-loaded table: the services scope and clean up by account
    accountId: uuid('account_id').notNull(),
    // kept by the ingest (it resolves every order's person within the account) rather than checked per row
    personId: bigint('person_id', { mode: 'number' }).notNull(),
    externalOrderId: text('external_order_id'),
    orderedAt: timestamp('ordered_at', { withTimezone: true }).notNull(),
    amount: doublePrecision('amount').notNull(),
    product: text('product'),
    category: text('category'),
    quantity: integer('quantity').notNull().default(1),
    // the upload the row came from (provenance only; cleared when the dataset is removed)
    datasetId: uuid('dataset_id'),
  },
  (t) => [
    index('orders_account_person_idx').on(t.accountId, t.personId),
    uniqueIndex('orders_account_external_uq').on(t.accountId, t.externalOrderId),
  ],
);
export type Order = typeof orders.$inferSelect;

/* ---------- cohorts ---------- */

export const cohorts = pgTable(
  'cohorts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    definition: jsonb('definition').$type<Record<string, unknown>>().notNull(),
    memberCount: integer('member_count').notNull().default(0),
    computedAt: timestamp('computed_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('cohorts_account_name_uq').on(t.accountId, t.name)],
);
export type Cohort = typeof cohorts.$inferSelect;

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

/* ---------- persona sets ---------- */

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
    error: text('error'),
    showInExplore: boolean('show_in_explore').notNull().default(false),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    // analyst's trait choice; null = automatic
    traitKeys: jsonb('trait_keys').$type<string[] | null>(),
    requestedK: integer('requested_k'),
    schedule: text('schedule', { enum: ['off', 'daily', 'weekly'] }).notNull().default('off'),
    buildVersion: integer('build_version').notNull().default(0),
    // results of the last successful build
    k: integer('k'),
    memberCount: integer('member_count'),
    model: jsonb('model').$type<Record<string, unknown>>(),
    selection: jsonb('selection').$type<Record<string, unknown>>(),
    quality: jsonb('quality').$type<Record<string, unknown>>(),
    // the fitted result of the build in progress, published with its assignments
    draft: jsonb('draft').$type<Record<string, unknown>>(),
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
    avatar: jsonb('avatar').$type<Record<string, unknown>>().notNull(),
    size: integer('size').notNull().default(0),
    share: real('share').notNull().default(0),
    centre: jsonb('centre').$type<Record<string, unknown>>().notNull(),
    centroid: real('centroid').array().notNull(),
    salient: jsonb('salient').$type<unknown[]>().notNull(),
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
export const assignments = pgTable(
  'assignments',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
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
    index('assignments_person_idx').on(t.personId),
  ],
);
export type Assignment = typeof assignments.$inferSelect;

// Precomputed aggregates the Analysis and Flow tabs and the API read.
// The cohort members a build works on, fixed when the build starts so that retries see the same people.
export const buildSnapshots = pgTable(
  'build_snapshots',
  {
    personaSetId: uuid('persona_set_id')
      .notNull()
      .references(() => personaSets.id, { onDelete: 'cascade' }),
    buildVersion: integer('build_version').notNull(),
    personId: bigint('person_id', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.personaSetId, t.buildVersion, t.personId] })],
);

export const personaSetAnalyses = pgTable(
  'persona_set_analyses',
  {
    personaSetId: uuid('persona_set_id')
      .notNull()
      .references(() => personaSets.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['dimension', 'revenue', 'flow', 'geo'] }).notNull(),
    key: text('key').notNull(),
    data: jsonb('data').notNull(),
    computedAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.personaSetId, t.kind, t.key] })],
);

export const scoringRuns = pgTable(
  'scoring_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    accountId: uuid('account_id').notNull(),
    personaSetId: uuid('persona_set_id')
      .notNull()
      .references(() => personaSets.id, { onDelete: 'cascade' }),
    trigger: text('trigger', { enum: ['build', 'adhoc', 'scheduled', 'api'] }).notNull(),
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

/* ---------- delivery ---------- */

export const pipelines = pgTable(
  'pipelines',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    cohortIds: jsonb('cohort_ids').$type<string[]>().notNull(),
    personaSetIds: jsonb('persona_set_ids').$type<string[]>().notNull(),
    traitKeys: jsonb('trait_keys').$type<string[]>().notNull().default([]),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('pipelines_account_name_uq').on(t.accountId, t.name)],
);
export type Pipeline = typeof pipelines.$inferSelect;

export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    hash: text('hash').notNull().unique(),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('api_keys_account_idx').on(t.accountId)],
);
export type ApiKey = typeof apiKeys.$inferSelect;

/* ---------- email and jobs ---------- */

export const emailOutbox = pgTable('email_outbox', {
  id: uuid('id').primaryKey().defaultRandom(),
  accountId: uuid('account_id').references(() => accounts.id, { onDelete: 'cascade' }),
  idempotencyKey: text('idempotency_key').notNull().unique(),
  to: text('to').notNull(),
  subject: text('subject').notNull(),
  html: text('html').notNull(),
  text: text('text').notNull(),
  status: text('status', { enum: ['pending', 'sent', 'stored', 'failed'] }).notNull().default('pending'),
  providerId: text('provider_id'),
  error: text('error'),
  sentAt: timestamp('sent_at', { withTimezone: true }),
  createdAt: createdAt(),
});
export type EmailOutboxRow = typeof emailOutbox.$inferSelect;

// Runs of Inngest functions executed by the embedded runner.
export const jobRuns = pgTable(
  'job_runs',
  {
    id: text('id').primaryKey(),
    functionId: text('function_id').notNull(),
    eventName: text('event_name').notNull(),
    event: jsonb('event').$type<Record<string, unknown>>().notNull(),
    accountId: uuid('account_id'),
    concurrencyKey: text('concurrency_key'),
    concurrencyLimit: integer('concurrency_limit'),
    status: text('status', { enum: ['queued', 'running', 'sleeping', 'completed', 'failed', 'cancelled'] })
      .notNull()
      .default('queued'),
    attempt: integer('attempt').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(4),
    nextStepId: text('next_step_id'),
    runAfter: timestamp('run_after', { withTimezone: true }).notNull().defaultNow(),
    output: jsonb('output'),
    error: text('error'),
    lockedBy: text('locked_by'),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    // the latest claim by a worker: claiming serves the accounts claimed least recently first
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('job_runs_status_idx').on(t.status, t.runAfter),
    index('job_runs_created_idx').on(t.createdAt),
    index('job_runs_account_created_idx').on(t.accountId, t.createdAt),
    index('job_runs_concurrency_idx').on(t.concurrencyKey, t.status),
    index('job_runs_account_claimed_idx').on(t.accountId, t.claimedAt),
    // the per-account cap counts queued runs
    index('job_runs_account_queued_idx').on(t.accountId).where(sql`${t.status} = 'queued'`),
  ],
);
export type JobRun = typeof jobRuns.$inferSelect;

export const jobSteps = pgTable(
  'job_steps',
  {
    runId: text('run_id')
      .notNull()
      .references(() => jobRuns.id, { onDelete: 'cascade' }),
    hashedId: text('hashed_id').notNull(),
    name: text('name').notNull(),
    op: text('op').notNull(),
    // completed and failed steps are memoized; errored awaits a retry; sleeping awaits wake_at
    status: text('status', { enum: ['completed', 'failed', 'errored', 'sleeping'] }).notNull(),
    data: jsonb('data'),
    error: jsonb('error'),
    attempts: integer('attempts').notNull().default(1),
    durationMs: integer('duration_ms'),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }).notNull().defaultNow(),
    wakeAt: timestamp('wake_at', { withTimezone: true }),
    // completion order, replayed to the SDK as ctx.stack
    seq: bigint('seq', { mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.hashedId] })],
);
export type JobStep = typeof jobSteps.$inferSelect;

// Received events, deduplicated by id (an event sent twice starts its functions once).
export const jobEvents = pgTable(
  'job_events',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    data: jsonb('data').notNull(),
    ts: timestamp('ts', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('job_events_name_idx').on(t.name, t.ts)],
);

// Events written in the same transaction as the change that calls for them, then sent (the transactional
// outbox): a crash or a failed send between commit and send loses nothing, the worker's drain sends it later.
export const eventOutbox = pgTable(
  'event_outbox',
  {
    /** the event id: Inngest and the embedded runner start one run per id, so a resend is harmless */
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    accountId: uuid('account_id'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('event_outbox_pending_idx').on(t.createdAt).where(sql`${t.sentAt} is null`)],
);
export type EventOutboxRow = typeof eventOutbox.$inferSelect;
