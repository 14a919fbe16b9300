import { renderToStaticMarkup } from 'react-dom/server';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { setDatabase, type Database } from '@/db/client';
import { cohorts } from '@/db/schema';
import { resetAuthLimits } from '@/lib/auth-limit';
import { PEER_HEADER } from '@/lib/client-address';
import { demoMode, env } from '@/lib/env';
import { createApiKey } from '@/lib/services/api-keys';
import { deliverEmail } from '@/lib/services/email';
import { tenantOf } from '@/lib/services/tenant';
import { DEMO_EMAIL, DEMO_PASSWORD, seedDemo } from '@/scripts/seed';
import { eq } from 'drizzle-orm';
import { seedReadyPersonaSet } from '../persona-sets-ui/fixture';
import { testDatabases } from '../helpers/db';
import { cookieOf, formOf, redirectOf, startAuthServer, type AuthServer } from './helpers';

const request = vi.hoisted(() => ({ cookie: '' }));
vi.mock('next/headers', () => ({
  headers: async () => new Headers({ [PEER_HEADER]: '127.0.0.1', ...(request.cookie ? { cookie: request.cookie } : {}) }),
  cookies: async () => ({ get: () => undefined, set: () => {}, delete: () => {} }),
}));
vi.mock('next/cache', () => ({ revalidatePath: () => {} }));

const CSV = 'email,first_name,last_name\nana@example.com,Ana,Diaz\n';

describe('demo mode', () => {
  it('is off in production without FACET_DEMO, read-only with FACET_DEMO=1, writable in development', () => {
    expect(demoMode({ FACET_DEMO: undefined }, 'production')).toBe('off');
    expect(demoMode({ FACET_DEMO: '0' }, 'development')).toBe('off');
    expect(demoMode({ FACET_DEMO: '1' }, 'production')).toBe('read-only');
    expect(demoMode({ FACET_DEMO: 'writable' }, 'production')).toBe('writable');
    expect(demoMode({ FACET_DEMO: undefined }, 'development')).toBe('writable');
  });
});

describe.each(testDatabases())('the demo account on $name', (target) => {
  let database: Database;
  let http: AuthServer;
  let demo: { accountId: string; userId: string; cookie: string; cohortId: string; setId: string; keyFromBefore: string };
  const savedMode = env.FACET_DEMO;
  const savedKey = env.RESEND_API_KEY;

  beforeAll(async () => {
    database = await target.open();
    setDatabase(database);
    (globalThis as { __facetAuth?: unknown }).__facetAuth = undefined;
    resetAuthLimits();
    const { accountId } = await seedDemo(database, { people: 700, graphSize: 1500, today: new Date('2026-06-30T00:00:00Z') });
    const userId = (await database.query<{ user_id: string }>('select user_id from members where account_id = $1', [accountId])).rows[0].user_id;
    const cohortList = await database.db.select().from(cohorts).where(eq(cohorts.accountId, accountId));
    const cohort = cohortList.find((c) => c.memberCount > 0) ?? cohortList[0];
    const set = await seedReadyPersonaSet(database, accountId, cohort.id, 'Demo set', { traitKeys: ['age', 'income'], seed: 3 });
    // a key made while the demo was writable (a development database later served as a public demo)
    const keyFromBefore = (await createApiKey(tenantOf(database, accountId, userId), { name: 'from development' })).key;
    const { POST } = await import('@/app/api/auth/[...all]/route');
    http = await startAuthServer(POST);
    const signIn = await http.post('sign-in/email', { email: DEMO_EMAIL, password: DEMO_PASSWORD });
    expect(signIn.status).toBe(200);
    demo = { accountId, userId, cookie: cookieOf(signIn.headers['set-cookie']), cohortId: cohort.id, setId: set.setId, keyFromBefore };
  }, 240_000);
  afterEach(() => {
    env.FACET_DEMO = savedMode;
    env.RESEND_API_KEY = savedKey;
    request.cookie = '';
  });
  afterAll(async () => {
    await http.close();
    setDatabase(undefined);
    (globalThis as { __facetAuth?: unknown }).__facetAuth = undefined;
    await target.dispose(database);
  });

  const signInPage = async () => {
    const { default: SignInPage } = await import('@/app/(auth)/sign-in/page');
    return renderToStaticMarkup(await SignInPage({ searchParams: Promise.resolve({}) }));
  };

  it('a public demo: the sign-in page gives the credentials and says what is read-only', async () => {
    env.FACET_DEMO = '1';
    const html = await signInPage();
    expect(html).toContain(DEMO_PASSWORD);
    expect(html).toContain('API keys, uploads, cohorts and pipelines are read-only');
  });

  it('a public demo: no API key, upload, cohort, pipeline or setting through the actions; persona sets still change', async () => {
    env.FACET_DEMO = '1';
    request.cookie = demo.cookie;
    const { getViewer } = await import('@/lib/auth');
    expect(await getViewer()).toMatchObject({ isDemo: true, demoReadOnly: true, emailVerified: true });
    const readOnly = expect.stringMatching(/^The demo account is read-only for .+Create an account of your own/);
    const { createApiKeyAction } = await import('@/app/(app)/settings/api-keys/actions');
    expect(await createApiKeyAction({ name: 'mine' })).toEqual({ ok: false, error: readOnly });
    const { createCohortAction } = await import('@/app/(app)/cohorts/actions');
    expect(await createCohortAction({ name: 'Mine', definition: { events: [], traits: [] } })).toEqual({ ok: false, error: readOnly });
    const { createPipelineAction, deletePipelineAction } = await import('@/app/(app)/pipelines/actions');
    expect(await createPipelineAction({ name: 'Mine', cohortIds: [demo.cohortId], personaSetIds: [demo.setId], traitKeys: [] })).toEqual({ ok: false, error: readOnly });
    expect(await deletePipelineAction({ id: '00000000-0000-4000-8000-000000000000' })).toEqual({ ok: false, error: readOnly });
    const { setNotifyApiSetsReadyAction } = await import('@/app/(app)/settings/notifications/actions');
    expect(await setNotifyApiSetsReadyAction({ on: true })).toEqual({ ok: false, error: readOnly });
    const { deleteDatasetAction } = await import('@/app/(app)/datasets/actions');
    expect(await deleteDatasetAction({ datasetId: '00000000-0000-4000-8000-000000000000' })).toEqual({ ok: false, error: readOnly });
    // the upload route refuses before a byte is stored
    const { POST: upload } = await import('@/app/api/datasets/upload/route');
    const res = await upload(new Request('http://localhost/api/datasets/upload?fileName=people.csv', { method: 'POST', body: CSV }));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect((await res.json()).error).toMatch(/^The demo account is read-only for uploads/);
    const counts = await database.query<{ keys: string; datasets: string; pipelines: string; cohorts: string }>(
      `select (select count(*) from api_keys where account_id = $1)::text as keys, (select count(*) from datasets where account_id = $1)::text as datasets,
              (select count(*) from pipelines where account_id = $1)::text as pipelines, (select count(*) from cohorts where account_id = $1 and name = 'Mine')::text as cohorts`,
      [demo.accountId],
    );
    expect(counts.rows[0]).toEqual({ keys: '1', datasets: '0', pipelines: '0', cohorts: '0' });
    // persona sets are what the demo is for
    const { renamePersonaSetAction } = await import('@/app/(app)/persona-sets/actions');
    expect(await renamePersonaSetAction({ id: demo.setId, name: 'Renamed by a visitor' })).toEqual({ ok: true, data: { id: demo.setId, name: 'Renamed by a visitor' } });
  });

  it('a public demo: the services refuse an API caller too (a key left from development), and no mail leaves', async () => {
    env.FACET_DEMO = '1';
    const tenant = tenantOf(database, demo.accountId, null);
    const { createPipeline } = await import('@/lib/services/pipelines');
    await expect(createPipeline(tenant, { name: 'Via API', cohortIds: [demo.cohortId], personaSetIds: [demo.setId], traitKeys: [] })).rejects.toThrow(/read-only for pipelines/);
    const { callApi } = await import('../api/helpers');
    const viaApi = await callApi('POST', '/pipelines', { key: demo.keyFromBefore, body: { name: 'Via API', cohortIds: [demo.cohortId], personaSetIds: [demo.setId] } });
    expect(viaApi.status).toBe(403);
    env.RESEND_API_KEY = 're_unused';
    expect((await deliverEmail(tenant, { idempotencyKey: 'demo-ready', to: DEMO_EMAIL, subject: 'x', text: 'x', html: 'x' })).status).toBe('held');
  });

  it('off (production without FACET_DEMO): no credentials on the page, its password opens nothing, its sessions are over', async () => {
    env.FACET_DEMO = '0';
    const html = await signInPage();
    expect(html).not.toContain(DEMO_PASSWORD);
    expect(html).not.toContain(DEMO_EMAIL);
    const { signInAction } = await import('@/app/(auth)/actions');
    expect((await redirectOf(signInAction(null, formOf({ email: DEMO_EMAIL, password: DEMO_PASSWORD })))).answer).toEqual({ ok: false, error: 'Wrong email or password.' });
    const viaHttp = await http.post('sign-in/email', { email: DEMO_EMAIL, password: DEMO_PASSWORD }, { from: '127.0.0.5' });
    expect(viaHttp.status).toBe(401);
    request.cookie = demo.cookie;
    const { getViewer } = await import('@/lib/auth');
    expect(await getViewer()).toBeNull();
  });

  it('writable (development): the demo account makes keys like any other', async () => {
    env.FACET_DEMO = 'writable';
    request.cookie = demo.cookie;
    const { createApiKeyAction } = await import('@/app/(app)/settings/api-keys/actions');
    expect(await createApiKeyAction({ name: 'dev key' })).toMatchObject({ ok: true, data: { key: expect.stringMatching(/^fct_/) } });
  });
});
