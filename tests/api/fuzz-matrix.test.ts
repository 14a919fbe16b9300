// The fuzzed route matrix: every /api/v1 operation and every signed-in server action, called with inputs that
// fast-check generates (wrong types, huge strings, odd unicode, malformed ids, the other account's ids, bodies
// of 1 MB + 1 byte) as the owner, as another account, with a revoked key and with none. Never a 5xx (for an
// action: never the catch-all failure), never a byte of the other account, nothing of it changed, one 401.
// The pages and downloads that take an id are called with the same ids: a page answers or is notFound().
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { operationList, type Operation } from '@/lib/api/operations';
import { MAX_JSON_BODY } from '@/lib/api/body';
import { apiRateLimiter, badKeyRateLimiter } from '@/lib/api/rate-limit';
import { createApiKey, revokeApiKey } from '@/lib/services/api-keys';
import { createDatasetFromUpload } from '@/lib/services/datasets';
import { setEnqueuer } from '@/lib/services/enqueue';
import { tenantOf } from '@/lib/services/tenant';
import { testDatabases } from '../helpers/db';
import { chunked } from '../datasets/fixtures';
import { callApi } from './helpers';
import { useTwoAccounts } from './fixture';

vi.mock('server-only', () => ({}));
vi.mock('next/cache', () => ({ revalidatePath: () => {} }));
vi.mock('next/headers', () => ({ headers: async () => new Headers({ host: 'localhost:3000' }), cookies: async () => ({ get: () => undefined }) }));
vi.mock('@/inngest/client', () => ({ sendEvent: vi.fn(async () => ({ ids: [] })) }));
const session = vi.hoisted(() => ({ viewer: null as null | { userId: string; name: string; email: string; accountId: string; accountName: string; isDemo: boolean } }));
vi.mock('@/lib/auth', async () => {
  const { getDatabase } = await import('@/db/client');
  const { tenantOf: tenant } = await import('@/lib/services/tenant');
  const requireViewer = async () => {
    if (!session.viewer) throw new Error('the fuzz matrix calls pages signed in only');
    return session.viewer;
  };
  return {
    getViewer: async () => session.viewer,
    requireViewer,
    requireTenant: async () => {
      const viewer = await requireViewer();
      return { viewer, tenant: tenant(await getDatabase(), viewer.accountId, viewer.userId) };
    },
  };
});

process.env.FACET_UPLOAD_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'facet-fuzz-uploads-'));
afterAll(() => fs.rmSync(process.env.FACET_UPLOAD_DIR!, { recursive: true, force: true }));
// the jobs that the owner's calls queue are accepted and dropped: the matrix is about the answers
setEnqueuer(async () => {});
afterAll(() => setEnqueuer(undefined));

const RUNS = Number(process.env.FACET_FUZZ_RUNS ?? 20);
const SEED = Number(process.env.FACET_FUZZ_SEED ?? 17);
/** stands for a body of 1 MB + 1 byte (built when sent, never generated) */
const OVERSIZE = Symbol('1 MB + 1 byte');
const SIGNED_OUT = { ok: false, error: 'You are signed out. Sign in again.' };
const CATCH_ALL = 'Something went wrong. Please try again.';

type Kind = 'set' | 'otherSet' | 'persona' | 'cohort' | 'pipeline' | 'run' | 'dataset' | 'key' | 'person';
type Ids = Record<Kind, string>;

/** lone surrogates as U+FFFD (what a URL can carry) */
const wellFormed = (s: string) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

const oversizeBody = () => JSON.stringify({ name: 'x'.repeat(MAX_JSON_BODY + 1 - '{"name":""}'.length) });

/* ---------- generators ---------- */

const oddStrings = [
  '', ' ', '\u0000', '\u202eevil', '\ufeff', '\ud800', '\udfff\ud800', 'e\u0301\u0301\u0301', '🧑‍🌾'.repeat(40), '../../etc/passwd', '%00',
  "' or 1=1 --", '"; drop table persona_sets; --', '<script>alert(1)</script>', '=HYPERLINK("http://x")', '+1+1', '@SUM(1)', 'null', 'undefined',
  'NaN', '-0', '1e309', '__proto__', 'constructor', '{}', '[]', 'a'.repeat(2_000), 'x'.repeat(100_000), 'é'.repeat(60_000),
];

const hostileString = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom(...oddStrings),
);

/** ids of UUID length in shapes PostgreSQL refuses or nobody has, and look-alikes of a real id */
const malformedId = (real: string) =>
  fc.oneof(
    fc.stringMatching(/^[0-9a-zA-Z_{}-]{36}$/),
    fc.uuid(),
    fc.constantFrom(
      '------------------------------------',
      '00000000-0000-0000-0000-000000000000',
      'ffffffff-ffff-ffff-ffff-ffffffffffff',
      real.toUpperCase(),
      ` ${real}`,
      `${real} `,
      `${real}0`,
      real.slice(0, 35),
      real.replace(/-/g, ''),
      `{${real.slice(1, 35)}}`,
      `${real.slice(0, 35)}g`,
      real.replace(/-/g, '_'),
    ),
    hostileString,
  );

function idArb(ids: Ids, kind: Kind) {
  const all = Object.values(ids);
  return fc.oneof(
    { arbitrary: fc.constant(ids[kind]), weight: 3 },
    { arbitrary: malformedId(ids[kind]), weight: 4 },
    { arbitrary: fc.constantFrom(...all), weight: 1 },
  );
}

function hostileValue(ids: Ids): fc.Arbitrary<unknown> {
  const realIds = fc.constantFrom(...Object.values(ids));
  return fc.oneof(
    hostileString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    realIds,
    malformedId(ids.set),
    fc.array(fc.oneof(hostileString, realIds), { maxLength: 5 }),
    fc.array(hostileString, { minLength: 100, maxLength: 120 }),
    fc.dictionary(hostileString, hostileString, { maxKeys: 4 }),
    fc.jsonValue({ maxDepth: 3 }),
  );
}

/** An example input with one or two of its fields (or extra ones) replaced, a random value, nothing, or 1 MB + 1 byte. */
function inputArb(example: Record<string, unknown>, keys: string[], ids: Ids, opts: { oversize: boolean }): fc.Arbitrary<unknown> {
  const value = hostileValue(ids);
  const fields = [...new Set([...keys, ...Object.keys(example)])];
  const mutated = fc
    .array(fc.tuple(fields.length ? fc.oneof(fc.constantFrom(...fields), hostileString) : hostileString, value), { minLength: 1, maxLength: 3 })
    .map((edits) => {
      const o: Record<string, unknown> = { ...example };
      for (const [k, v] of edits) o[k] = v;
      return o;
    });
  const dropped = fields.length ? fc.constantFrom(...fields).map((k) => Object.fromEntries(Object.entries(example).filter(([x]) => x !== k))) : fc.constant({});
  return fc.oneof(
    { arbitrary: fc.constant(example), weight: 1 },
    { arbitrary: mutated, weight: 6 },
    { arbitrary: dropped, weight: 1 },
    { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 1 },
    { arbitrary: fc.constant(undefined), weight: 1 },
    { arbitrary: fc.constant(opts.oversize ? OVERSIZE : { name: 'x'.repeat(MAX_JSON_BODY + 1) }), weight: 1 },
  );
}

const keysOf = (schema: unknown): string[] => {
  const shape = (schema as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape) : [];
};

/* ---------- the server actions, with a valid input each ---------- */

interface ActionSpec {
  example: (ids: Ids) => Record<string, unknown>;
  /** the owner never calls it on the fixture's own rows (it would delete them) */
  destructive?: boolean;
}

const definition = { events: [], traits: [] };
const ACTIONS: Record<string, ActionSpec> = {
  createCohortAction: { example: () => ({ name: 'Fuzz cohort', description: '', definition }) },
  updateCohortAction: { example: (i) => ({ cohortId: i.cohort, name: 'Renamed cohort', description: '', definition }), destructive: true },
  previewCohortAction: { example: () => ({ definition }) },
  confirmMappingAction: { example: (i) => ({ datasetId: i.dataset, kind: 'people', name: 'People', mapping: { id: 'external_id', email: 'email' } }), destructive: true },
  proposeMappingAction: { example: (i) => ({ datasetId: i.dataset, kind: 'people' }) },
  deleteDatasetAction: { example: (i) => ({ datasetId: i.dataset }), destructive: true },
  createPersonaSetAction: { example: (i) => ({ name: 'Fuzz set', cohortId: i.cohort, traitKeys: null, k: null }) },
  renamePersonaSetAction: { example: (i) => ({ id: i.set, name: 'Renamed set' }) },
  setShowInExploreAction: { example: (i) => ({ id: i.set, showInExplore: true }) },
  rebuildPersonaSetAction: { example: (i) => ({ id: i.set }) },
  archivePersonaSetAction: { example: (i) => ({ id: i.set, archived: false }) },
  deletePersonaSetAction: { example: (i) => ({ id: i.set }), destructive: true },
  renamePersonaAction: { example: (i) => ({ personaSetId: i.set, personaId: i.persona, name: 'Renamed persona' }) },
  setScheduleAction: { example: (i) => ({ id: i.set, schedule: 'weekly' }) },
  scoreNowAction: { example: (i) => ({ id: i.set }) },
  setWatchingAction: { example: (i) => ({ id: i.set, watching: true }) },
  resolveDriftAlertAction: { example: (i) => ({ alertId: i.run, resolution: 'dismissed' }) },
  createPipelineAction: { example: (i) => ({ name: 'Fuzz pipeline', cohortIds: [i.cohort], personaSetIds: [i.set], traitKeys: ['age'] }) },
  deletePipelineAction: { example: (i) => ({ id: i.pipeline }), destructive: true },
  setNotifyApiSetsReadyAction: { example: () => ({ on: true }) },
  createApiKeyAction: { example: () => ({ name: 'Fuzz key' }) },
  revokeApiKeyAction: { example: (i) => ({ id: i.key }), destructive: true },
};

const APP = path.resolve(import.meta.dirname, '../../app/(app)');
function serverActionFiles(dir = APP): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return serverActionFiles(p);
    return /\.tsx?$/.test(e.name) && /^\s*['"]use server['"]/.test(fs.readFileSync(p, 'utf8')) ? [p] : [];
  });
}
function idPages(dir = APP): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return idPages(p);
    return (e.name === 'page.tsx' || e.name === 'route.ts') && p.includes('[id]') ? [p] : [];
  });
}

type Action = (input: unknown) => Promise<unknown>;

/* ---------- the matrix ---------- */

describe.each(testDatabases())('fuzzed route matrix on $name', (target) => {
  const ctx = useTwoAccounts(target);
  const MARKER = `zqx${Math.random().toString(36).slice(2, 10)}mark`;
  let ids: Ids;
  let revokedKey: string;
  /** every id of B's rows: A's answers may hold one only if A's request did */
  let bIds: string[];
  let viewers: { owner: NonNullable<typeof session.viewer>; intruder: NonNullable<typeof session.viewer> };
  const counts = { api: 0, actions: 0, pages: 0, rendered: 0, notFound: 0 };

  /** Puts the marker back into B's rows (the owner's own calls may rename them). */
  const plantMarker = async () => {
    // one round trip (the account id is a uuid the fixture made, so it is safe inline)
    const b = ctx.fx.b.accountId;
    await ctx.database.query(
      `update personas set name = 'Persona ' || position || ' ${MARKER}' where account_id = '${b}';
       update persona_sets set name = 'Set ${MARKER} ' || left(id::text, 8) where account_id = '${b}';
       update cohorts set description = 'About ${MARKER}' where account_id = '${b}';
       update pipelines set name = 'Pipeline ${MARKER} ' || left(id::text, 8) where account_id = '${b}';
       update datasets set name = 'Dataset ${MARKER}' where account_id = '${b}'`,
    );
  };

  /** What B has, in one string: a call of A's must leave it as it was. */
  const fingerprintOfB = async () =>
    (
      await ctx.database.query<{ f: string }>(
        `select md5(concat_ws('|',
           (select string_agg(concat_ws(',', id, name, archived_at, build_version, status, show_in_explore, schedule), ';' order by id) from persona_sets where account_id = $1),
           (select string_agg(concat_ws(',', id, name), ';' order by id) from personas where account_id = $1),
           (select string_agg(concat_ws(',', id, name, definition::text), ';' order by id) from cohorts where account_id = $1),
           (select string_agg(concat_ws(',', id, name), ';' order by id) from pipelines where account_id = $1),
           (select string_agg(concat_ws(',', id, name, status), ';' order by id) from datasets where account_id = $1),
           (select string_agg(concat_ws(',', id, revoked_at), ';' order by id) from api_keys where account_id = $1),
           (select count(*) from scoring_runs where account_id = $1),
           (select count(*) from assignments where account_id = $1))) as f`,
        [ctx.fx.b.accountId],
      )
    ).rows[0].f;

  /** Nothing of B in an answer to A: no marker, and none of B's ids that A did not send itself. */
  const expectNothingOfB = (answer: string, request: string, what: string) => {
    expect(answer.includes(MARKER), `${what} shows B's marker: ${answer.slice(0, 300)}`).toBe(false);
    const asked = request.toLowerCase();
    const seen = answer.toLowerCase();
    for (const id of bIds) if (seen.includes(id) && !asked.includes(id)) expect.fail(`${what} shows B's id ${id}: ${answer.slice(0, 300)}`);
  };

  beforeAll(async () => {
    for (const limiter of [apiRateLimiter(), badKeyRateLimiter()]) {
      limiter.reset();
      limiter.perMinute = 1e9;
    }
    const b = ctx.fx.b.accountId;
    const bTenant = tenantOf(ctx.database, b);
    const up = await createDatasetFromUpload(bTenant, { fileName: 'b.csv', body: chunked('id,email\nB1,b1@example.com\n') });
    const revoked = await createApiKey(bTenant, { name: 'Revoked' });
    await revokeApiKey(bTenant, revoked.apiKey.id);
    revokedKey = revoked.key;
    ids = {
      set: ctx.fx.b.setId, otherSet: ctx.fx.b.otherSetId, persona: ctx.fx.b.personaIds[0], cohort: ctx.fx.b.cohortId,
      pipeline: ctx.fx.b.pipelineId, run: ctx.fx.b.runId, dataset: up.dataset.id, key: revoked.apiKey.id, person: String(ctx.fx.b.personId),
    };
    const ownerUser = (await ctx.database.query<{ user_id: string }>('select user_id from members where account_id = $1 limit 1', [b])).rows[0].user_id;
    await ctx.database.query(`insert into users (id, name, email) values ('fuzz-a', 'A', 'a@fuzz.example')`);
    await ctx.database.query(`insert into members (account_id, user_id) values ($1, 'fuzz-a')`, [ctx.fx.a.accountId]);
    const viewer = (accountId: string, userId: string) => ({ userId, name: 'x', email: 'x@fuzz.example', accountId, accountName: 'x', isDemo: false });
    viewers = { owner: viewer(b, ownerUser), intruder: viewer(ctx.fx.a.accountId, 'fuzz-a') };
    await plantMarker();
  });

  const collectBIds = async () => {
    const r = await ctx.database.query<{ id: string }>(
      `select id::text from persona_sets where account_id = $1 union all select id::text from personas where account_id = $1
       union all select id::text from cohorts where account_id = $1 union all select id::text from pipelines where account_id = $1
       union all select id::text from scoring_runs where account_id = $1 union all select id::text from datasets where account_id = $1
       union all select id::text from api_keys where account_id = $1`,
      [ctx.fx.b.accountId],
    );
    bIds = r.rows.map((x) => x.id.toLowerCase());
  };

  const apiOps = operationList.filter((op) => !op.public);

  const pathArb = (op: Operation) => {
    const names = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const kindOf = (n: string): Kind =>
      n === 'id' ? (op.path.startsWith('/pipelines') ? 'pipeline' : 'set') : n === 'personaId' ? 'persona' : n === 'runId' ? 'run' : n === 'otherId' ? 'otherSet' : 'person';
    return fc.tuple(...names.map((n) => idArb(ids, kindOf(n)).filter((s) => s.length > 0 && s !== '.' && s !== '..') /* a URL resolves dot segments away */)).map((values) => {
      let i = 0;
      return op.path.replace(/\{\w+\}/g, () => encodeURIComponent(wellFormed(values[i++])));
    });
  };

  const queryArb = (op: Operation) =>
    op.query
      ? fc.dictionary(fc.oneof(fc.constantFrom(...keysOf(op.query)), hostileString), fc.oneof(hostileString, fc.constantFrom('json', 'csv', 'ndjson', '1', '0', '-1', '1000000', 'true', '2026-01-01')), { maxKeys: 4 }).map((q) => {
          const s = new URLSearchParams(Object.entries(q).map(([k, v]) => [wellFormed(k), wellFormed(v)])).toString();
          return s ? `?${s}` : '';
        })
      : fc.constant('');

  it('calls every /api/v1 operation with hostile inputs as the owner, another account, a revoked key and none', async () => {
    await collectBIds();
    let unauthorized: { text: string; www: string | null } | undefined;
    let ownerSawMarker = 0;
    for (const [n, op] of apiOps.entries()) {
      const body = op.body ? inputArb((op.example ?? {}) as Record<string, unknown>, keysOf(op.body), ids, { oversize: true }) : fc.constant(undefined);
      await fc.assert(
        fc.asyncProperty(pathArb(op), queryArb(op), body, async (p, q, input) => {
          const where = `${op.method} ${p.slice(0, 120)}${q.slice(0, 80)}`;
          const send = (key: string | null) =>
            callApi(op.method, p + q, {
              key,
              ...(input === OVERSIZE ? { rawBody: oversizeBody() } : op.body && input !== undefined ? { rawBody: JSON.stringify(input) } : {}),
            });
          const requestText = decodeURIComponent(p) + q + (typeof input === 'symbol' ? '' : JSON.stringify(input ?? null));

          const owner = await send(ctx.fx.b.key);
          expect(owner.status, `${where} as the owner: ${owner.text.slice(0, 300)}`).toBeLessThan(500);
          if (input === OVERSIZE) expect(owner.status, where).toBe(413);
          if (owner.text.includes(MARKER)) ownerSawMarker++;
          if (op.method !== 'GET') await plantMarker();

          const before = await fingerprintOfB();
          const intruder = await send(ctx.fx.a.key);
          expect(intruder.status, `${where} as A: ${intruder.text.slice(0, 300)}`).toBeLessThan(500);
          if (input === OVERSIZE) expect(intruder.status, where).toBe(413);
          expectNothingOfB(intruder.text, requestText, `${where} as A`);
          expect(await fingerprintOfB(), `${where} as A changed B's data`).toBe(before);

          for (const key of [revokedKey, null]) {
            const res = await send(key);
            expect(res.status, where).toBe(401);
            unauthorized ??= { text: res.text, www: res.headers.get('www-authenticate') };
            expect(res.text, where).toBe(unauthorized.text);
            expect(res.headers.get('www-authenticate')).toBe(unauthorized.www);
          }
          counts.api++;
        }),
        { numRuns: RUNS, seed: SEED + n, endOnFailure: true },
      );
      // new rows of B (sets the owner created) count as B's from now on
      if (op.method !== 'GET') await collectBIds();
    }
    expect(ownerSawMarker).toBeGreaterThan(0);
    expect(counts.api).toBe(apiOps.length * RUNS);
  }, 600_000);

  it('calls every signed-in server action with hostile inputs as the owner, another account and signed out', async () => {
    const modules = await Promise.all(serverActionFiles().map(async (f) => [f, (await import(f)) as Record<string, unknown>] as const));
    const actions = modules.flatMap(([f, m]) => Object.entries(m).filter(([, v]) => typeof v === 'function').map(([name, fn]) => ({ file: f, name, fn: fn as Action })));
    // every action of the app is in the matrix
    expect(actions.map((a) => a.name).sort()).toEqual(Object.keys(ACTIONS).sort());
    await collectBIds();
    for (const [n, action] of actions.entries()) {
      const spec = ACTIONS[action.name];
      const example = spec.example(ids);
      const input = inputArb(example, Object.keys(example), ids, { oversize: false });
      await fc.assert(
        fc.asyncProperty(input, async (value) => {
          const where = `${action.name}(${JSON.stringify(value)?.slice(0, 160)})`;
          const requestText = JSON.stringify(value ?? null);
          const ownRows = bIds.some((id) => requestText.toLowerCase().includes(id));
          if (!(spec.destructive && ownRows)) {
            session.viewer = viewers.owner;
            const owner = (await action.fn(value)) as { ok: boolean; error?: string };
            expect(typeof owner.ok, where).toBe('boolean');
            expect(owner.error, `${where} as the owner`).not.toBe(CATCH_ALL);
            await plantMarker();
          }

          session.viewer = viewers.intruder;
          const before = await fingerprintOfB();
          const intruder = (await action.fn(value)) as { ok: boolean; error?: string };
          expect(typeof intruder.ok, where).toBe('boolean');
          expect(intruder.error, `${where} as A`).not.toBe(CATCH_ALL);
          expectNothingOfB(JSON.stringify(intruder), requestText, `${where} as A`);
          expect(await fingerprintOfB(), `${where} as A changed B's data`).toBe(before);

          session.viewer = null;
          expect(await action.fn(value), where).toEqual(SIGNED_OUT);
          counts.actions++;
        }),
        { numRuns: RUNS, seed: SEED + 100 + n, endOnFailure: true },
      );
      await collectBIds();
    }
    expect(counts.actions).toBe(actions.length * RUNS);
  }, 600_000);

  it('opens every page and download that takes an id with hostile ids: it answers, or is not found', async () => {
    const files = idPages();
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const [n, file] of files.entries()) {
      const mod = (await import(file)) as { default?: (p: unknown) => Promise<unknown>; GET?: (r: Request, c: unknown) => Promise<Response> };
      const kind: Kind = file.includes('cohorts') ? 'cohort' : file.includes('datasets') ? 'dataset' : file.includes('pipelines') ? 'pipeline' : 'set';
      await fc.assert(
        fc.asyncProperty(idArb(ids, kind), fc.constantFrom(viewers.owner, viewers.intruder), async (id, viewer) => {
          session.viewer = viewer;
          const where = `${path.relative(APP, file)} with ${JSON.stringify(id.slice(0, 80))} as ${viewer === viewers.owner ? 'the owner' : 'A'}`;
          if (mod.GET) {
            const res = await mod.GET(new Request('http://localhost/x'), { params: Promise.resolve({ id }) });
            expect(res.status, where).toBeLessThan(500);
            const text = await res.text();
            if (viewer === viewers.intruder) {
              expect(res.status, where).toBe(404);
              expectNothingOfB(text, id, where);
            }
          } else {
            const outcome = await mod.default!({ params: Promise.resolve({ id }), searchParams: Promise.resolve({}) }).then(
              () => 'rendered',
              (err: { digest?: string; message?: string }) => (String(err?.digest).startsWith('NEXT_HTTP_ERROR_FALLBACK;404') ? 'not found' : `threw ${err?.message}`),
            );
            expect(outcome === 'rendered' || outcome === 'not found', `${where}: ${outcome}`).toBe(true);
            if (outcome === 'rendered') counts.rendered++;
            else counts.notFound++;
            if (viewer === viewers.intruder) expect(outcome, where).toBe('not found');
            if (viewer === viewers.owner && id === ids[kind]) expect(outcome, where).toBe('rendered');
          }
          counts.pages++;
        }),
        { numRuns: RUNS, seed: SEED + 200 + n, endOnFailure: true },
      );
    }
    session.viewer = null;
    // both outcomes happened: the owner's real ids render, everything else is not found
    expect(counts.rendered).toBeGreaterThan(0);
    expect(counts.notFound).toBeGreaterThan(0);
    console.log(`fuzz matrix: ${counts.api} API cases (${apiOps.length} operations, 4 callers each), ${counts.actions} action cases (${Object.keys(ACTIONS).length} actions, 3 callers each), ${counts.pages} page cases`);
  }, 600_000);
});
