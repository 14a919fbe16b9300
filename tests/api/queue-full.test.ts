// An account whose job queue is full: saves, rebuilds and scoring requests are refused before anything is written
// (429 with Retry-After over the API, a readable error in the app's actions), and accepted again once a job leaves
// the queue. The queue is the embedded runner's, with a small cap and no runs executed (as in the web process).
import { describe, expect, it, vi } from 'vitest';
import { inngest } from '@/inngest/client';
import { functions } from '@/inngest/functions';
import { startEmbeddedRunner, type EmbeddedRunner } from '@/inngest/runner';
import { registerFunctions } from '@/inngest/runner/registry';
import { createJobStore } from '@/inngest/runner/store';
import { requestScoring } from '@/lib/services/persona-sets';
import { tenantOf } from '@/lib/services/tenant';
import { testDatabases } from '../helpers/db';
import { callApi } from './helpers';
import { useTwoAccounts } from './fixture';

vi.mock('server-only', () => ({}));
vi.mock('next/cache', () => ({ revalidatePath: vi.fn() }));
const viewerMock = vi.hoisted(() => ({ current: null as null | Record<string, unknown> }));
vi.mock('@/lib/auth', () => ({ getViewer: async () => viewerMock.current, requireViewer: async () => viewerMock.current }));

const actions = await import('@/app/(app)/persona-sets/actions');
const trackingActions = await import('@/app/(app)/persona-sets/[id]/tracking-actions');

const CAP = 3;
const FULL = 'Too many jobs are queued for this account; try again later.';

describe.each(testDatabases())('a full job queue on $name', (target) => {
  const ctx = useTwoAccounts(target);
  let runner: EmbeddedRunner | undefined;

  /** What a refused request must leave as it was: the account's sets, their versions, scoring runs, outbox and queue. */
  const accountState = async () => {
    const { rows } = await ctx.database.query<Record<string, unknown>>(
      `select (select json_agg(json_build_object('id', id, 'name', name, 'v', build_version, 'status', status) order by id)
                 from persona_sets where account_id = $1) as sets,
              (select count(*)::int from scoring_runs where account_id = $1) as scoring_runs,
              (select count(*)::int from event_outbox where account_id = $1) as outbox,
              (select count(*)::int from job_runs where account_id = $1 and status = 'queued') as queued`,
      [ctx.fx.b.accountId],
    );
    return rows[0];
  };

  const expectFull = (res: Awaited<ReturnType<typeof callApi>>) => {
    expect(res.status, res.text).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(res.json).toEqual({ error: { code: 'rate_limited', message: FULL } });
  };

  it('answers 429 to a save, a rebuild and a scoring request once the account has its most queued jobs, writing nothing', async () => {
    const { key, cohortId, setId } = ctx.fx.b;
    runner = await startEmbeddedRunner({ database: ctx.database, functions, maxParallelRuns: 0, cron: false, pollMs: 60_000, maxQueuedRunsPerAccount: CAP, log: () => {} });
    try {
      expect((await accountState()).queued).toBe(0);
      for (let i = 1; i <= CAP; i++) {
        const res = await callApi('POST', '/persona-sets', { key, body: { name: `Flood ${i}`, cohortId } });
        expect(res.status, res.text).toBe(201);
      }
      expect((await accountState()).queued).toBe(CAP);

      const before = await accountState();
      expectFull(await callApi('POST', '/persona-sets', { key, body: { name: 'Flood one too many', cohortId } }));
      expectFull(await callApi('POST', `/persona-sets/${setId}/rebuild`, { key }));
      expectFull(await callApi('POST', `/persona-sets/${setId}/scoring-runs`, { key }));
      expect(await accountState()).toEqual(before);

      // the app's actions refuse the same way, with a message a person can read
      viewerMock.current = { userId: 'u_flood', name: 'F', email: 'f@example.com', accountId: ctx.fx.b.accountId, accountName: 'B', isDemo: false };
      expect(await actions.createPersonaSetAction({ name: 'Flood from the app', cohortId, traitKeys: null, k: null })).toEqual({ ok: false, error: FULL });
      expect(await actions.rebuildPersonaSetAction({ id: setId })).toEqual({ ok: false, error: FULL });
      expect(await trackingActions.scoreNowAction({ id: setId })).toEqual({ ok: false, error: FULL });
      expect(await accountState()).toEqual(before);

      // scoring a job asked for (the hourly schedule) is not refused: it waits in the outbox until there is room
      const scheduled = await requestScoring(tenantOf(ctx.database, ctx.fx.b.accountId), setId, 'scheduled');
      const pending = await ctx.database.query<{ n: number }>(
        `select count(*)::int as n from event_outbox where id = $1 and sent_at is null`,
        [`scoring-${scheduled.id}`],
      );
      expect(pending.rows[0].n).toBe(1);
      expect((await accountState()).queued).toBe(CAP);
      // taken out again: a pending event counts as a waiting job, and the race below wants one place exactly
      await ctx.database.query('delete from event_outbox where id = $1', [`scoring-${scheduled.id}`]);
      await ctx.database.query('delete from scoring_runs where id = $1', [scheduled.id]);
      expect(await accountState()).toEqual(before);

      // another account is not held back by this one's backlog (it fails on its own terms: it has no such set)
      const other = await callApi('POST', `/persona-sets/${setId}/rebuild`, { key: ctx.fx.a.key });
      expect(other.status, other.text).toBe(404);

      // a worker takes one run: one place frees up, and two requests at once get one place between them
      const store = createJobStore({ database: ctx.database, registry: registerFunctions(inngest, functions), workerId: 'queue-full-test', leaseMs: 60_000 });
      expect(await store.claimRun()).not.toBeNull();
      const racing = await Promise.all(
        ['Racer 1', 'Racer 2'].map((name) => callApi('POST', '/persona-sets', { key, body: { name, cohortId } })),
      );
      expect(racing.map((r) => r.status).sort()).toEqual([201, 429]);
      const after = await accountState();
      expect(after.queued).toBe(CAP);
      expect((after.sets as { name: string }[]).filter((s) => s.name.startsWith('Racer'))).toHaveLength(1);
    } finally {
      viewerMock.current = null;
      await runner.stop();
    }
  }, 120_000);
});
