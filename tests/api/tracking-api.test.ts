// The comparison and drift alerts through the HTTP API: what the set pages show, answered in the documented shapes.
import { describe, expect, it, vi } from 'vitest';
import { testDatabases } from '../helpers/db';
import { callApi } from './helpers';
import { useTwoAccounts } from './fixture';

vi.mock('server-only', () => ({}));

describe.each(testDatabases())('comparison and alerts over the API on $name', (target) => {
  const ctx = useTwoAccounts(target);

  it('compares two sets: the overlap of every persona pair equals a SQL join of their current assignments', async () => {
    const { setId, otherSetId } = ctx.fx.b;
    const res = await callApi('GET', `/persona-sets/${setId}/compare/${otherSetId}`, { key: ctx.fx.b.key });
    expect(res.status, res.text).toBe(200);
    const body = res.json as { shared: number; overlap: { aPersonaId: string; bPersonaId: string; members: number; jaccard: number }[] };
    const pairs = await ctx.database.query<{ a: string; b: string; n: number; jaccard: number }>(
      `with cur as (select persona_set_id, persona_id, person_id from assignments where valid_to is null and persona_set_id in ($1, $2)),
            size as (select persona_id, count(*)::int as n from cur group by persona_id)
       select x.persona_id::text as a, y.persona_id::text as b, count(*)::int as n,
              count(*)::float8 / (sa.n + sb.n - count(*)) as jaccard
       from cur x join cur y on y.person_id = x.person_id and y.persona_set_id = $2
       join size sa on sa.persona_id = x.persona_id join size sb on sb.persona_id = y.persona_id
       where x.persona_set_id = $1 group by 1, 2, sa.n, sb.n`,
      [setId, otherSetId],
    );
    const key = (a: string, b: string) => `${a}>${b}`;
    const expected = new Map(pairs.rows.map((r) => [key(r.a, r.b), r]));
    expect(body.overlap.length).toBe(expected.size);
    for (const o of body.overlap) {
      const e = expected.get(key(o.aPersonaId, o.bPersonaId));
      expect(e, key(o.aPersonaId, o.bPersonaId)).toBeDefined();
      expect(o.members).toBe(e!.n);
      expect(o.jaccard).toBeCloseTo(e!.jaccard, 6);
    }
    expect(body.shared).toBe(pairs.rows.reduce((s, r) => s + r.n, 0));
    expect(body.shared).toBeGreaterThan(0);
  });

  it('lists the set’s drift alerts, newest first, and none of another set', async () => {
    await ctx.database.query(
      `insert into drift_alerts (account_id, persona_set_id, build_version, day, metrics, reasons)
       values ($1, $2, 1, '2026-06-01', '{"psi": 0.3}', '["Persona 1 grew by 9 points"]'),
              ($1, $2, 1, '2026-06-02', '{"psi": 0.4}', '["Persona 2 shrank by 12 points"]')`,
      [ctx.fx.b.accountId, ctx.fx.b.setId],
    );
    const res = await callApi('GET', `/persona-sets/${ctx.fx.b.setId}/alerts`, { key: ctx.fx.b.key });
    expect(res.status, res.text).toBe(200);
    const { data } = res.json as { data: { day: string; reasons: string[]; status: string }[] };
    expect(data.map((a) => a.day).sort()).toEqual(['2026-06-01', '2026-06-02']);
    expect(data.every((a) => a.status === 'open')).toBe(true);
    const other = await callApi('GET', `/persona-sets/${ctx.fx.b.setId}/alerts`, { key: ctx.fx.a.key });
    expect(other.status).toBe(404);
  });
});
