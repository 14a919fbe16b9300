// Tenant isolation matrix, generated from the operations of the OpenAPI document: account A's key on every
// id of account B answers 404 and no byte of B's data; B's own key on the same calls succeeds (so the ids are real).
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { operationList } from '@/lib/api/operations';
import { testDatabases } from '../helpers/db';
import { callApi, routeFiles } from './helpers';
import { useTwoAccounts } from './fixture';

vi.mock('server-only', () => ({}));
vi.mock('@/inngest/client', () => ({ sendEvent: vi.fn(async () => ({ ids: [] })) }));

describe.each(testDatabases())('tenant isolation on $name', (target) => {
  const ctx = useTwoAccounts(target);
  /** strings that would betray B's data */
  let secrets: string[];

  beforeAll(async () => {
    const names = await ctx.database.query<{ name: string }>('select name from personas where persona_set_id = $1', [ctx.fx.b.setId]);
    const emails = await ctx.database.query<{ email: string }>('select email from people where account_id = $1 and email is not null limit 50', [ctx.fx.b.accountId]);
    secrets = [
      ctx.fx.b.setId, ctx.fx.b.pipelineId, ctx.fx.b.cohortId, ctx.fx.b.runId, ...ctx.fx.b.personaIds,
      'B secret personas', 'B secret pipeline', ...names.rows.map((r) => r.name), ...emails.rows.map((r) => r.email),
    ];
  });

  const fill = (path: string) =>
    path
      .replace('{id}', path.startsWith('/pipelines') ? ctx.fx.b.pipelineId : ctx.fx.b.setId)
      .replace('{personaId}', ctx.fx.b.personaIds[0])
      .replace('{runId}', ctx.fx.b.runId)
      .replace('{otherId}', ctx.fx.b.otherSetId)
      .replace('{personId}', String(ctx.fx.b.personId));

  const withIds = operationList.filter((op) => op.path.includes('{'));

  it('covers every route with an id', () => {
    const templates = new Set(withIds.map((o) => o.path));
    for (const f of routeFiles()) if (f.params.length) expect(templates.has(f.template), f.template).toBe(true);
    expect(withIds.length).toBeGreaterThanOrEqual(12);
  });

  it.each(withIds.map((op) => [`${op.method} ${op.path}`, op] as const))('%s: A on B ids → 404, nothing of B', async (_, op) => {
    const path = fill(op.path);
    const before = await ctx.database.query<{ n: string }>(
      `select (select count(*) from persona_sets) + (select count(*) from scoring_runs) + (select count(*) from assignments) + (select count(*) from people) as n`,
    );
    const resA = await callApi(op.method, path, { key: ctx.fx.a.key, body: op.body ? op.example : undefined });
    expect(resA.status, resA.text).toBe(404);
    expect((resA.json as { error: { code: string } }).error.code).toBe('not_found');
    for (const s of secrets) expect(resA.text.includes(s), `leaks ${s}`).toBe(false);
    const after = await ctx.database.query<{ n: string }>(
      `select (select count(*) from persona_sets) + (select count(*) from scoring_runs) + (select count(*) from assignments) + (select count(*) from people) as n`,
    );
    expect(after.rows[0].n).toBe(before.rows[0].n);
    const sameSet = await ctx.database.query<{ name: string; archived_at: Date | null; build_version: number }>(
      'select name, archived_at, build_version from persona_sets where id = $1',
      [ctx.fx.b.setId],
    );
    expect(sameSet.rows[0]).toMatchObject({ name: 'B secret personas', archived_at: null, build_version: 1 });
  });

  it('B’s own key reads the same ids (so the 404s above are about tenancy)', async () => {
    for (const op of withIds.filter((o) => o.method === 'GET')) {
      const res = await callApi('GET', fill(op.path), { key: ctx.fx.b.key });
      expect(res.status, `${op.path}: ${res.text.slice(0, 200)}`).toBe(200);
    }
    const assign = await callApi('POST', `/persona-sets/${ctx.fx.b.setId}/assignments`, { key: ctx.fx.b.key, body: { traits: { age: 40, income: 60000 } } });
    expect(assign.status, assign.text).toBe(200);
  });

  it('lists and creates with B’s ids: nothing of B, nothing created', async () => {
    for (const p of ['/persona-sets?includeArchived=true', '/pipelines']) {
      const res = await callApi('GET', p, { key: ctx.fx.a.key });
      expect(res.status).toBe(200);
      expect((res.json as { data: unknown[] }).data).toEqual([]);
      for (const s of secrets) expect(res.text.includes(s)).toBe(false);
    }
    const set = await callApi('POST', '/persona-sets', { key: ctx.fx.a.key, body: { name: 'Stolen', cohortId: ctx.fx.b.cohortId } });
    expect(set.status).toBe(400);
    const pipe = await callApi('POST', '/pipelines', { key: ctx.fx.a.key, body: { name: 'Stolen', cohortIds: [ctx.fx.b.cohortId], personaSetIds: [ctx.fx.b.setId] } });
    expect(pipe.status).toBe(400);
    for (const r of [set, pipe]) for (const s of secrets) expect(r.text.includes(s)).toBe(false);
    const n = await ctx.database.query<{ n: string }>(`select count(*)::text as n from persona_sets where account_id = $1`, [ctx.fx.a.accountId]);
    const m = await ctx.database.query<{ n: string }>(`select count(*)::text as n from pipelines where account_id = $1`, [ctx.fx.a.accountId]);
    expect([n.rows[0].n, m.rows[0].n]).toEqual(['0', '0']);
  });
});
