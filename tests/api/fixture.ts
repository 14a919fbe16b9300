import { eq } from 'drizzle-orm';
import { afterAll, beforeAll } from 'vitest';
import { setDatabase, type Database } from '@/db/client';
import type { TestDatabase } from '../helpers/db';
import { accounts, cohorts } from '@/db/schema';
import { seedDemo } from '@/scripts/seed';
import { createApiKey, resetApiKeyCache } from '@/lib/services/api-keys';
import { createPipeline } from '@/lib/services/pipelines';
import { seedReadyPersonaSet } from '../persona-sets-ui/fixture';
import { tenantOf } from '@/lib/services/tenant';

/** Two accounts: B (the demo brand, with a ready persona set, a pipeline and a scoring run) and A (empty). */
export async function seedTwoAccounts(database: Database) {
  const { accountId: b } = await seedDemo(database, { people: 700, graphSize: 1500, today: new Date('2026-06-30T00:00:00Z') });
  const [a] = await database.db.insert(accounts).values({ name: 'Account A', slug: 'account-a' }).returning();
  const bCohorts = await database.db.select().from(cohorts).where(eq(cohorts.accountId, b));
  const cohort = bCohorts.find((c) => c.memberCount > 0) ?? bCohorts[0];
  const set = await seedReadyPersonaSet(database, b, cohort.id, 'B secret personas', { traitKeys: ['age', 'income', 'has_children', 'homeowner'], seed: 3 });
  const other = await seedReadyPersonaSet(database, b, cohort.id, 'B second set', { traitKeys: ['age', 'income'], seed: 5 });
  const pipeline = await createPipeline(tenantOf(database, b), { name: 'B secret pipeline', cohortIds: [cohort.id], personaSetIds: [set.setId], traitKeys: ['age'] });
  const run = await database.query<{ id: string }>(
    `insert into scoring_runs (account_id, persona_set_id, trigger, status) values ($1, $2, 'api', 'done') returning id`,
    [b, set.setId],
  );
  const member = await database.query<{ id: number }>(
    'select person_id::float8 as id from assignments where persona_set_id = $1 order by person_id limit 1',
    [set.setId],
  );
  const keyA = (await createApiKey(tenantOf(database, a.id), { name: 'A key' })).key;
  const keyB = (await createApiKey(tenantOf(database, b), { name: 'B key' })).key;
  return {
    a: { accountId: a.id, key: keyA },
    b: { accountId: b, key: keyB, cohortId: cohort.id, setId: set.setId, otherSetId: other.setId, personaIds: set.personaIds, pipelineId: pipeline.id, runId: run.rows[0].id, personId: Number(member.rows[0].id) },
  };
}

/**
 * Inside a describe block: a fresh database with the two accounts, made the process-wide database for the
 * route handlers; read `ctx.database` and `ctx.fx` in tests and later hooks.
 */
export function useTwoAccounts(target: TestDatabase) {
  const ctx = {} as { database: Database; fx: Awaited<ReturnType<typeof seedTwoAccounts>> };
  beforeAll(async () => {
    ctx.database = await target.open();
    setDatabase(ctx.database);
    resetApiKeyCache();
    ctx.fx = await seedTwoAccounts(ctx.database);
  }, 240_000);
  afterAll(async () => {
    setDatabase(undefined);
    await target.dispose(ctx.database);
  });
  return ctx;
}
