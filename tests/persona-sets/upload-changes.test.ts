// Uploads through the real path (file stored, mapping confirmed, ingest job on the embedded runner) re-score exactly
// the members they changed or added: people re-sent unchanged are not touched, several uploads within the quiet
// period make one scoring run covering all of them (time injected), and an identical file re-scores nobody.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setDatabase, type Database } from '@/db/client';
import { functions } from '@/inngest/functions';
import { SCORE_CHANGES_DEBOUNCE } from '@/inngest/functions/cohorts';
import { durationMs } from '@/inngest/runner/debounce';
import { startEmbeddedRunner, type EmbeddedRunner } from '@/inngest/runner';
import { createCohort } from '@/lib/services/cohorts';
import { confirmDatasetMapping, createDatasetFromUpload, getDatasetOrThrow } from '@/lib/services/datasets';
import { createPersonaSet, getPersonaSetOrThrow, listScoringRuns } from '@/lib/services/persona-sets';
import { tenantOf, type Tenant } from '@/lib/services/tenant';
import { chunked } from '../datasets/fixtures';
import { testDatabases } from '../helpers/db';
import { demoWithRunner } from '../helpers/demo';

process.env.FACET_UPLOAD_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'facet-uploads-'));
afterAll(() => fs.rmSync(process.env.FACET_UPLOAD_DIR!, { recursive: true, force: true }));

const QUIET_MS = durationMs(SCORE_CHANGES_DEBOUNCE.period)!;
const LOW = (i: number) => 5 + (i % 10);
const HIGH = (i: number) => 90 + (i % 10);

describe.each(testDatabases())('uploads re-score what they changed on $name', (target) => {
  let database: Database;
  let runner: EmbeddedRunner;
  let tenant: Tenant;
  let setId: string;
  let cohortId: string;
  let clock = Date.now();
  /** external id -> loyalty points, as the account holds them */
  const points = new Map<string, number>();
  let members: { id: number; ext: string }[] = [];

  // two traits that agree: a low member has few points and few visits, a high one many of both
  const visits = (p: number) => (p >= 50 ? 40 + (p % 5) : 1 + (p % 3));
  const csvOf = (rows: [string, number][]) =>
    ['Customer ID,Loyalty points,Store visits', ...rows.map(([e, p]) => `${e},${p},${visits(p)}`)].join('\n') + '\n';
  async function upload(rows: [string, number][], name: string) {
    const up = await createDatasetFromUpload(tenant, { fileName: `${name}.csv`, body: chunked(csvOf(rows), 64) });
    expect(up.dataset.mapping).toMatchObject({ 'Customer ID': 'external_id', 'Loyalty points': 'trait:numeric', 'Store visits': 'trait:numeric' });
    await confirmDatasetMapping(tenant, up.dataset.id, { kind: 'people', mapping: up.dataset.mapping! });
    await runner.drain(120_000);
    const d = await getDatasetOrThrow(tenant, up.dataset.id);
    expect(d.status).toBe('ready');
    expect(d.okCount).toBe(rows.length);
    for (const [e, p] of rows) points.set(e, p);
  }
  const idsOf = async (exts: string[]) =>
    (await database.query<{ id: number }>('select id::float8 as id from people where account_id = $1 and external_id = any($2::text[]) order by id', [tenant.accountId, exts])).rows.map((r) => Number(r.id));
  const stamps = async () =>
    new Map((await database.query<{ id: number; at: Date }>('select id::float8 as id, updated_at as at from people where account_id = $1', [tenant.accountId])).rows.map((r) => [Number(r.id), new Date(r.at).getTime()]));
  /** the people whose current assignment in the set was opened by the run */
  const openedBy = async (runId: string) =>
    (await database.query<{ id: number }>('select person_id::float8 as id from assignments where persona_set_id = $1 and scoring_run_id = $2 and valid_to is null order by 1', [setId, runId])).rows.map((r) => Number(r.id));
  const personaOf = async (ids: number[]) =>
    new Map((await database.query<{ id: number; persona: string }>('select person_id::float8 as id, persona_id as persona from assignments where persona_set_id = $1 and valid_to is null and person_id = any($2::bigint[])', [setId, ids])).rows.map((r) => [Number(r.id), r.persona]));

  beforeAll(async () => {
    database = await target.open();
    const demo = await demoWithRunner(database, { people: 800, graphSize: 1600, runner: false });
    tenant = tenantOf(database, demo.accountId, demo.userId);
    runner = await startEmbeddedRunner({ database, functions, pollMs: 50, backoffMs: () => 50, cron: false, now: () => clock, log: () => {} });
    // 300 people with an email get loyalty points, low or high, by a first upload; they make the cohort
    members = (
      await database.query<{ id: number; ext: string }>(
        'select id::float8 as id, external_id as ext from people where account_id = $1 and email_norm is not null order by id limit 300',
        [demo.accountId],
      )
    ).rows.map((r) => ({ id: Number(r.id), ext: r.ext }));
    await upload(members.map((m, i) => [m.ext, i % 2 ? HIGH(i) : LOW(i)]), 'loyalty');
    cohortId = (await createCohort(tenant, { name: 'Loyalty members', definition: { events: [], traits: [{ key: 'loyalty_points', min: 0 }] } })).id;
    const set = await createPersonaSet(tenant, { name: 'Loyalty personas', cohortId, traitKeys: ['loyalty_points', 'store_visits'], k: 2 });
    setId = set.id;
    await runner.drain(180_000);
    expect((await getPersonaSetOrThrow(tenant, setId)).status).toBe('ready');
    // what the first upload queued runs now and finds nothing to score for the new set
    clock += QUIET_MS + 1000;
    await runner.drain(60_000);
    expect(await listScoringRuns(tenant, setId)).toHaveLength(0);
  }, 400_000);
  afterAll(async () => {
    await runner?.stop();
    setDatabase(undefined);
    await target.dispose(database);
  });

  it('scores exactly the changed and new members of two uploads in one run after the quiet period, and nobody for an identical file', async () => {
    // the build split the cohort by loyalty: every low member in one persona, every high one in the other
    const before = await personaOf(members.map((m) => m.id));
    const lowPersona = new Set(members.filter((_, i) => i % 2 === 0).map((m) => before.get(m.id)));
    const highPersona = new Set(members.filter((_, i) => i % 2 === 1).map((m) => before.get(m.id)));
    expect(lowPersona.size).toBe(1);
    expect(highPersona.size).toBe(1);
    expect([...lowPersona][0]).not.toBe([...highPersona][0]);

    const low = members.filter((_, i) => i % 2 === 0);
    const high = members.filter((_, i) => i % 2 === 1);
    // upload B: 7 low members become high, 20 members are sent again as they are, 5 people are new
    const flippedB = low.slice(0, 7);
    const resent = [...low.slice(50, 60), ...high.slice(50, 60)];
    const fileB: [string, number][] = [
      ...flippedB.map((m, i): [string, number] => [m.ext, HIGH(i)]),
      ...resent.map((m): [string, number] => [m.ext, points.get(m.ext)!]),
      ...[1, 2, 3, 4, 5].map((n): [string, number] => [`NEW-B-${n}`, n % 2 ? HIGH(n) : LOW(n)]),
    ];
    const stampsBefore = await stamps();
    await upload(fileB, 'changes b');
    // a minute later, upload C: 3 high members become low, 2 people are new; B's re-sent rows come again unchanged
    clock += 60_000;
    const flippedC = high.slice(0, 3);
    const fileC: [string, number][] = [
      ...flippedC.map((m, i): [string, number] => [m.ext, LOW(i)]),
      ...resent.slice(0, 5).map((m): [string, number] => [m.ext, points.get(m.ext)!]),
      ['NEW-C-1', HIGH(1)],
      ['NEW-C-2', LOW(2)],
    ];
    await upload(fileC, 'changes c');
    // within the quiet period of C's upload: nothing scored yet
    clock += QUIET_MS - 30_000;
    await runner.drain(60_000);
    expect(await listScoringRuns(tenant, setId)).toHaveLength(0);

    // the uploads wrote exactly the changed and new people; the re-sent ones kept their updated_at
    const fresh = await idsOf([1, 2, 3, 4, 5].map((n) => `NEW-B-${n}`).concat(['NEW-C-1', 'NEW-C-2']));
    expect(fresh).toHaveLength(7);
    const changed = [...flippedB, ...flippedC].map((m) => m.id);
    const stampsAfter = await stamps();
    const written = [...stampsAfter].filter(([id, at]) => stampsBefore.get(id) !== at).map(([id]) => id).sort((a, b) => a - b);
    expect(written).toEqual([...changed, ...fresh].sort((a, b) => a - b));

    // quiet for the period: one run, covering both uploads
    clock += 60_000;
    await runner.drain(120_000);
    const runs = await listScoringRuns(tenant, setId);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ trigger: 'changes', status: 'done', scored: changed.length + fresh.length, changed: changed.length, added: fresh.length, removed: 0 });
    // the history: the run opened a row for every changed and new member and for nobody else
    expect(await openedBy(runs[0].id)).toEqual([...changed, ...fresh].sort((a, b) => a - b));
    const after = await personaOf([...changed, ...resent.map((m) => m.id)]);
    for (const m of flippedB) expect(after.get(m.id)).toBe([...highPersona][0]);
    for (const m of flippedC) expect(after.get(m.id)).toBe([...lowPersona][0]);
    // the re-sent members keep the row the build opened
    const kept = await database.query<{ n: number }>(
      'select count(*)::int as n from assignments where persona_set_id = $1 and valid_to is null and scoring_run_id is null and person_id = any($2::bigint[])',
      [setId, resent.map((m) => m.id)],
    );
    expect(kept.rows[0].n).toBe(resent.length);

    // the same file B again: nobody is written, and no run starts
    const stampsAgain = await stamps();
    await upload(fileB, 'changes b again');
    clock += QUIET_MS + 1000;
    await runner.drain(120_000);
    expect([...(await stamps())].filter(([id, at]) => stampsAgain.get(id) !== at)).toEqual([]);
    expect(await listScoringRuns(tenant, setId)).toHaveLength(1);
  }, 400_000);
});
