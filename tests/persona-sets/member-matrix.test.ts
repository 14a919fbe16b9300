import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { GRAPH_TRAITS, GRAPH_TRAIT_INDEX } from '@/lib/identity-graph/catalog';
import { loadMemberMatrix } from '@/lib/services/persona-sets/member-matrix';
import { tenantOf } from '@/lib/services/tenant';
import { resolveTraitColumns } from '@/lib/services/trait-reader';
import { seedDemo } from '@/scripts/seed';
import { testDatabases } from '../helpers/db';

describe.each(testDatabases())('the member matrix on $name', (target) => {
  let database: Database;
  let accountId: string;
  let ids: number[];
  const build = { personaSetId: '00000000-0000-4000-8000-00000000a11a', buildVersion: 1 };

  beforeAll(async () => {
    database = await target.open();
    ({ accountId } = await seedDemo(database, { people: 60, graphSize: 200 }));
    ids = (await database.query<{ id: number }>('select id::float8 as id from people where account_id = $1 order by id limit 40', [accountId])).rows.map((r) => Number(r.id));
    // graph traits as people may hold them: none at all, an empty array, a short one, nulls inside, another lower bound
    await database.query('update people set graph_traits = null where id = $1', [ids[0]]);
    await database.query("update people set graph_traits = '{}' where id = $1", [ids[1]]);
    await database.query("update people set graph_traits = '{41, 2}' where id = $1", [ids[2]]);
    await database.query('update people set graph_traits[3] = null, graph_traits[9] = null where id = $1', [ids[3]]);
    await database.query("update people set graph_traits = '[0:3]={5, 6, 7, 8}' where id = $1", [ids[4]]);
    await database.query("update people set graph_traits[2] = 'NaN' where id = $1", [ids[5]]);
    await database.query('insert into build_snapshots (persona_set_id, build_version, person_ids) values ($1, $2, $3)', [build.personaSetId, build.buildVersion, ids]);
  }, 120_000);
  afterAll(async () => target.dispose(database));

  it('reads every graph trait as the server reads graph_traits[i], nulls, short arrays and bounds included', async () => {
    const tenant = tenantOf(database, accountId);
    const keys = GRAPH_TRAITS.map((t) => t.key);
    const columns = await resolveTraitColumns(tenant, keys);
    const mt = await loadMemberMatrix(tenant, columns, { kind: 'snapshot', build });
    expect(Array.from(mt.personIds)).toEqual(ids);
    const pos = columns.map((c) => GRAPH_TRAIT_INDEX[c.key] + 1);
    const truth = await database.query<{ id: number; v: (number | null)[] }>(
      `select id::float8 as id, array[${pos.map((p) => `graph_traits[${p}]::float8`).join(', ')}] as v from people where id = any($1::bigint[]) order by id`,
      [ids],
    );
    const expected = truth.rows.map((r) => r.v.map((v) => (v === null || !Number.isFinite(Number(v)) ? NaN : Number(v))));
    const read = ids.map((_, i) => columns.map((_, c) => mt.table.columns[c][i]));
    expect(read).toEqual(expected);
    // the odd rows above are among them
    expect(read[0].every(Number.isNaN)).toBe(true);
    expect(read[2].filter((v) => !Number.isNaN(v)).length).toBeLessThanOrEqual(2);
  });
});
