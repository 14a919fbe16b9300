import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { setDatabase, type Database } from '@/db/client';
import type { EmbeddedRunner } from '@/inngest/runner';
import {
  createPersonaSet,
  getAnalysis,
  getPersonaSetOrThrow,
  listPersonas,
  requestRebuild,
  requestScoring,
  getScoringRunOrThrow,
  computeDimensionAnalysis,
  listDimensionAnalyses,
} from '@/lib/services/persona-sets';
import { sendEvent, type EventData, type EventName } from '@/inngest/client';
import { setEnqueuer } from '@/lib/services/enqueue';
import { drainOutbox } from '@/lib/services/outbox';
import { testDatabases } from '../helpers/db';
import { demoWithRunner } from '../helpers/demo';
import { tenantOf } from '@/lib/services/tenant';

describe.each(testDatabases())('persona set lifecycle on $name', (target) => {
  let database: Database;
  let runner: EmbeddedRunner;
  let accountId: string;
  let userId: string;
  let cohorts: Record<string, string>;
  let setId: string;

  beforeAll(async () => {
    database = await target.open();
    const demo = await demoWithRunner(database);
    ({ accountId, userId, cohorts } = demo);
    runner = demo.runner!;
  }, 180_000);
  afterAll(async () => {
    await runner?.stop();
    setDatabase(undefined);
    await target.dispose(database);
  });

  const members = async (cohortId: string) =>
    Number(
      (
        await database.query<{ n: string }>(
          'select count(*)::text as n from cohort_memberships where cohort_id = $1 and exited_on is null',
          [cohortId],
        )
      ).rows[0].n,
    );

  it('builds a requested set to ready, with one current assignment per member, analysis and one email', async () => {
    const set = await createPersonaSet(tenantOf(database, accountId, userId), { name: 'Customers by lifestyle', cohortId: cohorts['Customers'] });
    expect(set.status).toBe('queued');
    setId = set.id;
    await runner.drain(150_000);
    const built = await getPersonaSetOrThrow(tenantOf(database, accountId), setId);
    expect(built.error).toBeNull();
    expect(built.status).toBe('ready');
    expect(built.progress).toBe(1);
    expect(built.k).toBeGreaterThanOrEqual(3);
    const personas = await listPersonas(tenantOf(database, accountId), setId);
    expect(personas).toHaveLength(built.k!);
    expect(new Set(personas.map((p) => p.name)).size).toBe(personas.length);
    const n = await members(cohorts['Customers']);
    expect(personas.reduce((s, p) => s + p.size, 0)).toBe(n);
    const a = await database.query<{ total: string; people: string }>(
      `select count(*)::text as total, count(distinct person_id)::text as people from assignments where persona_set_id = $1 and valid_to is null`,
      [setId],
    );
    expect(Number(a.rows[0].total)).toBe(n);
    expect(Number(a.rows[0].people)).toBe(n);
    // the build and the cohort refreshed the planner statistics of what they wrote (PGlite has no autovacuum):
    // with none, the flow analysis is planned as a nested loop over every member pair
    const stats = await database.query<{ relname: string; reltuples: number }>(
      `select relname, reltuples::float8 as reltuples from pg_class where relname in ('assignments', 'cohort_memberships', 'people', 'orders')`,
    );
    const tuples = Object.fromEntries(stats.rows.map((r) => [r.relname, r.reltuples]));
    const count = async (t: string) => Number((await database.query<{ n: string }>(`select count(*)::text as n from ${t}`)).rows[0].n);
    for (const t of ['assignments', 'cohort_memberships', 'people', 'orders']) expect(tuples[t], t).toBe(await count(t));

    const revenue = await getAnalysis(tenantOf(database, accountId), setId, 'revenue', 'summary');
    expect(revenue!.personas).toHaveLength(personas.length);
    expect(revenue!.personas.reduce((s, p) => s + p.revenueShare, 0)).toBeCloseTo(1, 5);
    const orders = await database.query<{ s: number }>(
      `select coalesce(sum(o.amount), 0)::float8 as s from orders o join cohort_memberships m on m.person_id = o.person_id
       where m.cohort_id = $1 and m.exited_on is null`,
      [cohorts['Customers']],
    );
    expect(revenue!.totalRevenue).toBeCloseTo(orders.rows[0].s, 0);
    const flow = await getAnalysis(tenantOf(database, accountId), setId, 'flow', 'daily');
    const lastDay = flow!.personas.reduce((s, p) => s + p.counts[p.counts.length - 1], 0);
    expect(lastDay).toBe(n);
    // the flow is read from the assignment history, which starts with this build: nobody yesterday, everyone today
    expect(flow!.days).toEqual([new Date(Date.now() - 86_400_000).toISOString().slice(0, 10), new Date().toISOString().slice(0, 10)]);
    expect(flow!.personas.every((p) => p.counts[0] === 0)).toBe(true);
    const geo = await getAnalysis(tenantOf(database, accountId), setId, 'geo', 'state');
    expect(geo!.states.reduce((s, x) => s + x.total, 0)).toBe(n);

    const mail = await database.query<{ to: string; subject: string; status: string }>(
      `select "to", subject, status from email_outbox where idempotency_key like $1`,
      [`persona-set-${setId}-%`],
    );
    expect(mail.rows).toHaveLength(1);
    expect(mail.rows[0].to).toBe('demo@facet.local');
    expect(mail.rows[0].subject).toContain('is ready');
    expect(mail.rows[0].status).toBe('stored');
  });

  it('analyses a trait on demand ("Add trait") exactly as the build stored it', async () => {
    const tenant = tenantOf(database, accountId);
    const stored = await listDimensionAnalyses(tenant, setId);
    const keys = ['age', 'income', 'homeowner', 'gender', 'education'];
    for (const key of keys) {
      const kept = stored.find((d) => d.key === key);
      expect(kept, key).toBeDefined();
      expect(await computeDimensionAnalysis(tenant, setId, key), key).toEqual(kept);
    }
    const income = stored.find((d) => d.key === 'income')!;
    expect(income.bins[0].label).toMatch(/^Under \$/);
    // the traits the personas were fitted on set some persona apart
    expect(stored.some((d) => d.clustering && d.personas.some((p) => p.salient))).toBe(true);
  });

  it('keeps persona ids stable on a rebuild and changes no assignment that did not move', async () => {
    const before = await listPersonas(tenantOf(database, accountId), setId);
    const history = await database.query<{ n: string }>('select count(*)::text as n from assignments where persona_set_id = $1', [setId]);
    await requestRebuild(tenantOf(database, accountId, userId), setId);
    await runner.drain(150_000);
    const after = await listPersonas(tenantOf(database, accountId), setId);
    const set = await getPersonaSetOrThrow(tenantOf(database, accountId), setId);
    expect(set.status).toBe('ready');
    const kept = after.filter((p) => before.some((b) => b.id === p.id));
    expect(kept.length).toBeGreaterThanOrEqual(Math.min(before.length, after.length) - 1);
    const historyAfter = await database.query<{ n: string; cur: string }>(
      'select count(*)::text as n, count(*) filter (where valid_to is null)::text as cur from assignments where persona_set_id = $1',
      [setId],
    );
    const n = await members(cohorts['Customers']);
    expect(Number(historyAfter.rows[0].cur)).toBe(n);
    // only people whose persona changed got a new row
    expect(Number(historyAfter.rows[0].n) - Number(history.rows[0].n)).toBeLessThan(n * 0.5);
    const mails = await database.query<{ n: string }>(`select count(*)::text as n from email_outbox where idempotency_key like $1`, [
      `persona-set-${setId}-%`,
    ]);
    expect(Number(mails.rows[0].n)).toBe(2);
  });

  it('scores new cohort members ad hoc and records the run', async () => {
    // a new person joins the cohort: one order today
    const p = await database.query<{ id: string }>(
      `insert into people (account_id, external_id, graph_traits) select $1, 'new-customer-1', graph_traits from people where account_id = $1 limit 1 returning id`,
      [accountId],
    );
    await database.query(
      `insert into cohort_memberships (account_id, cohort_id, person_id, entered_on) values ($1, $2, $3, current_date)`,
      [accountId, cohorts['Customers'], p.rows[0].id],
    );
    const run = await requestScoring(tenantOf(database, accountId), setId, 'adhoc');
    await runner.drain(120_000);
    const done = await getScoringRunOrThrow(tenantOf(database, accountId), run.id);
    expect(done.status).toBe('done');
    expect(done.added).toBe(1);
    expect(done.changed).toBe(0);
    const cur = await database.query<{ n: string }>(
      `select count(*)::text as n from assignments where persona_set_id = $1 and person_id = $2 and valid_to is null`,
      [setId, p.rows[0].id],
    );
    expect(cur.rows[0].n).toBe('1');
  });

  it('ends errored with a readable reason when the cohort is empty, and emails that', async () => {
    const c = await database.query<{ id: string }>(
      `insert into cohorts (account_id, name, definition) values ($1, 'Nobody', '{"events":[{"kind":"order_count","min":100000}],"traits":[]}'::jsonb) returning id`,
      [accountId],
    );
    const set = await createPersonaSet(tenantOf(database, accountId, userId), { name: 'Empty one', cohortId: c.rows[0].id });
    await runner.drain(120_000);
    const failed = await getPersonaSetOrThrow(tenantOf(database, accountId), set.id);
    expect(failed.status).toBe('errored');
    expect(failed.error).toMatch(/no members/i);
    const mail = await database.query<{ subject: string }>(`select subject from email_outbox where idempotency_key like $1`, [
      `persona-set-${set.id}-%`,
    ]);
    expect(mail.rows.map((m) => m.subject)).toEqual([expect.stringContaining('could not be built')]);
  });

  it('saves a set whose build could not be sent, and builds it once the outbox is drained', async () => {
    const send = async (e: { name: string; data: Record<string, unknown>; id?: string }) => {
      await sendEvent(e.name as EventName, e.data as EventData<EventName>, { id: e.id });
    };
    setEnqueuer(async () => {
      throw new Error('the queue is down');
    });
    let set;
    try {
      set = await createPersonaSet(tenantOf(database, accountId, userId), { name: 'Sent later', cohortId: cohorts['Customers'] });
    } finally {
      setEnqueuer(send);
    }
    const pending = await database.query<{ sent_at: Date | null; attempts: number; last_error: string | null }>(
      'select sent_at, attempts, last_error from event_outbox where id = $1',
      [`persona-set-build-${set.id}-v1`],
    );
    expect(pending.rows).toEqual([{ sent_at: null, attempts: 1, last_error: 'the queue is down' }]);
    await runner.drain(30_000);
    expect((await getPersonaSetOrThrow(tenantOf(database, accountId), set.id)).status).toBe('queued');
    expect(await drainOutbox(database, { minAgeMs: 0 })).toEqual({ sent: 1, failed: 0, pending: 0 });
    await runner.drain(150_000);
    expect((await getPersonaSetOrThrow(tenantOf(database, accountId), set.id)).status).toBe('ready');
    expect(await drainOutbox(database, { minAgeMs: 0 })).toEqual({ sent: 0, failed: 0, pending: 0 });
  });

  it('stores and mails a failure in product words; the driver’s own text reaches only the server log', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    await database.query(
      `create function facet_test_refuse() returns trigger language plpgsql as $$
       begin raise exception 'relation "internal_shadow_table" does not exist at character 42'; end $$`,
    );
    await database.query('create trigger facet_test_refuse before insert on build_snapshots for each row execute function facet_test_refuse()');
    try {
      const set = await createPersonaSet(tenantOf(database, accountId, userId), { name: 'Refused by the driver', cohortId: cohorts['Customers'] });
      await runner.drain(120_000);
      const failed = await getPersonaSetOrThrow(tenantOf(database, accountId), set.id);
      expect(failed.status).toBe('errored');
      expect(failed.error).toBe('The build stopped on an unexpected error. Retry; if it fails again, contact support.');
      const mail = await database.query<{ text: string; html: string }>('select text, html from email_outbox where idempotency_key like $1', [
        `persona-set-${set.id}-%`,
      ]);
      expect(mail.rows.length).toBe(1);
      expect(mail.rows[0].text).toContain(failed.error);
      for (const m of [mail.rows[0].text, mail.rows[0].html]) expect(m).not.toMatch(/internal_shadow_table|relation|character 42/);
      const log = logged.mock.calls.map((c) => c.map((x) => (x instanceof Error ? x.message : String(x))).join(' ')).join('\n');
      expect(log).toContain('internal_shadow_table');
    } finally {
      await database.query('drop trigger facet_test_refuse on build_snapshots');
      await database.query('drop function facet_test_refuse()');
      logged.mockRestore();
    }
  });
});
