// The flow, transitions and person history read back from a planted assignment history, checked against
// plain SQL counts over the same rows, on both drivers, through the services and the API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setDatabase, type Database } from '@/db/client';
import { seedDemo } from '@/scripts/seed';
import { createApiKey, resetApiKeyCache } from '@/lib/services/api-keys';
import { findPeople, flowFromHistory, getPersonHistory, getTransitions, parseInstant } from '@/lib/services/persona-sets';
import { tenantOf, type Tenant } from '@/lib/services/tenant';
import { callApi } from '../api/helpers';
import { testDatabases } from '../helpers/db';
import { seedReadyPersonaSet } from '../persona-sets-ui/fixture';

const BUILT = '2026-01-01T10:00:00Z';
const SHIFT = '2026-02-01T12:00:00Z';
const LEAVE = '2026-02-10T00:00:00Z';
const JOIN = '2026-02-15T08:00:00Z';

describe.each(testDatabases())('assignment history on $name', (target) => {
  let database: Database;
  let tenant: Tenant;
  let setId: string;
  let personaIds: string[];
  let moved: number[];
  let left: number[];
  let joined: number[];
  let key: string;
  let fromPersona: string;
  let toPersona: string;

  beforeAll(async () => {
    database = await target.open();
    setDatabase(database);
    resetApiKeyCache();
    const { accountId } = await seedDemo(database, { people: 700, graphSize: 1500, today: new Date('2026-06-30T00:00:00Z') });
    tenant = tenantOf(database, accountId);
    const cohort = (
      await database.query<{ id: string }>('select id from cohorts where account_id = $1 and member_count > 100 order by member_count desc limit 1', [accountId])
    ).rows[0];
    ({ setId, personaIds } = await seedReadyPersonaSet(database, accountId, cohort.id, 'History set', { traitKeys: ['age', 'income', 'has_children', 'homeowner'], seed: 3 }));
    await database.query('update assignments set valid_from = $2 where persona_set_id = $1', [setId, BUILT]);
    const sizes = await database.query<{ pid: string; n: number }>(
      'select persona_id::text as pid, count(*)::int as n from assignments where persona_set_id = $1 group by 1 order by 2 desc, 1',
      [setId],
    );
    fromPersona = sizes.rows[0].pid;
    toPersona = sizes.rows[1].pid;
    const inA = (
      await database.query<{ id: number }>('select person_id::float8 as id from assignments where persona_set_id = $1 and persona_id = $2 order by person_id', [setId, fromPersona])
    ).rows.map((r) => Number(r.id));
    // a planted shift: 20% of A's members move to B
    moved = inA.slice(0, Math.round(inA.length * 0.2));
    await database.query(`update assignments set valid_to = $3 where persona_set_id = $1 and person_id = any($2::bigint[])`, [setId, moved, SHIFT]);
    await database.query(
      `insert into assignments (account_id, persona_set_id, person_id, persona_id, distance, valid_from)
       select $1, $2, unnest($3::bigint[]), $4, 1, $5`,
      [accountId, setId, moved, toPersona, SHIFT],
    );
    // five of A's other members leave; three people from outside the set join A; one stay lasts a few hours
    left = inA.slice(-5);
    await database.query(`update assignments set valid_to = $3 where persona_set_id = $1 and person_id = any($2::bigint[]) and valid_to is null`, [setId, left, LEAVE]);
    joined = (
      await database.query<{ id: number }>(
        `select id::float8 as id from people p where account_id = $1 and not exists (select 1 from assignments a where a.persona_set_id = $2 and a.person_id = p.id) order by id limit 4`,
        [accountId, setId],
      )
    ).rows.map((r) => Number(r.id));
    await database.query(
      `insert into assignments (account_id, persona_set_id, person_id, persona_id, distance, valid_from)
       select $1, $2, unnest($3::bigint[]), $4, 1, $5`,
      [accountId, setId, joined.slice(0, 3), fromPersona, JOIN],
    );
    await database.query(
      `insert into assignments (account_id, persona_set_id, person_id, persona_id, distance, valid_from, valid_to)
       values ($1, $2, $3, $4, 1, '2026-02-20T01:00:00Z', '2026-02-20T05:00:00Z')`,
      [accountId, setId, joined[3], toPersona],
    );
    key = (await createApiKey(tenant, { name: 'history' })).key;
  }, 240_000);

  afterAll(async () => {
    setDatabase(undefined);
    await target.dispose(database);
  });

  it('counts each persona per day as SQL counts the history at the end of that day', async () => {
    const flow = await flowFromHistory(tenant, setId, personaIds, new Date('2026-03-01T12:00:00Z'));
    expect(flow.days[0]).toBe('2025-12-31');
    expect(flow.days.at(-1)).toBe('2026-03-01');
    expect(flow.days).toHaveLength(61);
    expect(flow.personas.every((p) => p.counts[0] === 0)).toBe(true);
    const truth = await database.query<{ d: string; pid: string; n: number }>(
      `select to_char(d, 'YYYY-MM-DD') as d, a.persona_id::text as pid, count(*)::int as n
       from generate_series('2025-12-31'::date, '2026-03-01'::date, interval '1 day') d
       join assignments a on a.persona_set_id = $1 and a.valid_from < d + interval '1 day' and (a.valid_to is null or a.valid_to >= d + interval '1 day')
       group by 1, 2`,
      [setId],
    );
    const expected = new Map(truth.rows.map((r) => [`${r.d}|${r.pid}`, r.n]));
    for (const p of flow.personas)
      flow.days.forEach((d, i) => expect(p.counts[i], `${d} ${p.personaId}`).toBe(expected.get(`${d}|${p.personaId}`) ?? 0));
    const at = (day: string, pid: string) => flow.personas.find((p) => p.personaId === pid)!.counts[flow.days.indexOf(day)];
    expect(at('2026-02-01', toPersona) - at('2026-01-31', toPersona)).toBe(moved.length);
    expect(at('2026-02-01', fromPersona) - at('2026-01-31', fromPersona)).toBe(-moved.length);
    // the stay of a few hours on Feb 20 is over by the day's end
    expect(at('2026-02-20', toPersona)).toBe(at('2026-02-19', toPersona));
  });

  it('shows the planted 20% shift from A to B, who left and who joined', async () => {
    const t = await getTransitions(tenant, setId, parseInstant('2026-01-15', 'from'), parseInstant('2026-03-01', 'to'));
    const move = (f: string | null, to: string | null) => t.moves.find((m) => m.from === f && m.to === to)?.count ?? 0;
    expect(move(fromPersona, toPersona)).toBe(moved.length);
    expect(t.moved).toBe(moved.length);
    expect(move(fromPersona, null)).toBe(5);
    expect(t.left).toBe(5);
    expect(move(null, fromPersona)).toBe(3);
    expect(t.joined).toBe(3);
    const total = await database.query<{ n: number }>(
      `select count(*)::int as n from assignments where persona_set_id = $1 and valid_from <= '2026-01-15T23:59:59Z' and (valid_to is null or valid_to > '2026-01-15T23:59:59Z')`,
      [setId],
    );
    expect(t.stayed + t.moved + t.left).toBe(total.rows[0].n);
    // before the shift nothing moved
    const quiet = await getTransitions(tenant, setId, parseInstant('2026-01-02', 'from'), parseInstant('2026-01-30', 'to'));
    expect([quiet.moved, quiet.joined, quiet.left]).toEqual([0, 0, 0]);
    await expect(getTransitions(tenant, setId, new Date(SHIFT), new Date(BUILT))).rejects.toThrow(/before/);
  });

  it('gives one person’s history, found by id or email', async () => {
    const h = await getPersonHistory(tenant, setId, moved[0]);
    expect(h.stays.map((s) => [s.personaId, s.validTo])).toEqual([
      [fromPersona, new Date(SHIFT).toISOString()],
      [toPersona, null],
    ]);
    const email = (await database.query<{ email: string }>('select email from people where id = $1', [moved[0]])).rows[0].email;
    const found = await findPeople(tenant, `  ${email.toUpperCase()} `);
    expect(found.map((p) => p.personId)).toContain(moved[0]);
    await expect(getPersonHistory(tenant, setId, 987_654_321)).rejects.toThrow(/not found/);
  });

  it('answers the same through the API, documented, with validation', async () => {
    const res = await callApi('GET', `/persona-sets/${setId}/transitions?from=2026-01-15&to=2026-03-01`, { key });
    expect(res.status, res.text).toBe(200);
    const body = res.json as { moves: { from: string | null; to: string | null; count: number }[]; joined: number };
    expect(body.moves.find((m) => m.from === fromPersona && m.to === toPersona)?.count).toBe(moved.length);
    expect(body.joined).toBe(3);
    for (const bad of ['from=yesterday', 'from=2026-02-30', 'from=2026-03-02&to=2026-03-01']) {
      const r = await callApi('GET', `/persona-sets/${setId}/transitions?${bad}`, { key });
      expect(r.status, bad).toBe(400);
    }
    const h = await callApi('GET', `/persona-sets/${setId}/people/${moved[0]}/history`, { key });
    expect(h.status, h.text).toBe(200);
    expect((h.json as { stays: unknown[] }).stays).toHaveLength(2);
    expect((await callApi('GET', `/persona-sets/${setId}/people/abc/history`, { key })).status).toBe(404);
  });
});
