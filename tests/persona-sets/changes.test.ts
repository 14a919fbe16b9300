// New and changed contacts scored by themselves: a cohort recompute (an upload, an edit, the daily one) starts, after
// the quiet period (the runner's clock is injected), a 'changes' run that scores the members written since the last
// scoring (uploads through the real path: upload-changes.test.ts); contacts recorded in real time (never in the
// cohort) keep their assignment; cohorts that follow the calendar are recomputed by the daily cron.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setDatabase, type Database } from '@/db/client';
import { sendEvent } from '@/inngest/client';
import { functions } from '@/inngest/functions';
import { startEmbeddedRunner, type EmbeddedRunner } from '@/inngest/runner';
import { SCORE_CHANGES_DEBOUNCE } from '@/inngest/functions/cohorts';
import { durationMs } from '@/inngest/runner/debounce';
import { listScoringRuns, listSetsWithChanges } from '@/lib/services/persona-sets';
import { tenantOf, type Tenant } from '@/lib/services/tenant';
import { testDatabases } from '../helpers/db';
import { demoWithRunner } from '../helpers/demo';
import { seedReadyPersonaSet } from '../persona-sets-ui/fixture';

describe.each(testDatabases())('scoring what changed on $name', (target) => {
  let database: Database;
  let runner: EmbeddedRunner;
  let tenant: Tenant;
  let accountId: string;
  let cohorts: Record<string, string>;
  let clock = Date.UTC(2026, 0, 1, 0, 7);
  const quietMs = durationMs(SCORE_CHANGES_DEBOUNCE.period)!;

  beforeAll(async () => {
    database = await target.open();
    const demo = await demoWithRunner(database, { people: 1500, graphSize: 3000, runner: false });
    ({ accountId, cohorts } = demo);
    tenant = tenantOf(database, accountId);
    runner = await startEmbeddedRunner({ database, functions, pollMs: 50, backoffMs: () => 50, cron: true, now: () => clock, log: () => {} });
  }, 240_000);
  afterAll(async () => {
    await runner?.stop();
    setDatabase(undefined);
    await target.dispose(database);
  });

  it('scores the members a recompute finds changed, after the quiet period; keeps recorded contacts, closes who left', async () => {
    const cohortId = cohorts['Customers'];
    const { setId } = await seedReadyPersonaSet(database, accountId, cohortId, 'Changes set', { traitKeys: ['age', 'income', 'has_children', 'homeowner'], seed: 3 });
    await database.query(`update assignments set valid_from = now() - interval '2 days' where persona_set_id = $1`, [setId]);
    await database.query(`update persona_sets set built_at = now() - interval '2 days', last_scored_at = now() - interval '1 day' where id = $1`, [setId]);
    await database.query(`update people set updated_at = now() - interval '3 days' where account_id = $1`, [accountId]);
    const members = (
      await database.query<{ id: number }>('select person_id::float8 as id from cohort_memberships where cohort_id = $1 and exited_on is null order by person_id', [cohortId])
    ).rows.map((r) => Number(r.id));
    // an upload rewrote seven members (as the ingest's upsert does: new values, updated_at = now())
    const changed = members.slice(10, 17);
    await database.query(`update people set graph_traits[1] = graph_traits[1] + 1, updated_at = now() where id = any($1::bigint[])`, [changed]);
    // a contact recorded in real time, never in the cohort
    const outsider = (
      await database.query<{ id: number }>(
        `select p.id::float8 as id from people p where p.account_id = $1 and not exists (select 1 from cohort_memberships m where m.cohort_id = $2 and m.person_id = p.id) order by p.id limit 1`,
        [accountId, cohortId],
      )
    ).rows[0].id;
    const persona = (await database.query<{ id: string }>('select id from personas where persona_set_id = $1 limit 1', [setId])).rows[0].id;
    await database.query(
      `insert into assignments (account_id, persona_set_id, person_id, persona_id, distance, valid_from) values ($1, $2, $3, $4, 1, now() - interval '1 hour')`,
      [accountId, setId, outsider, persona],
    );

    await sendEvent('cohort/recompute-requested', { accountId, cohortId });
    await runner.drain(120_000);
    // debounced: nothing is scored until the cohort has been quiet for the period
    expect(await listScoringRuns(tenant, setId)).toHaveLength(0);
    clock += quietMs + 1000;
    await runner.drain(120_000);
    const runs = await listScoringRuns(tenant, setId);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ trigger: 'changes', status: 'done', scored: changed.length, added: 0, removed: 0 });
    const rescored = await database.query<{ id: number }>(
      'select person_id::float8 as id from assignments where persona_set_id = $1 and (scoring_run_id = $2 or valid_from > now() - interval \'1 minute\') and valid_to is null order by 1',
      [setId, runs[0].id],
    );
    expect(rescored.rows.every((r) => changed.includes(Number(r.id)))).toBe(true);
    const kept = await database.query<{ n: number }>('select count(*)::int as n from assignments where persona_set_id = $1 and person_id = $2 and valid_to is null', [setId, outsider]);
    expect(kept.rows[0].n).toBe(1);

    // the same recompute again, with nothing changed since: no run at all
    await sendEvent('cohort/recompute-requested', { accountId, cohortId });
    clock += quietMs + 1000;
    await runner.drain(120_000);
    expect(await listScoringRuns(tenant, setId)).toHaveLength(1);

    // an ad hoc run after a member left the cohort closes theirs, and still keeps the outsider's
    await database.query(`update persona_sets set last_scored_at = now() where id = $1`, [setId]);
    expect(await listSetsWithChanges(tenant, cohortId)).toEqual({ due: [], busy: [] });
    await database.query(`update cohort_memberships set exited_on = current_date where cohort_id = $1 and person_id = $2`, [cohortId, members[0]]);
    // a departure alone is something to score (its assignment is closed)
    expect(await listSetsWithChanges(tenant, cohortId)).toEqual({ due: [setId], busy: [] });
    const { requestScoring } = await import('@/lib/services/persona-sets');
    await requestScoring(tenant, setId, 'adhoc');
    await runner.drain(120_000);
    const [adhoc] = await listScoringRuns(tenant, setId, 1);
    expect(adhoc).toMatchObject({ trigger: 'adhoc', removed: 1, scored: members.length - 1 });
    const still = await database.query<{ n: number }>('select count(*)::int as n from assignments where persona_set_id = $1 and person_id = $2 and valid_to is null', [setId, outsider]);
    expect(still.rows[0].n).toBe(1);
  }, 240_000);

  it('recomputes cohorts that follow the calendar on the daily cron, and only those', async () => {
    const before = await database.query<{ id: string; computed_at: Date }>('select id, computed_at from cohorts where account_id = $1', [accountId]);
    clock = Date.UTC(2026, 0, 2, 2, 20);
    const end = Date.now() + 60_000;
    const daily = async () =>
      (await database.query<{ n: number }>(`select count(*)::int as n from job_runs where function_id like '%recompute-time-cohorts-daily' and status = 'completed'`)).rows[0].n;
    while ((await daily()) < 1 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    await runner.drain(120_000);
    const after = await database.query<{ id: string; name: string; computed_at: Date; definition: { events: { window?: unknown; withinDays?: unknown; olderThanDays?: unknown }[] } }>(
      'select id, name, computed_at, definition from cohorts where account_id = $1',
      [accountId],
    );
    const moved = after.rows.filter((c) => new Date(c.computed_at).getTime() !== new Date(before.rows.find((b) => b.id === c.id)!.computed_at).getTime());
    const timeBound = after.rows.filter((c) => c.definition.events.some((e) => e.window || e.withinDays || e.olderThanDays));
    expect(timeBound.length).toBeGreaterThan(0);
    expect(moved.map((c) => c.name).sort()).toEqual(timeBound.map((c) => c.name).sort());
  }, 240_000);
});
