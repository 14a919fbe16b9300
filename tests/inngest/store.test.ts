// The runner's job store and protocol seams, below the scheduler: leases, retries, failure handlers, request bodies.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { inngest } from '@/inngest/client';
import { startEmbeddedRunner } from '@/inngest/runner';
import { executeRequestBody } from '@/inngest/runner/protocol';
import { registerFunctions } from '@/inngest/runner/registry';
import { createJobStore, LeaseLost } from '@/inngest/runner/store';
import { testDatabases } from '../helpers/db';

const unique = (name: string) => `${name}-${randomUUID().slice(0, 6)}`;

describe('the execute request body', () => {
  it('replays memoized steps in completion order, data and errors alike', () => {
    const run = { id: 'run-1', functionId: 'facet-x', event: { name: 'a/b', data: {} }, attempt: 2, maxAttempts: 4, nextStepId: null, lastError: null };
    const body = executeRequestBody(
      run,
      [
        { hashedId: 'h1', status: 'completed', data: 5, error: null },
        { hashedId: 'h2', status: 'failed', data: null, error: { message: 'no' } },
      ],
      2,
    );
    expect(body).toEqual({
      version: 2,
      event: run.event,
      events: [run.event],
      steps: { h1: { type: 'data', data: 5 }, h2: { type: 'error', error: { message: 'no' } } },
      ctx: { run_id: 'run-1', attempt: 2, max_attempts: 4, disable_immediate_execution: false, use_api: false, stack: { stack: ['h1', 'h2'], current: 1 } },
    });
    expect(executeRequestBody(run, [], 0).ctx.stack).toEqual({ stack: [], current: 0 });
  });
});

for (const target of testDatabases()) {
  describe(`job store on ${target.name}`, () => {
    let database: Database;
    beforeAll(async () => {
      database = await target.open();
    });
    afterAll(() => target.dispose(database));

    const storesFor = (id: string, leaseMs = 60_000) => {
      const fn = inngest.createFunction(
        { id, retries: 2, triggers: [{ event: `test/${id}` }], onFailure: async () => {} },
        async () => 'done',
      );
      const registry = registerFunctions(inngest, [fn]);
      return {
        a: createJobStore({ database, registry, workerId: 'worker-a', leaseMs }),
        b: createJobStore({ database, registry, workerId: 'worker-b', leaseMs }),
      };
    };
    const runRow = async (runId: string) =>
      (await database.query<{ status: string; attempt: number; error: string | null; locked_by: string | null }>(
        'select status, attempt, error, locked_by from job_runs where id = $1',
        [runId],
      )).rows[0];

    it('starts one run per event id and lets only the lease holder write to it', async () => {
      const id = unique('lease');
      const { a, b } = storesFor(id);
      const event = { name: `test/${id}`, id: `evt-${id}`, data: { accountId: randomUUID() } };
      expect((await a.ingestEvent(event)).runs).toBe(1);
      expect((await b.ingestEvent(event)).runs).toBe(0);

      const run = await a.claimRun();
      expect(run).toMatchObject({ functionId: `facet-${id}`, attempt: 0, maxAttempts: 3, nextStepId: null });
      expect(await b.claimRun()).toBeNull();
      const step = { id: 'h1', op: 'StepRun', name: 'load' };
      await expect(b.saveStep(run!.id, step, 'completed', { data: 1, attempts: 1 })).rejects.toBeInstanceOf(LeaseLost);
      await expect(b.completeRun(run!.id, 'x')).rejects.toBeInstanceOf(LeaseLost);

      await a.saveStep(run!.id, step, 'completed', { data: { n: 1 }, attempts: 1, durationMs: 3 });
      expect(await a.memoizedSteps(run!.id)).toEqual([{ hashedId: 'h1', status: 'completed', data: { n: 1 }, error: null }]);
      await a.completeRun(run!.id, { ok: true });
      expect(await runRow(run!.id)).toMatchObject({ status: 'completed', locked_by: null });
      expect(await a.countUnfinishedRuns()).toBe(0);
    });

    it('retries from the named step once due, and fails into the failure handler in one go', async () => {
      const id = unique('retry');
      const { a, b } = storesFor(id);
      await a.ingestEvent({ name: `test/${id}` });
      const run = (await a.claimRun())!;
      await a.retryRun(run.id, { attempt: 1, nextStepId: 'h2', error: 'flaky', delayMs: 60_000 });
      expect(await runRow(run.id)).toMatchObject({ status: 'queued', attempt: 1, error: 'flaky', locked_by: null });
      expect(await b.claimRun()).toBeNull(); // not due yet

      await a.ingestEvent({ name: `test/${id}-other` }); // triggers nothing
      await database.query(`update job_runs set run_after = now() where id = $1`, [run.id]);
      const again = (await b.claimRun())!;
      expect([again.id, again.attempt, again.nextStepId]).toEqual([run.id, 1, 'h2']);

      await b.failRun(run.id, 'gave up', {
        functionId: `facet-${id}-failure`,
        event: { name: 'inngest/function.failed', id: `failed-${run.id}`, data: { run_id: run.id } },
      });
      expect(await runRow(run.id)).toMatchObject({ status: 'failed', error: 'gave up' });
      const { rows } = await database.query<{ function_id: string; status: string }>(
        `select function_id, status from job_runs where event->'data'->>'run_id' = $1`,
        [run.id],
      );
      expect(rows).toEqual([{ function_id: `facet-${id}-failure`, status: 'queued' }]);
      await expect(a.failRun(run.id, 'twice')).rejects.toBeInstanceOf(LeaseLost);
    });

    it('takes back a run of its own whose lease ran out once it is no longer in flight here (its hand-back failed)', async () => {
      const id = unique('own-lapsed');
      const { a } = storesFor(id, 50);
      await a.ingestEvent({ name: `test/${id}` });
      const run = (await a.claimRun())!;
      await new Promise((r) => setTimeout(r, 120));
      // still executing here (a stall): not taken over from under itself
      expect(await a.claimRun([run.id])).toBeNull();
      // dropped by this process (the attempt failed while the database was down, so the release failed too)
      const again = (await a.claimRun([]))!;
      expect([again.id, again.attempt]).toEqual([run.id, 1]);
      expect((await runRow(run.id)).error).toBe('attempt 1 of 3 was lost: its worker worker-a stopped (crashed or was killed) before finishing it');
    });

    it('hands back runs whose lease expired, and runs released on stop', async () => {
      const id = unique('expired');
      const { a, b } = storesFor(id, 50);
      await a.ingestEvent({ name: `test/${id}` });
      await a.ingestEvent({ name: `test/${id}` });
      const first = (await a.claimRun())!;
      const second = (await a.claimRun())!;
      await a.releaseRuns([second.id]);
      expect((await runRow(second.id)).status).toBe('queued');
      await new Promise((r) => setTimeout(r, 120));
      expect(await b.recoverLostRuns([])).toBe(1);
      // the lost attempt counts, and says what happened
      expect(await runRow(first.id)).toMatchObject({ status: 'queued', locked_by: null, attempt: 1 });
      expect((await runRow(first.id)).error).toBe('attempt 1 of 3 was lost: its worker worker-a stopped (crashed or was killed) before finishing it');
      expect(await b.countUnfinishedRuns()).toBe(2);
    });

    it('fails a run whose step returns more than the output limit, with a reason', async () => {
      const id = unique('too-big');
      const fn = inngest.createFunction({ id, triggers: [{ event: `test/${id}` }] }, async ({ step }) => {
        await step.run('load-rows', () => 'x'.repeat(5000));
      });
      const runner = await startEmbeddedRunner({ database, functions: [fn], pollMs: 25, cron: false, maxOutputBytes: 1000, log: () => {} });
      await runner.send({ name: `test/${id}` });
      await runner.drain(10_000);
      await runner.stop();
      const { rows } = await database.query<{ status: string; error: string }>('select status, error from job_runs where function_id = $1', [
        `facet-${id}`,
      ]);
      expect(rows).toHaveLength(1);
      expect(rows[0].status).toBe('failed');
      expect(rows[0].error).toMatch(/^step "load-rows" returned 5002 bytes \(limit 1000\)/);
    });
  });
}
