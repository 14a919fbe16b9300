// Contacts recorded by real-time assignment outside the cohort keep a current assignment through a rebuild: the
// rebuild re-scores them against its new personas (never a retired one), as the real-time call would answer now;
// a scoring run leaves them as they are. Members who left the cohort are still closed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setDatabase, type Database } from '@/db/client';
import type { EmbeddedRunner } from '@/inngest/runner';
import {
  assignContact,
  createPersonaSet,
  forgetPersonaSetModel,
  getPersonaSetOrThrow,
  listScoringRuns,
  requestRebuild,
  requestScoring,
} from '@/lib/services/persona-sets';
import { tenantOf, type Tenant } from '@/lib/services/tenant';
import { testDatabases } from '../helpers/db';
import { demoWithRunner } from '../helpers/demo';

const TRAITS = ['age', 'income', 'has_children', 'homeowner'];

describe.each(testDatabases())('recorded contacts across rebuilds on $name', (target) => {
  let database: Database;
  let runner: EmbeddedRunner;
  let tenant: Tenant;
  let cohortId: string;

  beforeAll(async () => {
    database = await target.open();
    const demo = await demoWithRunner(database, { people: 1200, graphSize: 2400 });
    runner = demo.runner!;
    tenant = tenantOf(database, demo.accountId, demo.userId);
    cohortId = demo.cohorts['Customers'];
  }, 240_000);
  afterAll(async () => {
    await runner?.stop();
    setDatabase(undefined);
    await target.dispose(database);
  });

  const current = async (setId: string, personId: number) =>
    (
      await database.query<{ persona_id: string; retired: boolean; valid_from: Date }>(
        `select a.persona_id, p.retired_at is not null as retired, a.valid_from from assignments a join personas p on p.id = a.persona_id
         where a.persona_set_id = $1 and a.person_id = $2 and a.valid_to is null`,
        [setId, personId],
      )
    ).rows;

  it('re-scores recorded contacts at a rebuild instead of closing them; members who left are closed', async () => {
    const set = await createPersonaSet(tenant, { name: 'Recorded contacts', cohortId, traitKeys: TRAITS, k: 3 });
    await runner.drain(180_000);
    expect((await getPersonaSetOrThrow(tenant, set.id)).status).toBe('ready');

    // one contact by traits only (its graph traits are stored with it), one by an identity-graph email
    const byTraits = { traits: { age: 72, income: 21_000, has_children: false, homeowner: 'yes' }, record: true, externalId: 'rt-traits' };
    const graph = (
      await database.query<{ email_norm: string }>(
        `select email_norm from graph_persons g where email_norm is not null
           and not exists (select 1 from people p where p.graph_id = g.id or p.email_norm = g.email_norm) order by id limit 1`,
      )
    ).rows[0];
    const byEmail = { identity: { email: graph.email_norm }, record: true, externalId: 'rt-email' };
    const contacts = [byTraits, byEmail];
    const recorded = [];
    for (const c of contacts) recorded.push((await assignContact(tenant, set.id, c)).recorded!.personId);
    const outsideCohort = await database.query<{ n: number }>(
      'select count(*)::int as n from cohort_memberships where cohort_id = $1 and person_id = any($2::bigint[])',
      [cohortId, recorded],
    );
    expect(outsideCohort.rows[0].n).toBe(0);
    // a member leaves the cohort: the rebuild closes theirs, as it always did
    const leaver = (
      await database.query<{ id: number }>('select person_id::float8 as id from cohort_memberships where cohort_id = $1 and exited_on is null order by person_id limit 1', [cohortId])
    ).rows[0].id;
    await database.query('update cohort_memberships set exited_on = current_date where cohort_id = $1 and person_id = $2', [cohortId, leaver]);

    // a scoring run keeps them as they are
    await requestScoring(tenant, set.id, 'adhoc');
    await runner.drain(120_000);
    expect((await listScoringRuns(tenant, set.id, 1))[0].status).toBe('done');
    for (const id of recorded) expect(await current(set.id, id)).toHaveLength(1);

    // a rebuild with another number of personas: new personas, some of the old ones retired
    await requestRebuild(tenant, set.id, { k: 5 });
    await runner.drain(180_000);
    const rebuilt = await getPersonaSetOrThrow(tenant, set.id);
    expect(rebuilt.status).toBe('ready');
    expect(rebuilt.k).toBe(5);
    forgetPersonaSetModel(set.id);
    for (const [i, c] of contacts.entries()) {
      const rows = await current(set.id, recorded[i]);
      expect(rows, c.externalId).toHaveLength(1);
      expect(rows[0].retired).toBe(false);
      // the persona the real-time call gives now, with the new model
      const now = await assignContact(tenant, set.id, { ...c, record: false });
      expect(rows[0].persona_id, c.externalId).toBe(now.persona.id);
    }
    expect(await current(set.id, leaver)).toHaveLength(0);
    const members = await database.query<{ n: number }>('select count(*)::int as n from cohort_memberships where cohort_id = $1 and exited_on is null', [cohortId]);
    const assigned = await database.query<{ n: number }>('select count(*)::int as n from assignments where persona_set_id = $1 and valid_to is null', [set.id]);
    expect(assigned.rows[0].n).toBe(members.rows[0].n + recorded.length);
  }, 600_000);
});
