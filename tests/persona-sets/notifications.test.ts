// The ready email goes to a set's creator; a set created through the API has no creator, so it goes to the members
// who opted in, once each, however often the job runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setDatabase, type Database } from '@/db/client';
import { createApiKey, resetApiKeyCache } from '@/lib/services/api-keys';
import { seedDemo } from '@/scripts/seed';
import { emailBuildOutcome, getNotificationSettings, readyEmailRecipients, setNotifyApiSetsReady } from '@/lib/services/persona-sets';
import { tenantOf } from '@/lib/services/tenant';
import { callApi } from '../api/helpers';
import { testDatabases } from '../helpers/db';
import { seedReadyPersonaSet } from '../persona-sets-ui/fixture';

describe.each(testDatabases())('ready emails on $name', (target) => {
  let database: Database;
  let accountId: string;
  let creator: string;
  let appSet: string;
  let apiSet: string;

  beforeAll(async () => {
    database = await target.open();
    ({ accountId } = await seedDemo(database, { people: 500, graphSize: 1000, today: new Date('2026-06-30T00:00:00Z') }));
    creator = (await database.query<{ user_id: string }>('select user_id from members where account_id = $1 limit 1', [accountId])).rows[0].user_id;
    for (const [id, email] of [['opted-in', 'in@example.com'], ['not-opted', 'out@example.com']]) {
      await database.query(`insert into users (id, name, email) values ($1, $1, $2)`, [id, email]);
      await database.query(`insert into members (account_id, user_id, role) values ($1, $2, 'analyst')`, [accountId, id]);
    }
    const cohort = (await database.query<{ id: string }>('select id from cohorts where account_id = $1 order by member_count desc limit 1', [accountId])).rows[0].id;
    ({ setId: appSet } = await seedReadyPersonaSet(database, accountId, cohort, 'From the app', { traitKeys: ['age', 'income'], seed: 3 }));
    ({ setId: apiSet } = await seedReadyPersonaSet(database, accountId, cohort, 'From the API', { traitKeys: ['age', 'income'], seed: 3 }));
    await database.query(`update persona_sets set created_by = $2 where id = $1`, [appSet, creator]);
    await database.query(`update persona_sets set created_via = 'api', created_by = null where id = $1`, [apiSet]);
  }, 240_000);
  afterAll(async () => {
    await target.dispose(database);
  });

  it('tells the creator of an app set, and only the opted-in members of an API set, once each', async () => {
    const optedIn = tenantOf(database, accountId, 'opted-in');
    expect(await getNotificationSettings(optedIn)).toEqual({ notifyApiSetsReady: false });
    expect(await readyEmailRecipients(optedIn, apiSet)).toEqual([]);
    await setNotifyApiSetsReady(optedIn, true);
    expect(await getNotificationSettings(optedIn)).toEqual({ notifyApiSetsReady: true });
    const tenant = tenantOf(database, accountId);
    expect((await readyEmailRecipients(tenant, apiSet)).map((r) => r.email)).toEqual(['in@example.com']);
    const creatorEmail = (await database.query<{ email: string }>('select email from users where id = $1', [creator])).rows[0].email;
    expect((await readyEmailRecipients(tenant, appSet)).map((r) => r.email)).toEqual([creatorEmail]);

    for (let i = 0; i < 2; i++) {
      await emailBuildOutcome(tenant, apiSet, 1, 'built');
      await emailBuildOutcome(tenant, appSet, 1, 'built');
    }
    const sent = await database.query<{ to: string; subject: string }>(`select "to", subject from email_outbox where subject like '%is ready%' order by "to"`);
    expect(sent.rows.map((r) => r.to).sort()).toEqual([creatorEmail, 'in@example.com'].sort());
    expect(sent.rows.find((r) => r.to === 'in@example.com')!.subject).toContain('From the API');
    await expect(setNotifyApiSetsReady(tenantOf(database, accountId, 'stranger'), true)).rejects.toThrow(/not a member/);
  });

  it('marks sets created through the API as such, and the app’s as the app’s', async () => {
    setDatabase(database);
    resetApiKeyCache();
    const key = (await createApiKey(tenantOf(database, accountId), { name: 'notify' })).key;
    const cohortId = (await database.query<{ id: string }>('select id from cohorts where account_id = $1 order by member_count desc limit 1', [accountId])).rows[0].id;
    const res = await callApi('POST', '/persona-sets', { key, body: { name: 'Made by a machine', cohortId } });
    expect(res.status, res.text).toBe(201);
    const via = await database.query<{ name: string; created_via: string }>('select name, created_via from persona_sets where account_id = $1 order by name', [accountId]);
    expect(via.rows).toEqual([
      { name: 'From the API', created_via: 'api' },
      { name: 'From the app', created_via: 'app' },
      { name: 'Made by a machine', created_via: 'api' },
    ]);
    setDatabase(undefined);
  });
});
