// Scoring that runs by itself and drift alerts, through the embedded runner and the app's functions: schedules fire
// on the runner's cron with time injected; a planted move of 20% of a persona's members shows in transitions and
// raises one alert (and one email per recipient), not one per run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { setDatabase } from '@/db/client';
import { functions } from '@/inngest/functions';
import { startEmbeddedRunner, type EmbeddedRunner } from '@/inngest/runner';
import { createApiKey, resetApiKeyCache } from '@/lib/services/api-keys';
import {
  DRIFT_THRESHOLDS,
  dueScheduledSets,
  getTransitions,
  listDriftAlerts,
  listScoringRuns,
  requestScoring,
  resolveDriftAlert,
  setWatching,
} from '@/lib/services/persona-sets';
import { tenantOf, type Tenant } from '@/lib/services/tenant';
import { callApi } from '../api/helpers';
import { testDatabases } from '../helpers/db';
import { demoWithRunner } from '../helpers/demo';
import { seedReadyPersonaSet } from '../persona-sets-ui/fixture';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TRAITS = ['age', 'income', 'has_children', 'homeowner'];

describe.each(testDatabases())('scheduled scoring and drift on $name', (target) => {
  let database: Database;
  let runner: EmbeddedRunner;
  let tenant: Tenant;
  let accountId: string;
  let userId: string;
  let cohortId: string;
  // the runner's cron reads this clock; minute 7 matches no cron of the app
  let clock = Date.UTC(2026, 0, 1, 0, 7);

  const count = async (sql: string, params: unknown[] = []) => Number((await database.query<{ n: string }>(sql, params)).rows[0].n);
  const newSet = async (name: string) => {
    const { setId } = await seedReadyPersonaSet(database, accountId, cohortId, name, { traitKeys: TRAITS, seed: 3 });
    // built three days ago, by the demo user
    await database.query(`update assignments set valid_from = now() - interval '3 days 1 minute' where persona_set_id = $1`, [setId]);
    await database.query(`update persona_sets set built_at = now() - interval '3 days', last_scored_at = now() - interval '3 days', created_by = $2 where id = $1`, [setId, userId]);
    return setId;
  };
  const waitFor = async (what: () => Promise<boolean>, ms = 60_000) => {
    const end = Date.now() + ms;
    while (!(await what())) {
      if (Date.now() > end) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  beforeAll(async () => {
    database = await target.open();
    const demo = await demoWithRunner(database, { people: 1500, graphSize: 3000, runner: false });
    ({ accountId, userId } = demo);
    tenant = tenantOf(database, accountId, userId);
    cohortId = (await database.query<{ id: string }>('select id from cohorts where account_id = $1 order by member_count desc limit 1', [accountId])).rows[0].id;
    runner = await startEmbeddedRunner({ database, functions, pollMs: 50, backoffMs: () => 50, cron: true, now: () => clock, log: () => {} });
    resetApiKeyCache();
  }, 240_000);
  afterAll(async () => {
    await runner?.stop();
    setDatabase(undefined);
    await target.dispose(database);
  });

  it('fires due schedules on the runner’s cron, at the injected time, once per period', async () => {
    const daily = await newSet('Daily set');
    const weekly = await newSet('Weekly set');
    const off = await newSet('Unscheduled set');
    const key = (await createApiKey(tenant, { name: 'schedule' })).key;
    for (const [id, schedule] of [[daily, 'daily'], [weekly, 'weekly']]) {
      const res = await callApi('PATCH', `/persona-sets/${id}`, { key, body: { schedule } });
      expect(res.status, res.text).toBe(200);
      expect((res.json as { schedule: string }).schedule).toBe(schedule);
    }
    expect((await callApi('PATCH', `/persona-sets/${off}`, { key, body: { schedule: 'hourly' } })).status).toBe(400);

    // an hourly tick (minute 5) at most an hour ago: the daily set is due (scored 3 days ago), the weekly one not
    const hour = Math.floor(Date.now() / HOUR) * HOUR + 5 * 60_000;
    const tick = hour <= Date.now() ? hour : hour - HOUR;
    expect(await dueScheduledSets({ db: database }, new Date(tick))).toEqual([{ accountId, personaSetId: daily }]);
    clock = tick;
    const scheduled = () => count(`select count(*)::text as n from scoring_runs where trigger = 'scheduled' and status = 'done'`);
    await waitFor(async () => (await scheduled()) === 1);
    await runner.drain(60_000);
    const [run] = await listScoringRuns(tenant, daily);
    expect(run).toMatchObject({ trigger: 'scheduled', status: 'done' });
    expect(run.scored).toBe(await count('select count(*)::text as n from cohort_memberships where cohort_id = $1 and exited_on is null', [cohortId]));

    // the next hour: just scored, nothing is due
    clock = tick + HOUR;
    await new Promise((r) => setTimeout(r, 500));
    await runner.drain(60_000);
    expect(await scheduled()).toBe(1);
    // two days on: the daily set again; the weekly set (last scored 5 days before) still not
    clock = tick + 2 * DAY;
    await waitFor(async () => (await scheduled()) === 2);
    await runner.drain(60_000);
    const runs = await database.query<{ persona_set_id: string }>(`select persona_set_id from scoring_runs where trigger = 'scheduled'`);
    expect(runs.rows.map((r) => r.persona_set_id)).toEqual([daily, daily]);
    clock = Date.UTC(2026, 0, 1, 0, 7);
  });

  it('raises one drift alert for a planted 20% move from A to B, shown in transitions, emailed once', async () => {
    const setId = await newSet('Drifting set');
    const watcher = 'watcher-user';
    await database.query(`insert into users (id, name, email) values ($1, 'Watcher', 'watcher@example.com')`, [watcher]);
    await database.query(`insert into members (account_id, user_id, role) values ($1, $2, 'analyst')`, [accountId, watcher]);
    await setWatching(tenantOf(database, accountId, watcher), setId, true);
    const score = async () => {
      const r = await requestScoring(tenant, setId, 'adhoc');
      await runner.drain(120_000);
      return r.id;
    };
    const alerts = () => count('select count(*)::text as n from drift_alerts where persona_set_id = $1', [setId]);
    const mails = () => count(`select count(*)::text as n from email_outbox where subject like '%has drifted%'`);

    // re-scoring unchanged people moves nobody and raises nothing
    await score();
    expect(await alerts()).toBe(0);
    const before = new Date();

    const sizes = await database.query<{ pid: string; n: number }>(
      'select persona_id::text as pid, count(*)::int as n from assignments where persona_set_id = $1 and valid_to is null group by 1 order by 2 desc, 1',
      [setId],
    );
    const [a, b] = sizes.rows.map((r) => r.pid);
    const inA = await database.query<{ id: number }>(
      'select person_id::float8 as id from assignments where persona_set_id = $1 and valid_to is null and persona_id = $2 order by person_id',
      [setId, a],
    );
    const planted = inA.rows.slice(0, Math.round(inA.rows.length * 0.2)).map((r) => Number(r.id));
    // the planted people take the traits of B's most typical member, so scoring moves them to B
    await database.query(
      `update people set graph_traits = (select p.graph_traits from assignments x join people p on p.id = x.person_id
         where x.persona_set_id = $1 and x.valid_to is null and x.persona_id = $2 order by x.distance, x.person_id limit 1)
       where id = any($3::bigint[])`,
      [setId, b, planted],
    );
    await new Promise((r) => setTimeout(r, 20));
    const runId = await score();
    const t = await getTransitions(tenant, setId, before, new Date());
    expect(t.moves.find((m) => m.from === a && m.to === b)?.count).toBe(planted.length);
    expect(t.moved).toBe(planted.length);
    const [run] = await listScoringRuns(tenant, setId, 1);
    expect(run).toMatchObject({ id: runId, changed: planted.length });

    expect(await alerts()).toBe(1);
    const [alert] = await listDriftAlerts(tenant, { personaSetId: setId });
    const pa = alert.metrics.personas.find((p) => p.personaId === a)!;
    // A lost a fifth of its members: a share change of a fifth of its share at the build
    expect(pa.shareChangePoints / (pa.baselineShare * 100)).toBeCloseTo(-planted.length / inA.rows.length, 5);
    expect(-pa.shareChangePoints / (pa.baselineShare * 100)).toBeGreaterThanOrEqual(DRIFT_THRESHOLDS.relativeShareChange);
    expect(alert.metrics.psi).toBeGreaterThan(0);
    expect(alert.reasons.length).toBeGreaterThan(0);
    expect(alert.scoringRunId).toBe(runId);
    const to = (await database.query<{ to: string }>(`select "to" from email_outbox where subject like '%has drifted%' order by "to"`)).rows.map((r) => r.to);
    expect(to).toHaveLength(2);
    expect(to).toContain('watcher@example.com');

    // the drift persists on the next run the same day: no second alert, no second email
    await score();
    expect(await alerts()).toBe(1);
    expect(await mails()).toBe(2);

    const resolved = await resolveDriftAlert(tenant, alert.id, 'rebuild');
    expect(resolved.status).toBe('rebuild-requested');
    expect(await count(`select count(*)::text as n from persona_sets where id = $1 and build_version = 2`, [setId])).toBe(1);
    await expect(resolveDriftAlert(tenantOf(database, '00000000-0000-4000-8000-000000000000'), alert.id, 'dismissed')).rejects.toThrow(/not found/);
  }, 240_000);
});
