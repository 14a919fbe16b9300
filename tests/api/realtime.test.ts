// Real-time assignment agrees with the build: a set built by the real job runner, then its members assigned
// one by one through the API, by raw traits and by email.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { setDatabase, type Database } from '@/db/client';
import type { EmbeddedRunner } from '@/inngest/runner';
import { createApiKey, resetApiKeyCache } from '@/lib/services/api-keys';
import { createPersonaSet, decodeGraphTraits, getPersonaSetOrThrow, resetModelCache } from '@/lib/services/persona-sets';
import type { PersonaModel } from '@/lib/clustering';
import { testDatabases } from '../helpers/db';
import { demoWithRunner } from '../helpers/demo';
import { callApi } from './helpers';
import { tenantOf } from '@/lib/services/tenant';

vi.mock('server-only', () => ({}));

type Assign = { persona: { id: string; name: string }; runnerUp: { id: string } | null; confidence: number; match: { method: string }; recorded: { personId: number } | null };

describe.each(testDatabases())('real-time assignment on $name', (target) => {
  let database: Database;
  let runner: EmbeddedRunner;
  let accountId: string;
  let setId: string;
  let key: string;
  let model: PersonaModel;

  beforeAll(async () => {
    database = await target.open();
    const demo = await demoWithRunner(database, { people: 2000, graphSize: 5000 });
    accountId = demo.accountId;
    runner = demo.runner!;
    resetApiKeyCache();
    resetModelCache();
    const set = await createPersonaSet(tenantOf(database, accountId, demo.userId), { name: 'Realtime set', cohortId: demo.cohorts['Customers'] });
    setId = set.id;
    await runner.drain(150_000);
    const built = await getPersonaSetOrThrow(tenantOf(database, accountId), setId);
    expect(built.status).toBe('ready');
    model = built.model as unknown as PersonaModel;
    key = (await createApiKey(tenantOf(database, accountId), { name: 'rt' })).key;
  }, 240_000);
  afterAll(async () => {
    await runner?.stop();
    setDatabase(undefined);
    await target.dispose(database);
  });

  it('agrees with the build for ≥ 99% of members, by raw traits and by email', async () => {
    const keys = model.encoder.specs.map((s) => s.key);
    const members = await database.query<{ id: string; email: string | null; graph_traits: number[] | null; custom_traits: Record<string, unknown> | null; persona_id: string }>(
      `select p.id::text, p.email, p.graph_traits, p.custom_traits, a.persona_id from assignments a join people p on p.id = a.person_id
       where a.persona_set_id = $1 and a.valid_to is null order by p.id limit 300`,
      [setId],
    );
    expect(members.rows.length).toBeGreaterThan(100);
    let agreeTraits = 0;
    let agreeEmail = 0;
    let withEmail = 0;
    for (const m of members.rows) {
      const traits: Record<string, unknown> = decodeGraphTraits(m.graph_traits ?? [], keys);
      for (const k of keys) if (m.custom_traits && m.custom_traits[k] !== undefined && traits[k] === undefined) traits[k] = m.custom_traits[k];
      if (!Object.keys(traits).length) traits[keys[0]] = null;
      const byTraits = await callApi('POST', `/persona-sets/${setId}/assignments`, { key, body: { traits } });
      expect(byTraits.status, byTraits.text).toBe(200);
      if ((byTraits.json as Assign).persona.id === m.persona_id) agreeTraits++;
      if (m.email) {
        withEmail++;
        const byEmail = await callApi('POST', `/persona-sets/${setId}/assignments`, { key, body: { identity: { email: ` ${m.email.toUpperCase()} ` } } });
        expect(byEmail.status, byEmail.text).toBe(200);
        expect((byEmail.json as Assign).match.method).toBe('account_person');
        if ((byEmail.json as Assign).persona.id === m.persona_id) agreeEmail++;
      }
    }
    expect(agreeTraits / members.rows.length).toBeGreaterThanOrEqual(0.99);
    expect(withEmail).toBeGreaterThan(50);
    expect(agreeEmail / withEmail).toBeGreaterThanOrEqual(0.99);
  }, 120_000);

  it('matches an identity-graph person by name + address, and records a new contact when asked', async () => {
    const g = await database.query<{ id: number; first_name: string; last_name: string; street: string; postcode: string; email_norm: string }>(
      `select id, first_name, last_name, street, postcode, email_norm from graph_persons g
       where not exists (select 1 from people p where p.graph_id = g.id) order by id limit 1`,
    );
    const person = g.rows[0];
    const res = await callApi('POST', `/persona-sets/${setId}/assignments`, {
      key,
      body: { identity: { firstName: person.first_name, lastName: person.last_name, street: person.street, postcode: person.postcode }, record: true, externalId: 'rt-new-1' },
    });
    expect(res.status, res.text).toBe(200);
    const body = res.json as Assign & { match: { graphId: number } };
    expect(body.match).toMatchObject({ method: 'name_address', graphId: person.id });
    expect(body.recorded).not.toBeNull();
    const stored = await database.query<{ persona_id: string; external_id: string }>(
      `select a.persona_id, p.external_id from assignments a join people p on p.id = a.person_id
       where a.persona_set_id = $1 and a.person_id = $2 and a.valid_to is null and p.account_id = $3`,
      [setId, body.recorded!.personId, accountId],
    );
    expect(stored.rows).toEqual([{ persona_id: body.persona.id, external_id: 'rt-new-1' }]);
    // the same contact by its graph email: same persona, nothing recorded without record: true
    const again = await callApi('POST', `/persona-sets/${setId}/assignments`, { key, body: { identity: { email: person.email_norm } } });
    expect((again.json as Assign).persona.id).toBe(body.persona.id);
    expect((again.json as Assign).recorded).toBeNull();
    // an unknown identity
    const nobody = await callApi('POST', `/persona-sets/${setId}/assignments`, { key, body: { identity: { email: 'nobody-at-all@example.invalid' } } });
    expect(nobody.status).toBe(422);
    const empty = await callApi('POST', `/persona-sets/${setId}/assignments`, { key, body: {} });
    expect(empty.status).toBe(400);
  });

  it('queues an ad hoc scoring run and answers it by id', async () => {
    const run = await callApi('POST', `/persona-sets/${setId}/scoring-runs`, { key });
    expect(run.status, run.text).toBe(202);
    const id = (run.json as { id: string }).id;
    await runner.drain(120_000);
    const polled = await callApi('GET', `/persona-sets/${setId}/scoring-runs/${id}`, { key });
    expect(polled.status).toBe(200);
    expect((polled.json as { status: string }).status).toBe('done');
  }, 150_000);
});
