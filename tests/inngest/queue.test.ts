// The queue across accounts: runs claimed round robin by account, then by age; a cap on each account's queued runs;
// the loop sends what the transactional outbox holds (an event whose send after the commit was lost).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { inngest } from '@/inngest/client';
import { asRunQueueFullError, RunQueueFullError, startEmbeddedRunner } from '@/inngest/runner';
import { registerFunctions } from '@/inngest/runner/registry';
import { createJobStore } from '@/inngest/runner/store';
import { drainOutbox } from '@/lib/services/outbox';
import { testDatabases } from '../helpers/db';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const unique = (name: string) => `${name}-${randomUUID().slice(0, 6)}`;

async function waitFor(what: string, ok: () => boolean, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

for (const target of testDatabases()) {
  describe(`the job queue on ${target.name}`, () => {
    let database: Database;
    beforeAll(async () => {
      database = await target.open();
    });
    afterAll(() => target.dispose(database));

    /** A function whose one step takes `ms`; records when each run's step started, by event data `tag`. */
    const timedJob = (id: string, ms: number, concurrency?: { key: string; limit: number }) => {
      const started = new Map<string, number>();
      const fn = inngest.createFunction({ id, triggers: [{ event: `test/${id}` }], ...(concurrency ? { concurrency } : {}) }, async ({ event, step }) => {
        await step.run('work', async () => {
          const tag = (event.data as { tag: string }).tag;
          if (!started.has(tag)) started.set(tag, Date.now());
          await sleep(ms);
        });
      });
      return { fn, started };
    };

    /** Account A queues `backlog` runs, then B one: how long B's run waited to start, and how many of A's went first. */
    const backlogThenOne = async (id: string, job: ReturnType<typeof timedJob>, backlog: number) => {
      const [a, b] = [randomUUID(), randomUUID()];
      const runner = await startEmbeddedRunner({ database, functions: [job.fn], pollMs: 25, cron: false, maxParallelRuns: 4, log: () => {} });
      try {
        await runner.send(Array.from({ length: backlog }, (_, i) => ({ name: `test/${id}`, data: { accountId: a, tag: `a${i}` } })));
        await waitFor("account A's first runs", () => job.started.size > 0);
        const sentAt = Date.now();
        await runner.send({ name: `test/${id}`, data: { accountId: b, tag: 'b' } });
        await waitFor("account B's run", () => job.started.has('b'));
        const waited = job.started.get('b')! - sentAt;
        const aBefore = [...job.started.keys()].filter((k) => k !== 'b').length;
        await runner.drain(60_000);
        return { waited, aBefore };
      } finally {
        await runner.stop();
      }
    };

    it("starts account B's job within 1 s while account A has 80 queued", async () => {
      const id = unique('fair');
      const job = timedJob(id, 150);
      const { waited, aBefore } = await backlogThenOne(id, job, 80);
      expect(waited).toBeLessThan(1000);
      expect(aBefore).toBeLessThan(20);
      const { rows } = await database.query<{ n: number }>(`select count(*)::int as n from job_runs where function_id = $1 and status = 'completed'`, [
        `facet-${id}`,
      ]);
      expect(rows[0].n).toBe(81);
    }, 90_000);

    it("does not let a backlog held back by its concurrency limit hide another account's runs", async () => {
      const id = unique('fair-limited');
      const job = timedJob(id, 100, { key: 'event.data.accountId', limit: 1 });
      const { waited } = await backlogThenOne(id, job, 40);
      expect(waited).toBeLessThan(1000);
    }, 90_000);

    it("refuses an account's queued run beyond the cap with a typed error, storing nothing", async () => {
      const id = unique('cap');
      const fn = inngest.createFunction({ id, triggers: [{ event: `test/${id}` }], onFailure: async () => {} }, async () => 'ok');
      const registry = registerFunctions(inngest, [fn]);
      const store = createJobStore({ database, registry, workerId: 'worker-cap', leaseMs: 60_000, maxQueuedRunsPerAccount: 3 });
      const [a, b] = [randomUUID(), randomUUID()];
      const ev = (accountId: string | undefined, n: number) => ({ name: `test/${id}`, id: `${id}-${accountId ?? 'none'}-${n}`, data: { accountId } });
      expect((await store.ingestEvents([ev(a, 1), ev(a, 2), ev(a, 3)])).runs).toBe(3);

      const refused = await store.ingestEvents([ev(a, 4)]).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(RunQueueFullError);
      expect(refused).toMatchObject({ accountId: a, limit: 3, code: 'run_queue_full' });
      const stored = await database.query('select id from job_events where id = $1', [ev(a, 4).id]);
      expect(stored.rows).toEqual([]);

      // a resend of a stored event is no error; other accounts and account-less events are not held back
      expect((await store.ingestEvents([ev(a, 1)])).runs).toBe(0);
      expect((await store.ingestEvents([ev(b, 1), ev(undefined, 1)])).runs).toBe(2);
      // a failure handler's run is queued whatever the cap
      const failed = { name: 'inngest/function.failed', id: `${id}-failed`, data: { event: { data: { accountId: a } } } };
      expect((await store.ingestEvent(failed, { onlyFunctionId: `facet-${id}-failure` })).runs).toBe(1);

      const queuedOf = async (account: string) =>
        (await database.query<{ n: number }>(`select count(*)::int as n from job_runs where account_id = $1 and status = 'queued'`, [account])).rows[0].n;
      expect(await queuedOf(a)).toBe(4); // the handler's run is A's too
      await expect(store.ingestEvents([ev(a, 5)])).rejects.toBeInstanceOf(RunQueueFullError);

      // once A's runs are claimed (running, no longer queued), A may queue again
      for (let i = 0; i < 6 && (await queuedOf(a)) >= 3; i++) await store.claimRun();
      expect(await queuedOf(a)).toBe(2);
      expect((await store.ingestEvents([ev(a, 5)])).runs).toBe(1);
    });

    it('answers inngest.send beyond the cap with an error the API can tell apart', async () => {
      const id = unique('cap-send');
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const fn = inngest.createFunction({ id, triggers: [{ event: `test/${id}` }] }, async ({ step }) => {
        await step.run('wait', () => gate);
      });
      const runner = await startEmbeddedRunner({ database, functions: [fn], pollMs: 25, cron: false, maxParallelRuns: 1, maxQueuedRunsPerAccount: 2, log: () => {} });
      const accountId = randomUUID();
      const send = () => inngest.send({ name: `test/${id}`, data: { accountId } });
      await send();
      // once running, the first run no longer counts as queued
      for (let i = 0; i < 500; i++) {
        const { rows } = await database.query<{ status: string }>('select status from job_runs where function_id = $1', [`facet-${id}`]);
        if (rows[0]?.status === 'running') break;
        await sleep(20);
      }
      await send();
      await send();
      const err = await send().then(() => null, (e: unknown) => e);
      const full = asRunQueueFullError(err);
      expect(full).toBeInstanceOf(RunQueueFullError);
      expect([full?.accountId, full?.limit]).toEqual([accountId, 2]);
      expect(asRunQueueFullError(new Error('Inngest API Error: 400 an event needs a name'))).toBeNull();
      release();
      await runner.drain(30_000);
      await runner.stop();
      const { rows } = await database.query<{ n: number }>('select count(*)::int as n from job_runs where function_id = $1', [`facet-${id}`]);
      expect(rows[0].n).toBe(3);
    }, 60_000);

    it('starts the run of an outbox event nobody sent, once, and marks it sent', async () => {
      const accountId = randomUUID();
      const eventId = `outbox-${randomUUID()}`;
      const seen: string[] = [];
      const fn = inngest.createFunction({ id: `recompute-${eventId.slice(-6)}`, triggers: [{ event: 'cohort/recompute-requested' }] }, async ({ event }) => {
        seen.push(event.id!);
      });
      // as a crash right after the commit leaves it: written, never sent, older than a request's own send
      await database.query(
        `insert into event_outbox (id, name, data, account_id, created_at) values ($1, 'cohort/recompute-requested', $2::jsonb, $3, now() - interval '10 seconds')`,
        [eventId, JSON.stringify({ accountId }), accountId],
      );
      const runner = await startEmbeddedRunner({ database, functions: [fn], pollMs: 25, cron: false, drainOutbox: (db) => drainOutbox(db), log: () => {} });
      try {
        await waitFor("the outbox event's run", () => seen.length > 0, 15_000);
        await runner.drain(15_000);
        await sleep(1200); // a later look sends nothing again
        await runner.drain(15_000);
      } finally {
        await runner.stop();
      }
      expect(seen).toEqual([eventId]);
      const { rows } = await database.query<{ sent: boolean; attempts: number }>(
        'select sent_at is not null as sent, attempts from event_outbox where id = $1',
        [eventId],
      );
      expect(rows).toEqual([{ sent: true, attempts: 1 }]);
    }, 60_000);
  });
}
