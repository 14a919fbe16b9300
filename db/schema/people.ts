// The trait catalog, the identity graph, and the account's uploaded data: datasets, people, orders.
import { sql } from 'drizzle-orm';
import { bigint, boolean, doublePrecision, index, integer, jsonb, pgTable, primaryKey, real, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { TraitWords } from '@/lib/clustering/types';
import { createdAt, updatedAt } from './columns';
import { accounts, users } from './accounts';

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
    words: jsonb('words').$type<TraitWords>(),
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
export type GraphPerson = typeof graphPersons.$inferSelect;

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
export type DatasetRowError = typeof datasetRowErrors.$inferSelect;

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
