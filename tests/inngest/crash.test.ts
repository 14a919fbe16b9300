// Crashed attempts: a worker killed with SIGKILL mid-step (a real second process), and a worker that stops
// answering on another host. Each lost attempt counts; a restart resumes within 10 s, not after a long lease.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { InngestFunction } from 'inngest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { inngest } from '@/inngest/client';
import { startEmbeddedRunner } from '@/inngest/runner';
import { DEFAULT_LEASE_MS } from '@/inngest/runner/runner';
import { createJobStore } from '@/inngest/runner/store';
import { registerFunctions } from '@/inngest/runner/registry';
import { isWorkerGone, newWorkerId } from '@/inngest/runner/workers';
import { testDatabases } from '../helpers/db';

const RESUME_WITHIN_MS = 10_000;
// from a restarted runner's start to the step running again (the process's own boot, 3-8 s here under load, aside)
const RESUME_AFTER_START_MS = DEFAULT_LEASE_MS;
const fixture = path.join(process.cwd(), 'tests', 'inngest', 'fixtures', 'crash-worker.ts');

type Exit = { code: number | null; signal: NodeJS.Signals | null; startedAt: number };

function runWorker(env: Record<string, string>): Promise<Exit> {
  const startedAt = Date.now();
  // node itself with tsx's loader (not the tsx wrapper): the process that kills itself is the one we watch
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], { env: { ...process.env, VITEST: '', ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal, startedAt }));
  });
}

/** Starts a runner of `fn` (as after a restart), lets it finish everything and answers the statuses of fn's runs. */
async function restartAndFinish(db: Database, fn: InngestFunction.Any): Promise<string[]> {
  const runner = await startEmbeddedRunner({ database: db, functions: [fn], pollMs: 100, cron: false, log: () => {} });
  try {
    await runner.drain(30_000);
  } finally {
    await runner.stop();
  }
  const { rows } = await db.query<{ status: string }>('select status from job_runs where function_id = $1', [fn.id('facet')]);
  return rows.map((r) => r.status);
}

/** The pid of a process that has exited (and been reaped). */
function exitedPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', () => resolve(child.pid!));
  });
}

const readLog = (file: string) =>
  fs.existsSync(file)
    ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => {
        const [at, step, pid] = l.split(' ');
        return { at: Number(at), step, pid: Number(pid) };
      })
    : [];

for (const target of testDatabases()) {
  describe(`crashed attempts on ${target.name}`, () => {
    let database: Database;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'facet-crash-'));

    beforeAll(async () => {
      database = await target.open();
    });
    afterAll(async () => {
      await target.dispose(database);
      fs.rmSync(tmp, { recursive: true, force: true });
    });

    // the worker processes connect to the same database (both targets are PostgreSQL servers)
    const dbEnv = (): Record<string, string> => ({ FACET_TEST_DB_URL: target.url!(database) });

    it('counts a step that kills its process as an attempt: three kills, then the run fails saying why', async () => {
      const logFile = path.join(tmp, 'steps.log');
      const event = { name: 'test/crash-loop', id: `crash-${randomUUID()}` };
      const exits: Exit[] = [];
      exits.push(await runWorker({ ...dbEnv(), FACET_TEST_LOG: logFile, FACET_TEST_KILL: '1', FACET_TEST_EVENT: JSON.stringify(event) }));
      while (exits.at(-1)!.signal === 'SIGKILL' && exits.length < 6) {
        exits.push(await runWorker({ ...dbEnv(), FACET_TEST_LOG: logFile, FACET_TEST_KILL: '1' }));
      }
      expect(exits.map((e) => e.signal ?? e.code)).toEqual(['SIGKILL', 'SIGKILL', 'SIGKILL', 0]);

      const log = readLog(logFile);
      const steps = log.filter((l) => l.step !== 'runner-started');
      // the first step is memoized across the kills; the killing step ran once per attempt (retries: 2)
      expect(steps.map((l) => l.step)).toEqual(['prepare', 'kill-the-worker', 'kill-the-worker', 'kill-the-worker']);
      // each restart picked the run up within seconds, not after a long lease
      const kills = steps.filter((l) => l.step === 'kill-the-worker');
      for (let i = 1; i < kills.length; i++) {
        const started = log.find((l) => l.step === 'runner-started' && l.pid === kills[i].pid)!;
        expect(kills[i].pid).not.toBe(kills[i - 1].pid);
        expect(kills[i].at - started.at).toBeLessThan(RESUME_AFTER_START_MS);
      }

      const { rows } = await database.query<{ status: string; error: string; attempt: number }>(
        `select status, error, attempt from job_runs where function_id = 'facet-crash-loop' and event->>'id' = $1`,
        [event.id],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].status).toBe('failed');
      expect(rows[0].error).toMatch(
        /^gave up after 3 attempts: attempt 3 of 3 was lost: its worker .+:\d+:\w+ stopped \(crashed or was killed\) before finishing it$/,
      );
    }, 240_000);

    it('resumes at once, at start, a run whose worker on this host is gone, though its lease has a minute left', async () => {
      const db = database;
      const id = `gone-${randomUUID().slice(0, 6)}`;
      let resumedAt = 0;
      const fn = inngest.createFunction({ id, triggers: [{ event: `test/${id}` }] }, async ({ step }) => {
        await step.run('work', () => ((resumedAt = Date.now()), 1));
      });
      const deadPid = await exitedPid();
      const dead = `${os.hostname()}:${deadPid}:dead0000`;
      expect([isWorkerGone(dead), isWorkerGone(`${os.hostname()}:${process.ppid}:alive000`), isWorkerGone('elsewhere:1:x')]).toEqual([true, false, false]);
      expect(isWorkerGone(newWorkerId())).toBe(true); // of this process, but no runner of it uses the id
      // the dead worker's claim, with a lease a minute long
      const held = createJobStore({ database: db, registry: registerFunctions(inngest, [fn]), workerId: dead, leaseMs: 60_000 });
      await held.ingestEvent({ name: `test/${id}` });
      expect(await held.claimRun()).not.toBeNull();

      const startedAt = Date.now();
      expect(await restartAndFinish(db, fn)).toEqual(['completed']);
      expect(resumedAt - startedAt).toBeLessThan(RESUME_AFTER_START_MS);
    }, 60_000);

    it('resumes a run held by a worker elsewhere that stopped, within 10 s, on the default lease', async () => {
      const db = database;
      const id = `stalled-${randomUUID().slice(0, 6)}`;
      let secondStarted = 0;
      let attemptSeen = -1;
      const never = new Promise<never>(() => {});
      const stalled = inngest.createFunction({ id, triggers: [{ event: `test/${id}` }] }, async ({ step }) => {
        await step.run('first', () => 1);
        await step.run('second', () => never);
      });
      const resumed = inngest.createFunction({ id, triggers: [{ event: `test/${id}` }] }, async ({ step, attempt }) => {
        await step.run('first', () => 1);
        await step.run('second', () => ((secondStarted = Date.now()), (attemptSeen = attempt), 2));
      });
      // an id of another host: its process cannot be checked, only its lease tells
      const a = await startEmbeddedRunner({ database: db, functions: [stalled], pollMs: 50, cron: false, workerId: 'elsewhere:4242:abcd', log: () => {} });
      await a.send({ name: `test/${id}` });
      const deadline = Date.now() + 20_000;
      for (;;) {
        const { rows } = await db.query<{ n: number }>(
          `select count(*)::int as n from job_steps s join job_runs r on r.id = s.run_id where r.function_id = $1`,
          [`facet-${id}`],
        );
        if (rows[0].n === 1) break;
        if (Date.now() > deadline) throw new Error('the first step never persisted');
        await new Promise((r) => setTimeout(r, 20));
      }
      await a.stop({ abandon: true }); // as if its machine went away: no hand-back, the lease stays
      const restartedAt = Date.now();
      expect(await restartAndFinish(db, resumed)).toEqual(['completed']);
      expect(secondStarted - restartedAt).toBeLessThan(RESUME_WITHIN_MS);
      // the stalled attempt counted: the step ran again as the run's second attempt
      expect(attemptSeen).toBe(1);
    }, 60_000);
  });
}
