import { setDatabase, type Database } from '@/db/client';
import { seedDemo } from '@/scripts/seed';
import { startEmbeddedRunner, type EmbeddedRunner } from '@/inngest/runner';
import { functions } from '@/inngest/functions';

/** A small demo account on a fresh database, with the embedded runner executing the app's functions. */
export async function demoWithRunner(database: Database, opts: { people?: number; graphSize?: number; runner?: boolean } = {}) {
  setDatabase(database);
  const { accountId } = await seedDemo(database, { people: opts.people ?? 3000, graphSize: opts.graphSize ?? 6000 });
  const userId = (
    await database.query<{ user_id: string }>('select user_id from members where account_id = $1 limit 1', [accountId])
  ).rows[0].user_id;
  const cohorts = Object.fromEntries(
    (await database.query<{ id: string; name: string }>('select id, name from cohorts where account_id = $1', [accountId])).rows.map(
      (r) => [r.name, r.id],
    ),
  ) as Record<string, string>;
  let runner: EmbeddedRunner | undefined;
  if (opts.runner !== false)
    runner = await startEmbeddedRunner({ database, functions, pollMs: 100, backoffMs: () => 50, cron: false, log: () => {} });
  return { accountId, userId, cohorts, runner };
}
