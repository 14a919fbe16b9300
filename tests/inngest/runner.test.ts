import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NonRetriableError, type InngestFunction } from 'inngest';
import type { Database } from '@/db/client';
import { inngest } from '@/inngest/client';
import { startEmbeddedRunner, type EmbeddedRunner, type EmbeddedRunnerOptions } from '@/inngest/runner';
import { getJobRun, listJobRuns } from '@/lib/services/jobs';
import { testDatabases } from '../helpers/db';
import { tenantOf } from '@/lib/services/tenant';

const fast = { pollMs: 25, backoffMs: () => 20, cron: false } as const;

type RunRow = { id: string; function_id: string; status: string; error: string | null; output: unknown; attempt: number };
type StepRow = { name: string; op: string; status: string; attempts: number; data: unknown };

for (const target of testDatabases()) {
  describe(`embedded runner on ${target.name}`, () => {
    let database: Database;
    const runners: EmbeddedRunner[] = [];

    beforeAll(async () => {
      database = await target.open();
    });
    afterAll(async () => {
      for (const r of runners) await r.stop();
      await target.dispose(database);
    });

    const start = async (functions: InngestFunction.Any[], opts: Partial<EmbeddedRunnerOptions> = {}) => {
      const runner = await startEmbeddedRunner({ database, functions, ...fast, ...opts });
      runners.push(runner);
      return runner;
    };
    const runsOf = async (fnId: string) =>
      (await database.query<RunRow>('select * from job_runs where function_id = $1 order by created_at', [`facet-${fnId}`])).rows;
    const stepsOf = async (runId: string) =>
      (await database.query<StepRow>('select * from job_steps where run_id = $1 order by seq', [runId])).rows;
    const unique = (name: string) => `${name}-${randomUUID().slice(0, 6)}`;

    it('runs a multi-step function and memoizes each step once', async () => {
      const id = unique('multi-step');
      const calls: string[] = [];
      const fn = inngest.createFunction({ id, triggers: [{ event: `test/${id}` }] }, async ({ event, step }) => {
        const a = await step.run('load-a', () => (calls.push('a'), (event.data as { n: number }).n));
        const b = await step.run('double-b', () => (calls.push('b'), a * 2));
        const c = await step.run('add-c', () => (calls.push('c'), a + b));
        return { a, b, c };
      });
      const runner = await start([fn]);
      await inngest.send({ name: `test/${id}`, data: { n: 5 } });
      await runner.drain(10_000);
      await runner.stop();
      const [run] = await runsOf(id);
      expect(run.status).toBe('completed');
      expect(run.output).toEqual({ a: 5, b: 10, c: 15 });
      expect(calls).toEqual(['a', 'b', 'c']);
      const steps = await stepsOf(run.id);
      expect(steps.map((s) => [s.name, s.status, s.data])).toEqual([
        ['load-a', 'completed', 5],
        ['double-b', 'completed', 10],
        ['add-c', 'completed', 15],
      ]);
    });

    it('runs parallel steps and memoizes all of them', async () => {
      const id = unique('parallel');
      const counts = new Map<string, number>();
      const hit = (k: string) => counts.set(k, (counts.get(k) ?? 0) + 1);
      const fn = inngest.createFunction({ id, triggers: [{ event: `test/${id}` }] }, async ({ step }) => {
        const parts = await Promise.all(
          [1, 2, 3].map((i) => step.run(`score-chunk-${i}`, () => (hit(`chunk-${i}`), i * 10))),
        );
        const total = await step.run('sum', () => (hit('sum'), parts.reduce((x, y) => x + y, 0)));
        return { parts, total };
      });
      const runner = await start([fn]);
      await runner.send({ name: `test/${id}`, data: {} });
      await runner.drain(10_000);
      await runner.stop();
      const [run] = await runsOf(id);
      expect(run.status).toBe('completed');
      expect(run.output).toEqual({ parts: [10, 20, 30], total: 60 });
      expect(Object.fromEntries(counts)).toEqual({ 'chunk-1': 1, 'chunk-2': 1, 'chunk-3': 1, sum: 1 });
      expect((await stepsOf(run.id)).map((s) => s.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    });

    it('sleeps and resumes after the wake-up time', async () => {
      const id = unique('sleep');
      const fn = inngest.createFunction({ id, triggers: [{ event: `test/${id}` }] }, async ({ step }) => {
        const before = await step.run('before', () => Date.now());
        await step.sleep('nap', '1s');
        const after = await step.run('after', () => Date.now());
        return { waited: after - before };
      });
      const runner = await start([fn]);
      await runner.send({ name: `test/${id}` });
      await new Promise((r) => setTimeout(r, 300));
      expect((await runsOf(id))[0].status).toBe('sleeping');
      await runner.drain(10_000);
      await runner.stop();
      const [run] = await runsOf(id);
      expect(run.status).toBe('completed');
      expect((run.output as { waited: number }).waited).toBeGreaterThanOrEqual(950);
      expect((await stepsOf(run.id)).map((s) => [s.name, s.op, s.status])).toEqual([
        ['before', 'StepRun', 'completed'],
        ['nap', 'Sleep', 'completed'],
        ['after', 'StepRun', 'completed'],
      ]);
    });

    it('fans step.sendEvent out to every function the event triggers', async () => {
      const id = unique('fan');
      const parent = inngest.createFunction({ id: `${id}-parent`, triggers: [{ event: `test/${id}` }] }, async ({ step }) => {
        const prepared = await step.run('prepare', () => 'x');
        await step.sendEvent('emit-child', { name: `test/${id}-child`, data: { from: prepared } });
        return 'sent';
      });
      const childA = inngest.createFunction({ id: `${id}-a`, triggers: [{ event: `test/${id}-child` }] }, async ({ event }) => ({
        got: (event.data as { from: string }).from,
      }));
      const childB = inngest.createFunction({ id: `${id}-b`, triggers: [{ event: `test/${id}-child` }] }, async () => 'b');
      const runner = await start([parent, childA, childB]);
      await runner.send({ name: `test/${id}` });
      await runner.drain(10_000);
      await runner.stop();
      expect((await runsOf(`${id}-parent`))[0].status).toBe('completed');
      const [a] = await runsOf(`${id}-a`);
      const [b] = await runsOf(`${id}-b`);
      expect([a.status, a.output]).toEqual(['completed', { got: 'x' }]);
      expect([b.status, b.output]).toEqual(['completed', 'b']);
      const { rows } = await database.query<{ n: number }>('select count(*)::int as n from job_events where name = $1', [
        `test/${id}-child`,
      ]);
      expect(rows[0].n).toBe(1);
    });

    it('retries a step that throws twice, then completes', async () => {
      const id = unique('flaky');
      let tries = 0;
      const fn = inngest.createFunction({ id, triggers: [{ event: `test/${id}` }] }, async ({ step }) => {
        const v = await step.run('call-flaky-service', () => {
          tries += 1;
          if (tries < 3) throw new Error(`flaky ${tries}`);
          return 'ok';
        });
        return v;
      });
      const runner = await start([fn]);
      await runner.send({ name: `test/${id}` });
      await runner.drain(10_000);
      await runner.stop();
      const [run] = await runsOf(id);
      expect(run.status).toBe('completed');
      expect(run.output).toBe('ok');
      expect(tries).toBe(3);
      const [step] = await stepsOf(run.id);
      expect([step.status, step.attempts]).toEqual(['completed', 3]);
    });

    it('fails a poison input after its retries, with the reason; NonRetriableError and function errors too', async () => {
      const id = unique('poison');
      let tries = 0;
      const failures: string[] = [];
      const poison = inngest.createFunction(
        {
          id,
          triggers: [{ event: `test/${id}` }],
          onFailure: async ({ error, event }) => {
            failures.push(`${error.message} (${(event.data as { function_id: string }).function_id})`);
          },
        },
        async ({ step }) => {
        await step.run('parse-input', () => {
          tries += 1;
          throw new Error('row 3: amount is not a number');
        });
        },
      );
      let fatalTries = 0;
      const fatal = inngest.createFunction({ id: `${id}-fatal`, retries: 5, triggers: [{ event: `test/${id}` }] }, async ({ step }) => {
        await step.run('check', () => {
          fatalTries += 1;
          throw new NonRetriableError('cohort is gone');
        });
      });
      let outerTries = 0;
      const outer = inngest.createFunction({ id: `${id}-outer`, retries: 1, triggers: [{ event: `test/${id}` }] }, async ({ step }) => {
        await step.run('fine', () => 1);
        outerTries += 1;
        throw new Error('bad state after the step');
      });
      const runner = await start([poison, fatal, outer]);
      await runner.send({ name: `test/${id}` });
      await runner.drain(15_000);
      await runner.stop();

      const [run] = await runsOf(id);
      expect(run.status).toBe('failed');
      expect(run.error).toContain('row 3: amount is not a number');
      expect(tries).toBe(4);
      const [step] = await stepsOf(run.id);
      expect([step.status, step.attempts]).toEqual(['failed', 4]);
      expect(failures).toEqual([`row 3: amount is not a number (facet-${id})`]);

      const [f] = await runsOf(`${id}-fatal`);
      expect([f.status, f.error, fatalTries]).toEqual(['failed', 'cohort is gone', 1]);

      const [o] = await runsOf(`${id}-outer`);
      expect([o.status, o.error, outerTries]).toEqual(['failed', 'bad state after the step', 2]);
    });

    it('starts functions once for an event id sent three times at once', async () => {
      const id = unique('dedupe');
      let runs = 0;
      const fn = inngest.createFunction({ id, triggers: [{ event: `test/${id}` }] }, async ({ step }) => {
        await step.run('count', () => (runs += 1));
      });
      const runner = await start([fn]);
      const event = { name: `test/${id}`, data: { n: 1 }, id: `evt-${id}` };
      await Promise.all([inngest.send(event), runner.send(event), inngest.send(event)]);
      await runner.drain(10_000);
      await runner.stop();
      expect(await runsOf(id)).toHaveLength(1);
      expect(runs).toBe(1);
    });

    it('honours a concurrency limit per key', async () => {
      const id = unique('concurrency');
      const running = new Map<string, number>();
      const peak = new Map<string, number>();
      const fn = inngest.createFunction(
        { id, concurrency: { key: 'event.data.accountId', limit: 2 }, triggers: [{ event: `test/${id}` }] },
        async ({ event, step }) => {
          const account = (event.data as { accountId: string }).accountId;
          await step.run('work', async () => {
            running.set(account, (running.get(account) ?? 0) + 1);
            peak.set(account, Math.max(peak.get(account) ?? 0, running.get(account)!));
            await new Promise((r) => setTimeout(r, 120));
            running.set(account, running.get(account)! - 1);
          });
          await step.run('more-work', () => new Promise((r) => setTimeout(r, 30)));
        },
      );
      const a = randomUUID();
      const b = randomUUID();
      const runner = await start([fn], { maxParallelRuns: 8 });
      await runner.send([
        ...Array.from({ length: 6 }, () => ({ name: `test/${id}`, data: { accountId: a } })),
        ...Array.from({ length: 3 }, () => ({ name: `test/${id}`, data: { accountId: b } })),
      ]);
      await runner.drain(20_000);
      await runner.stop();
      const runs = await runsOf(id);
      expect(runs.filter((r) => r.status === 'completed')).toHaveLength(9);
      expect(peak.get(a)).toBe(2);
      expect(peak.get(b)).toBe(2);
      const { rows } = await database.query<{ n: number }>(
        'select count(distinct k)::int as n from job_runs, unnest(concurrency_keys) as k where function_id = $1',
        [`facet-${id}`],
      );
      expect(rows[0].n).toBe(2);
    });

    it('honours two concurrency rules at once: one run per set, two per account, across two runners', async () => {
      const id = unique('two-rules');
      const running = new Map<string, number>();
      const peak = new Map<string, number>();
      const enter = (k: string) => {
        running.set(k, (running.get(k) ?? 0) + 1);
        peak.set(k, Math.max(peak.get(k) ?? 0, running.get(k)!));
      };
      const leave = (k: string) => running.set(k, running.get(k)! - 1);
      const fn = inngest.createFunction(
        {
          id,
          concurrency: [
            { key: 'event.data.setId', limit: 1 },
            { key: 'event.data.accountId', limit: 2 },
          ],
          triggers: [{ event: `test/${id}` }],
        },
        async ({ event, step }) => {
          const { accountId, setId } = event.data as { accountId: string; setId: string };
          await step.run('work', async () => {
            enter(`set:${setId}`);
            enter(`account:${accountId}`);
            await new Promise((r) => setTimeout(r, 80));
            leave(`set:${setId}`);
            leave(`account:${accountId}`);
          });
        },
      );
      const [a, b] = [randomUUID(), randomUUID()];
      const setsOf = { [a]: [randomUUID(), randomUUID(), randomUUID()], [b]: [randomUUID(), randomUUID()] };
      // two processes claiming from one queue, with room for more runs than the rules allow
      const one = await start([fn], { maxParallelRuns: 6 });
      const two = await start([fn], { maxParallelRuns: 6 });
      await one.send(
        Object.entries(setsOf).flatMap(([accountId, sets]) =>
          sets.flatMap((setId) => Array.from({ length: 3 }, () => ({ name: `test/${id}`, data: { accountId, setId } }))),
        ),
      );
      await Promise.all([one.drain(30_000), two.drain(30_000)]);
      await Promise.all([one.stop(), two.stop()]);
      const runs = await runsOf(id);
      expect(runs.filter((r) => r.status === 'completed')).toHaveLength(15);
      for (const setId of [...setsOf[a], ...setsOf[b]]) expect(peak.get(`set:${setId}`)).toBe(1);
      // the account limit is reached (two of its sets at once) and never passed
      expect(peak.get(`account:${a}`)).toBe(2);
      expect(peak.get(`account:${b}`)).toBe(2);
      const { rows } = await database.query<{ keys: string[]; limits: number[] }>(
        'select concurrency_keys as keys, concurrency_limits as limits from job_runs where function_id = $1 limit 1',
        [`facet-${id}`],
      );
      expect(rows[0].limits).toEqual([1, 2]);
      expect(rows[0].keys[0]).toMatch(/:event\.data\.setId:[0-9a-f-]{36}$/);
      expect(rows[0].keys[1]).toMatch(/:event\.data\.accountId:[0-9a-f-]{36}$/);
    });

    it('resumes a run after a crash from its last persisted step', async () => {
      const id = unique('resume');
      const calls = { first: 0, second: 0, third: 0 };
      const never = new Promise<never>(() => {});
      const broken = inngest.createFunction({ id, triggers: [{ event: `test/${id}` }] }, async ({ step }) => {
        const one = await step.run('step-one', () => ((calls.first += 1), 1));
        const two = await step.run('step-two', () => never);
        return one + two;
      });
      const fixed = inngest.createFunction({ id, triggers: [{ event: `test/${id}` }] }, async ({ step }) => {
        const one = await step.run('step-one', () => ((calls.first += 1), 1));
        const two = await step.run('step-two', () => ((calls.second += 1), 2));
        const three = await step.run('step-three', () => ((calls.third += 1), 3));
        return one + two + three;
      });
      const a = await start([broken], { leaseMs: 600 });
      await a.send({ name: `test/${id}` });
      const deadline = Date.now() + 10_000;
      for (;;) {
        const [run] = await runsOf(id);
        if (run && (await stepsOf(run.id)).length === 1) break;
        if (Date.now() > deadline) throw new Error('step one never persisted');
        await new Promise((r) => setTimeout(r, 20));
      }
      await a.stop({ abandon: true }); // like a crash: the lease is left to expire
      expect((await runsOf(id))[0].status).toBe('running');

      const b = await start([fixed]);
      await b.drain(10_000);
      await b.stop();
      const [run] = await runsOf(id);
      expect(run.status).toBe('completed');
      expect(run.output).toBe(6);
      expect(calls).toEqual({ first: 1, second: 1, third: 1 });
      expect((await stepsOf(run.id)).map((s) => s.name)).toEqual(['step-one', 'step-two', 'step-three']);
    });

    it('fires a cron function once per minute, even with two runners', async () => {
      const id = unique('cron');
      let fired = 0;
      const fn = inngest.createFunction({ id, triggers: [{ cron: '*/5 * * * *' }] }, async ({ event }) => {
        fired += 1;
        return event.name;
      });
      const at = Date.parse('2030-01-01T10:05:20Z');
      const r1 = await start([fn], { cron: true, now: () => at });
      const r2 = await start([fn], { cron: true, now: () => at });
      await new Promise((r) => setTimeout(r, 200));
      await r1.drain(10_000);
      await Promise.all([r1.stop(), r2.stop()]);
      const runs = await runsOf(id);
      expect(runs).toHaveLength(1);
      expect([runs[0].status, runs[0].output, fired]).toEqual(['completed', 'inngest/scheduled.timer', 1]);
      const { rows } = await database.query<{ id: string }>('select id from job_events where id like $1', [`cron-facet-${id}-%`]);
      expect(rows.map((r) => r.id)).toEqual([`cron-facet-${id}-2030-01-01T10:05:00.000Z`]);

      const off = Date.parse('2030-01-01T10:06:00Z');
      const r3 = await start([fn], { cron: true, now: () => off });
      await new Promise((r) => setTimeout(r, 150));
      await r3.stop();
      expect(await runsOf(id)).toHaveLength(1);
    });

    it('lists runs per account and shows a run with its steps', async () => {
      const id = unique('listed');
      const fn = inngest.createFunction({ id, triggers: [{ event: `test/${id}` }] }, async ({ step }) => {
        await step.run('load-people', () => 1);
        await step.run('cluster', () => 2);
      });
      const mine = randomUUID();
      const theirs = randomUUID();
      const runner = await start([fn]);
      await runner.send([
        { name: `test/${id}`, data: { accountId: mine } },
        { name: `test/${id}`, data: { accountId: theirs } },
      ]);
      await runner.drain(10_000);
      await runner.stop();
      const listed = (await listJobRuns(tenantOf(database, mine), { limit: 100 })).filter((r) => r.functionId === id);
      expect(listed).toHaveLength(1);
      expect(listed[0].status).toBe('completed');
      expect(await listJobRuns(tenantOf(database, mine), { limit: 100, status: 'failed' })).not.toContainEqual(
        expect.objectContaining({ functionId: id }),
      );
      const detail = await getJobRun(tenantOf(database, mine), listed[0].id);
      expect(detail.steps.map((s) => [s.name, s.status, s.error])).toEqual([
        ['load-people', 'completed', null],
        ['cluster', 'completed', null],
      ]);
      expect(detail.steps[0].durationMs).toBeGreaterThanOrEqual(0);
      await expect(getJobRun(tenantOf(database, theirs), listed[0].id)).rejects.toThrow('not found');
    });
  });
}
