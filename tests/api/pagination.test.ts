// Keyset pagination of the payload (property): whatever the page sizes, and with people added and assignments
// changed between pages, the concatenated pages hold every member exactly once, in id order.
import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { testDatabases } from '../helpers/db';
import { apiRateLimiter } from '@/lib/api/rate-limit';
import { callApi } from './helpers';
import { useTwoAccounts } from './fixture';

vi.mock('server-only', () => ({}));
vi.mock('@/inngest/client', () => ({ sendEvent: vi.fn(async () => ({ ids: [] })) }));

type Page = { columns: string[]; rows: Record<string, unknown>[]; nextCursor: string | null };

describe.each(testDatabases())('payload pagination on $name', (target) => {
  const ctx = useTwoAccounts(target);

  async function addPeople(n: number) {
    for (let i = 0; i < n; i++) {
      const p = await ctx.database.query<{ id: string }>(
        `insert into people (account_id, external_id, email) values ($1, $2, $3) returning id::text`,
        [ctx.fx.b.accountId, `new-${Date.now()}-${Math.random()}`, `new${Math.random()}@example.com`],
      );
      await ctx.database.query(`insert into cohort_memberships (account_id, cohort_id, person_id, entered_on) values ($1, $2, $3, current_date)`, [
        ctx.fx.b.accountId, ctx.fx.b.cohortId, p.rows[0].id,
      ]);
      await ctx.database.query(
        `insert into assignments (account_id, persona_set_id, person_id, persona_id, distance) values ($1, $2, $3, $4, 1)`,
        [ctx.fx.b.accountId, ctx.fx.b.setId, p.rows[0].id, ctx.fx.b.personaIds[0]],
      );
    }
  }

  async function reassign(seed: number) {
    const r = await ctx.database.query<{ person_id: string; persona_id: string }>(
      `select person_id::text, persona_id from assignments where persona_set_id = $1 and valid_to is null order by person_id offset $2 limit 1`,
      [ctx.fx.b.setId, seed],
    );
    if (!r.rows.length) return;
    const next = ctx.fx.b.personaIds.find((p) => p !== r.rows[0].persona_id)!;
    await ctx.database.transaction(async (tx) => {
      await tx.query(`update assignments set valid_to = now() where persona_set_id = $1 and person_id = $2 and valid_to is null`, [ctx.fx.b.setId, r.rows[0].person_id]);
      await tx.query(`insert into assignments (account_id, persona_set_id, person_id, persona_id, distance) values ($1, $2, $3, $4, 1)`, [
        ctx.fx.b.accountId, ctx.fx.b.setId, r.rows[0].person_id, next,
      ]);
    });
  }

  const fetchPage = async (limit: number, cursor: string | null) => {
    const res = await callApi('GET', `/pipelines/${ctx.fx.b.pipelineId}/payload?format=json&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { key: ctx.fx.b.key });
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    return res.json as Page;
  };

  it('concatenated pages equal the full set, with inserts and reassignments in between', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 120 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.oneof(fc.constant({ kind: 'none' as const }), fc.record({ kind: fc.constant('add' as const), n: fc.integer({ min: 1, max: 3 }) }), fc.record({ kind: fc.constant('move' as const), seed: fc.integer({ min: 0, max: 400 }) })), { minLength: 1, maxLength: 8 }),
        async (limits, mutations) => {
          // a walk with one-row pages makes hundreds of calls: the per-key limit is not what this test is about
          apiRateLimiter().reset();
          const seen: number[] = [];
          let cursor: string | null = null;
          let i = 0;
          for (;;) {
            const page: Page = await fetchPage(limits[i % limits.length], cursor);
            expect(page.rows.length).toBeLessThanOrEqual(limits[i % limits.length]);
            seen.push(...page.rows.map((r) => r.person_id as number));
            // each mutation happens once, between two pages: repeated inserts would outrun a walk of small pages forever
            const m = i < mutations.length ? mutations[i] : { kind: 'none' as const };
            if (m.kind === 'add') await addPeople(m.n);
            if (m.kind === 'move') await reassign(m.seed);
            i++;
            if (!page.nextCursor) break;
            cursor = page.nextCursor;
          }
          const full = await ctx.database.query<{ id: number }>(
            `select distinct m.person_id::float8 as id from cohort_memberships m where m.cohort_id = $1 and m.exited_on is null order by 1`,
            [ctx.fx.b.cohortId],
          );
          // people added after the last page was read are not expected in it
          const lastSeen = seen[seen.length - 1] ?? 0;
          const expected = full.rows.map((r) => r.id).filter((id) => id <= lastSeen || seen.length === 0);
          expect(new Set(seen).size).toBe(seen.length);
          expect(seen).toEqual([...seen].sort((a, b) => a - b));
          expect(seen).toEqual(expected.length ? expected : seen);
          expect(seen.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: target.name === 'embedded' ? 12 : 8 },
    );
  }, 240_000);

  it('rejects a forged cursor with 400', async () => {
    const res = await callApi('GET', `/pipelines/${ctx.fx.b.pipelineId}/payload?cursor=${encodeURIComponent('bm90LWpzb24')}`, { key: ctx.fx.b.key });
    expect(res.status).toBe(400);
    expect((res.json as { error: { code: string } }).error.code).toBe('invalid_request');
  });

  it('streams NDJSON and CSV with the columns named after the persona set', async () => {
    const csv = await callApi('GET', `/pipelines/${ctx.fx.b.pipelineId}/payload?format=csv`, { key: ctx.fx.b.key });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const header = csv.text.split('\r\n')[0];
    expect(header).toBe('person_id,external_id,email,persona_set_b_secret_personas_persona_id,persona_set_b_secret_personas_persona_name,age');
    const nd = await callApi('GET', `/pipelines/${ctx.fx.b.pipelineId}/payload?format=ndjson&limit=5`, { key: ctx.fx.b.key });
    const lines = nd.text.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(5);
    expect(nd.headers.get('x-next-cursor')).toBeTruthy();
    const json = await fetchPage(5, null);
    expect(lines).toEqual(json.rows);
    expect(csv.text.trim().split('\r\n').length - 1).toBeGreaterThan(5);
  });
});
