// The database schema, split by domain; import it as `@/db/schema`. Each table's row type ($inferSelect) stands
// beside it; the shapes of its JSON columns are in db/json.ts, with their parsers.
export * from './accounts';
export * from './people';
export * from './cohorts';
export * from './persona-sets';
export * from './persona-set-tracking';
export * from './delivery';
export * from './jobs';
export * from './relations';
