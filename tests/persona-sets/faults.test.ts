import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setDatabase, type Database } from '@/db/client';
import { seedLargeAccount } from '@/scripts/seed';
import { functions } from '@/inngest/functions';
import { startEmbeddedRunner } from '@/inngest/runner';
import { createPersonaSet, getPersonaSetOrThrow } from '@/lib/services/persona-sets';
import { testDatabases, type TestDatabase } from '../helpers/db';
import { tenantOf } from '@/lib/services/tenant';

const MEMBERS = 100_000;

// A real SIGKILL needs a second process on the same database: the PostgreSQL server (CI sets TEST_DATABASE_URL).
const servers = testDatabases().filter((t) => t.name === 'pg');
const cases: { name: string; target: TestDatabase | null }[] = servers.length
  ? servers.map((t) => ({ name: t.name, target: t }))
  : [{ name: 'PostgreSQL (TEST_DATABASE_URL not set: skipped)', target: null }];

describe.each(cases)(
  'build faults on $name',
  ({ target }) => {
    let database: Database;
    let child: ChildProcess | undefined;
    beforeAll(async () => {
      if (!target) return;
      database = await target.open();
      setDatabase(database);
    }, 120_000);
    afterAll(async () => {
      child?.kill('SIGKILL');
      setDatabase(undefined);
      if (database && target) await target.dispose(database);
    });

    it('a build killed with SIGKILL while writing assignments resumes after restart: one current assignment per member', async (ctx) => {
      if (!target) ctx.skip();
      const { accountId, cohortId } = await seedLargeAccount(database, MEMBERS, 'big');
      const s = await database.query<{ id: string }>(
        `insert into persona_sets (account_id, cohort_id, name, slug, build_version, status) values ($1, $2, 'Everyone', 'everyone', 1, 'queued') returning id`,
        [accountId, cohortId],
      );
      const personaSetId = s.rows[0].id;
      const event = { name: 'persona-set/requested', id: `fault-${personaSetId}`, data: { accountId, personaSetId, buildVersion: 1 } };
      const tsx = path.join(process.cwd(), 'node_modules', '.bin', 'tsx');
      // the services are server-only: the worker resolves that guard as a server does
      child = spawn(tsx, ['--conditions=react-server', path.join(process.cwd(), 'tests', 'fixtures', 'runner-process.ts')], {
        env: { ...process.env, VITEST: '', FACET_TEST_DB_URL: target!.url!(database), FACET_TEST_EVENT: JSON.stringify(event) },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      // wait for the assignment step to be under way, then kill the worker outright
      const deadline = Date.now() + 240_000;
      let step = '';
      while (Date.now() < deadline) {
        const r = await database.query<{ current_step: string | null }>('select current_step from persona_sets where id = $1', [personaSetId]);
        step = r.rows[0].current_step ?? '';
        if (step === 'Writing assignments' || step === 'Assigning members') break;
        await new Promise((r) => setTimeout(r, 25));
      }
      expect(['Writing assignments', 'Assigning members']).toContain(step);
      child.kill('SIGKILL');
      await new Promise((r) => child!.once('exit', r));
      const beforeRestart = await database.query<{ n: string }>(
        `select count(*)::text as n from job_steps s join job_runs r on r.id = s.run_id where r.function_id like '%build-persona-set' and s.name = 'write-assignments' and s.status = 'completed'`,
      );
      expect(beforeRestart.rows[0].n).toBe('0');

      const runner = await startEmbeddedRunner({ database, functions, pollMs: 100, leaseMs: 2000, cron: false, log: () => {} });
      try {
        await runner.drain(240_000);
      } finally {
        await runner.stop();
      }
      const set = await getPersonaSetOrThrow(tenantOf(database, accountId), personaSetId);
      expect(set.error).toBeNull();
      expect(set.status).toBe('ready');
      const a = await database.query<{ cur: string; people: string; all: string }>(
        `select count(*) filter (where valid_to is null)::text as cur, count(distinct person_id) filter (where valid_to is null)::text as people,
                count(*)::text as all from assignments where persona_set_id = $1`,
        [personaSetId],
      );
      expect(Number(a.rows[0].cur)).toBe(MEMBERS);
      expect(Number(a.rows[0].people)).toBe(MEMBERS);
      expect(Number(a.rows[0].all)).toBe(MEMBERS);
      // the fit before the crash was kept, not redone
      const fit = await database.query<{ n: string }>(
        `select count(*)::text as n from job_steps where name = 'fit-personas' and status = 'completed'`,
      );
      expect(fit.rows[0].n).toBe('1');
    }, 600_000);

    it('the same build request sent three times at once makes one build', async (ctx) => {
      if (!target) ctx.skip();
      const acct = await database.query<{ id: string }>(`select id from accounts where slug = 'big'`);
      const cohort = await database.query<{ id: string }>(`select id from cohorts where account_id = $1`, [acct.rows[0].id]);
      const runner = await startEmbeddedRunner({ database, functions, pollMs: 100, cron: false, log: () => {} });
      try {
        const results = await Promise.allSettled(
          [1, 2, 3].map(() => createPersonaSet(tenantOf(database, acct.rows[0].id, null), { name: 'Triple', cohortId: cohort.rows[0].id })),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const set = (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ id: string; buildVersion: number }>).value;
        const event = { name: 'persona-set/requested', id: `persona-set-build-${set.id}-v1`, data: { accountId: acct.rows[0].id, personaSetId: set.id, buildVersion: 1 } };
        await Promise.all([runner.send(event), runner.send(event), runner.send(event)]);
        const runs = await database.query<{ n: string }>(
          `select count(*)::text as n from job_runs where function_id like '%build-persona-set' and event->'data'->>'personaSetId' = $1`,
          [set.id],
        );
        expect(runs.rows[0].n).toBe('1');
      } finally {
        await runner.stop();
      }
    }, 120_000);
  },
);
