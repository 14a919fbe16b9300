import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setDatabase, type Database } from '@/db/client';
import { eventSchemas, inngest } from '@/inngest/client';
import { ingestDataset } from '@/inngest/functions/datasets';
import { startEmbeddedRunner, type EmbeddedRunner } from '@/inngest/runner';
import { getJobRun, listJobRuns } from '@/lib/services/jobs';
import { tenantOf } from '@/lib/services/tenant';
import { testDatabases } from '../helpers/db';

// The Jobs page (app/(app)/settings/jobs) lists listJobRuns and opens getJobRun: with two accounts, each sees its
// own runs only, and the account-less cron tick (whose steps name the other account's sets) is shown to neither.

describe('every event carries its account', () => {
  it.each(Object.keys(eventSchemas))('%s is refused without an accountId', (name) => {
    const schema = eventSchemas[name as keyof typeof eventSchemas];
    expect(schema.shape.accountId).toBeDefined();
    expect(schema.safeParse({}).success).toBe(false);
  });
});

for (const target of testDatabases()) {
  describe(`the Jobs page's runs on ${target.name}`, () => {
    let database: Database;
    let runner: EmbeddedRunner | undefined;
    beforeAll(async () => {
      database = await target.open();
      // the product's functions open the database through getDatabase()
      setDatabase(database);
    });
    afterAll(async () => {
      setDatabase(undefined);
      await runner?.stop();
      await target.dispose(database);
    });

    it('shows each account its own runs, the failure handler of its runs too, and no cron tick', async () => {
      const a = randomUUID();
      const b = randomUUID();
      const bSet = randomUUID();
      const suffix = randomUUID().slice(0, 6);
      const tickId = `tick-${suffix}`;
      const workId = `work-${suffix}`;
      // a tick that serves every account, as scheduled scoring does: its step names carry the other account's set id
      const tick = inngest.createFunction({ id: tickId, triggers: [{ cron: '*/5 * * * *' }] }, async ({ step }) => {
        await step.run(`queue-${bSet}`, () => ({ ok: true }));
        await step.sendEvent('fan-out', [
          { name: `test/${workId}`, data: { accountId: a } },
          { name: `test/${workId}`, data: { accountId: b } },
        ]);
      });
      const work = inngest.createFunction({ id: workId, triggers: [{ event: `test/${workId}` }] }, async ({ step }) => {
        await step.run('do-work', () => 1);
      });
      runner = await startEmbeddedRunner({
        database,
        functions: [tick, work, ingestDataset],
        pollMs: 25,
        backoffMs: () => 20,
        cron: true,
        now: () => Date.parse('2030-01-01T10:05:20Z'),
      });
      // B's upload whose dataset does not exist: the ingest fails, and its failure handler runs
      await runner.send({ name: 'dataset/mapping-confirmed', data: { accountId: b, datasetId: randomUUID() } });
      await new Promise((r) => setTimeout(r, 200));
      await runner.drain(30_000);
      await runner.stop();
      runner = undefined;

      const { rows } = await database.query<{ id: string; function_id: string; account_id: string | null; status: string }>(
        `select id, function_id, account_id, status from job_runs where function_id = any($1::text[])`,
        [[`facet-${tickId}`, `facet-${workId}`, 'facet-ingest-dataset', 'facet-ingest-dataset-failure']],
      );
      const byFn = (fn: string) => rows.filter((r) => r.function_id === `facet-${fn}`);
      // the tick ran and has no account; everything it or a service started carries one
      expect(byFn(tickId)).toEqual([expect.objectContaining({ account_id: null, status: 'completed' })]);
      expect(byFn(workId).map((r) => r.account_id).sort()).toEqual([a, b].sort());
      expect(byFn('ingest-dataset')).toEqual([expect.objectContaining({ account_id: b, status: 'failed' })]);
      expect(byFn('ingest-dataset-failure')).toEqual([expect.objectContaining({ account_id: b })]);

      const seenBy = async (account: string) => listJobRuns(tenantOf(database, account), { limit: 500 });
      const seenA = await seenBy(a);
      const seenB = await seenBy(b);
      const ids = (runs: { id: string }[]) => new Set(runs.map((r) => r.id));
      expect(seenA.map((r) => r.functionId)).toEqual([workId]);
      expect(seenB.map((r) => r.functionId).sort()).toEqual(['ingest-dataset', 'ingest-dataset-failure', workId].sort());
      for (const r of rows) {
        const owner = r.account_id;
        expect(ids(seenA).has(r.id)).toBe(owner === a);
        expect(ids(seenB).has(r.id)).toBe(owner === b);
      }
      // nothing on A's page names B's set
      expect(JSON.stringify(seenA)).not.toContain(bSet);

      // the run page: a run of the other account, or the tick, is not found
      const tickRun = byFn(tickId)[0].id;
      const bFailure = byFn('ingest-dataset')[0].id;
      for (const account of [a, b]) await expect(getJobRun(tenantOf(database, account), tickRun)).rejects.toThrow('not found');
      await expect(getJobRun(tenantOf(database, a), bFailure)).rejects.toThrow('not found');
      const detail = await getJobRun(tenantOf(database, b), bFailure);
      expect(detail.status).toBe('failed');
      expect(detail.error).toMatch(/not found/i);
      expect(detail.steps.length).toBeGreaterThan(0);
    });
  });
}
