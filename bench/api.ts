// npm run bench:api — the HTTP API under load against Facet's production server (Next.js) on loopback:
//  1. real-time assignment (POST /api/v1/persona-sets/{id}/assignments, 20 raw traits) at 50 connections, against a
//     bare node:http server answering the same POSTs (one process, as Facet's front that answers them), and the batch endpoint;
//  2. the CSV and NDJSON payloads of a 1,000,000-member pipeline, streamed, against COPY TO of the same rows.
// The database is a fresh PostgreSQL database (BENCH_DATABASE_URL / DATABASE_URL server) seeded here: a demo
// account whose persona set is built by the real job runner, and a 1M-member account with a *fake* persona set
// (personas and assignments inserted with SQL: building 1M would only slow the setup down).
// Usage: [--duration 15] [--connections 50] [--batch 1000] [--members 1000000] [--db facet_bench_api] [--port 3310] [--keep-db]
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setDatabase } from '@/db/client';
import { seedDemo, seedLargeAccount } from '@/scripts/seed';
import { functions } from '@/inngest/functions';
import { startEmbeddedRunner } from '@/inngest/runner';
import { createApiKey } from '@/lib/services/api-keys';
import { createPersonaSet, decodeGraphTraits, getPersonaSetOrThrow } from '@/lib/services/persona-sets';
import { createPipeline, planPayload } from '@/lib/services/pipelines';
import { to as copyTo } from 'pg-copy-streams';
import type { PersonaModel } from '@/lib/clustering';
import { freshDatabase, table } from './lib';
import { cannon, compareLoads, errorsOf, startBareServer, type Load } from './lib/realtime-load';
import { tenantOf } from '@/lib/services/tenant';
import { GRAPH_TRAITS } from '@/lib/identity-graph/catalog';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const PORT = Number(arg('port', '3310'));
const BASE = `http://127.0.0.1:${PORT}`;
const DURATION = Number(arg('duration', '15'));
const CONNECTIONS = Number(arg('connections', '50'));
const MEMBERS = Number(arg('members', '1000000'));
const BATCH = Number(arg('batch', '1000'));
const DB_NAME = arg('db', 'facet_bench_api');
const log = (s: string) => console.error(`[bench:api] ${s}`);

function ensureBuild() {
  const marker = path.join('.next', 'server', 'app', 'api', 'v1', 'persona-sets', '[id]', 'assignments', 'route.js');
  const ready = ['BUILD_ID', 'facet-server.mjs'].every((f) => fs.existsSync(path.join('.next', f))) && fs.existsSync(marker);
  if (ready && !process.argv.includes('--build')) return;
  log('building with npm run build …');
  const r = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed');
}

/** Peak RSS (VmHWM) of a process and its descendants, in MB. */
function vmHwmMb(rootPid: number): number {
  const pids = [rootPid];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (pids.includes(ppid)) pids.push(Number(d));
    } catch {
      // gone
    }
  }
  let kb = 0;
  for (const pid of pids) {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) kb = Math.max(kb, Number(m[1]));
    } catch {
      // gone
    }
  }
  return kb / 1024;
}

async function waitForServer(timeoutMs = 120_000) {
  const t0 = Date.now();
  for (;;) {
    try {
      const r = await fetch(`${BASE}/api/v1/openapi.json`);
      if (r.ok) return;
    } catch {
      // not yet
    }
    if (Date.now() - t0 > timeoutMs) throw new Error('the server did not start');
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function main() {
  ensureBuild();
  const { database, url, dispose } = await freshDatabase('pg', DB_NAME);
  setDatabase(database);
  let server: ReturnType<typeof spawn> | undefined;
  let bare: Awaited<ReturnType<typeof startBareServer>> | undefined;
  let bareWithHeaders: typeof bare;
  try {
    let t0 = performance.now();
    log(`seeding a ${MEMBERS.toLocaleString('en-US')}-member account …`);
    const large = await seedLargeAccount(database, MEMBERS, 'bench-api');
    log(`  ${((performance.now() - t0) / 1000).toFixed(0)} s; seeding the demo account and building its persona set …`);
    t0 = performance.now();
    const { accountId } = await seedDemo(database, { people: 5000, graphSize: MEMBERS });
    const cohort = await database.query<{ id: string }>(`select id from cohorts where account_id = $1 and name = 'Customers'`, [accountId]);
    const runner = await startEmbeddedRunner({ database, functions, pollMs: 50, cron: false, log: () => {} });
    const set = await createPersonaSet(tenantOf(database, accountId, null), { name: 'Bench personas', cohortId: cohort.rows[0].id });
    await runner.drain(10 * 60_000);
    await runner.stop();
    const built = await getPersonaSetOrThrow(tenantOf(database, accountId), set.id);
    if (built.status !== 'ready') throw new Error(`the persona set is ${built.status}: ${built.error}`);
    log(`  ${((performance.now() - t0) / 1000).toFixed(0)} s (k = ${built.k})`);

    // fake persona set on the 1M account: 5 personas, one current assignment per member, by SQL
    const fake = await database.query<{ id: string }>(
      `insert into persona_sets (account_id, cohort_id, name, slug, status, progress, build_version, k, member_count, built_at)
       values ($1, $2, 'Bench 1M', 'bench-1m', 'ready', 1, 1, 5, $3, now()) returning id`,
      [large.accountId, large.cohortId, MEMBERS],
    );
    const fakeSet = fake.rows[0].id;
    const names = ['Affluent Families', 'Young Renters', 'Retired Homeowners', 'Urban Professionals', 'Rural Savers'];
    const ps = await database.query<{ id: string }>(
      `insert into personas (account_id, persona_set_id, position, name, short_name, avatar, centre, centroid, salient)
       select $1, $2, i - 1, n, n, '{}'::jsonb, '{}'::jsonb, '{}'::real[], '[]'::jsonb from unnest($3::text[]) with ordinality as u(n, i) returning id`,
      [large.accountId, fakeSet, names],
    );
    t0 = performance.now();
    await database.query(
      `insert into assignments (account_id, persona_set_id, person_id, persona_id, distance)
       select $1, $2, p.id, ($3::uuid[])[1 + (p.id % 5)::int], 0.5 from people p where p.account_id = $1`,
      [large.accountId, fakeSet, ps.rows.map((r) => r.id)],
    );
    await database.query('analyze');
    log(`  fake assignments: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    const pipeline = await createPipeline(tenantOf(database, large.accountId), { name: 'Bench 1M', cohortIds: [large.cohortId], personaSetIds: [fakeSet] });
    const demoKey = (await createApiKey(tenantOf(database, accountId), { name: 'bench' })).key;
    const largeKey = (await createApiKey(tenantOf(database, large.accountId), { name: 'bench' })).key;

    // bodies: real members' traits in original form, 20 of them (the model's, then other graph traits)
    const model = built.model as unknown as PersonaModel;
    const modelKeys = model.encoder.specs.map((s) => s.key);
    const keys = [...modelKeys, ...GRAPH_TRAITS.map((t) => t.key).filter((k) => !modelKeys.includes(k))].slice(0, Math.max(20, modelKeys.length));
    const sample = await database.query<{ graph_traits: number[]; email: string }>(
      `select p.graph_traits, p.email from assignments a join people p on p.id = a.person_id
       where a.persona_set_id = $1 and a.valid_to is null and p.graph_traits is not null and p.email is not null order by p.id limit 1000`,
      [set.id],
    );
    const traitsOf = sample.rows.map((r) => decodeGraphTraits(r.graph_traits, keys));
    const traitBodies = traitsOf.slice(0, 200).map((traits) => JSON.stringify({ traits }));
    const meanTraits = traitsOf.slice(0, 200).reduce((n, t) => n + Object.keys(t).length, 0) / Math.min(200, traitsOf.length);
    const emailBodies = sample.rows.slice(0, 200).map((r) => JSON.stringify({ identity: { email: r.email } }));
    const batchBodies = BATCH > 0 ? [0, 1, 2, 3].map((s) => JSON.stringify({ contacts: Array.from({ length: BATCH }, (_, i) => ({ traits: traitsOf[(i * 7 + s * 131) % traitsOf.length] })) })) : [];

    log('starting the production server …');
    // Facet's production server (scripts/server.ts): Next's request handler; the real-time route called directly
    server = spawn(process.execPath, ['.next/facet-server.mjs'], {
      env: { ...process.env, DATABASE_URL: url!, NODE_ENV: 'production', FACET_API_RATE_LIMIT: '1000000000', PORT: String(PORT) },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitForServer();
    const pid = server.pid!;
    const assignUrl = `${BASE}/api/v1/persona-sets/${set.id}/assignments`;
    const auth = { authorization: `Bearer ${demoKey}` };
    const probe = await fetch(assignUrl, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: traitBodies[0] });
    const probeText = await probe.text();
    if (!probe.ok) throw new Error(`assignment probe answered ${probe.status}: ${probeText}`);

    // the yardstick: one bare node:http process answering Facet's own answer to every 20-trait POST; and, to tell
    // what they cost (the server and the load generator both handle them), one that also sends Facet's headers
    const facetHeaders: Record<string, string> = {};
    probe.headers.forEach((v, k) => {
      if (!['content-type', 'content-length', 'date', 'connection', 'keep-alive'].includes(k)) facetHeaders[k] = v;
    });
    bare = await startBareServer(PORT + 1, probeText);
    bareWithHeaders = await startBareServer(PORT + 2, probeText, facetHeaders);
    const facetLoad: Load = { url: assignUrl, bodies: traitBodies, headers: auth, connections: CONNECTIONS };
    const bareLoad: Load = { url: `http://127.0.0.1:${PORT + 1}/`, bodies: traitBodies, headers: auth, connections: CONNECTIONS };
    const bareHeadersLoad: Load = { ...bareLoad, url: `http://127.0.0.1:${PORT + 2}/` };
    log('warm-up …');
    await cannon(bareLoad, 3);
    await cannon(bareHeadersLoad, 3);
    await cannon(facetLoad, 5);
    log(`real-time assignment, ${meanTraits.toFixed(1)} raw traits, ${CONNECTIONS} connections, ${DURATION} s each for the bare server, the bare server with Facet's headers and Facet …`);
    const [raw, rawHeaders, rt] = await compareLoads([bareLoad, bareHeadersLoad, facetLoad], DURATION);
    bare.stop();
    bareWithHeaders.stop();
    bare = bareWithHeaders = undefined;
    log(`real-time assignment, by email, ${CONNECTIONS} connections, ${DURATION} s …`);
    const em = await cannon({ ...facetLoad, bodies: emailBodies }, DURATION);
    const BATCH_CONNECTIONS = 4;
    let batch: Awaited<ReturnType<typeof cannon>> | undefined;
    if (BATCH > 0) {
      const batchLoad: Load = { url: `${assignUrl}/batch`, bodies: batchBodies, headers: auth, connections: BATCH_CONNECTIONS };
      const bp = await fetch(batchLoad.url, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: batchBodies[0] });
      if (!bp.ok) throw new Error(`batch probe answered ${bp.status}: ${(await bp.text()).slice(0, 500)}`);
      log(`batch assignment, ${BATCH} contacts a call, ${BATCH_CONNECTIONS} connections, ${DURATION} s …`);
      await cannon(batchLoad, 3);
      batch = await cannon(batchLoad, DURATION);
    }
    const rssAfterRealtime = vmHwmMb(pid);

    const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
    log('exports of the 1M pipeline: COPY TO references, then Facet CSV and NDJSON …');
    // the references, on a connection of the bench's own: COPY TO of a bare table holding the export's very rows and
    // cells, and COPY TO of the export's own query; each the faster of a run before Facet's exports and one after
    const plan = await planPayload(tenantOf(database, large.accountId), pipeline.id);
    await database.query(`create unlogged table bench_export_rows as ${plan.copySelect(0, 'csv')}`);
    await database.query('vacuum analyze bench_export_rows');
    const copyOut = async (sql: string) => {
      const client = await database.pool!.connect();
      try {
        const t = performance.now();
        let n = 0;
        for await (const chunk of client.query(copyTo(sql)) as AsyncIterable<Buffer>) for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) n++;
        return { seconds: (performance.now() - t) / 1000, lines: n };
      } finally {
        client.release();
      }
    };
    const references = async () => ({
      bare: await copyOut('copy bench_export_rows to stdout with (format csv, header true)'),
      query: await copyOut(`copy (${plan.copySelect(0, 'csv')}) to stdout with (format csv, header true)`),
    });
    const refBefore = await references();
    const exportOf = async (format: 'csv' | 'ndjson') => {
      const t = performance.now();
      const res = await fetch(`${BASE}/api/v1/pipelines/${pipeline.id}/payload?format=${format}`, { headers: { authorization: `Bearer ${largeKey}` } });
      if (!res.ok || !res.body) throw new Error(`payload (${format}) answered ${res.status}`);
      let bytes = 0;
      let lines = 0;
      let firstByteMs = 0;
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        if (!firstByteMs) firstByteMs = performance.now() - t;
        bytes += chunk.length;
        for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
      }
      return { seconds: (performance.now() - t) / 1000, bytes, rows: format === 'csv' ? lines - 1 : lines, firstByteMs };
    };
    const csv = await exportOf('csv');
    const ndjson = await exportOf('ndjson');
    const refAfter = await references();
    const bareS = Math.min(refBefore.bare.seconds, refAfter.bare.seconds);
    const queryS = Math.min(refBefore.query.seconds, refAfter.query.seconds);
    const refRows = refBefore.bare.lines - 1;
    await database.query('drop table bench_export_rows');
    const rssPeak = vmHwmMb(pid);
    const rate = (rows: number, s: number) => `${Math.round(rows / s).toLocaleString('en-US')} rows/s`;
    const exportRows = (name: string, r: { seconds: number; bytes: number; rows: number; firstByteMs: number }) => [
      { measure: `${name} payload rows (${MEMBERS.toLocaleString('en-US')} members)`, value: `${r.rows.toLocaleString('en-US')} rows, ${(r.bytes / 1e6).toFixed(0)} MB in ${r.seconds.toFixed(2)} s`, target: refRows.toLocaleString('en-US'), result: verdict(r.rows === refRows) },
      { measure: `${name} payload throughput`, value: `${rate(r.rows, r.seconds)} (first byte ${r.firstByteMs.toFixed(0)} ms)`, target: '', result: '' },
      { measure: `${name} / COPY TO of the same rows (bare table)`, value: `${((bareS / r.seconds) * 100).toFixed(0)}%`, target: '>= 70%', result: verdict(bareS / r.seconds >= 0.7) },
      { measure: `${name} / COPY TO of the export's own query`, value: `${((queryS / r.seconds) * 100).toFixed(0)}%`, target: '(info)', result: '' },
    ];

    const ratio = rt.requests.average / raw.requests.average;
    console.log(
      table([
        { measure: `bare node:http, 20-trait POST, ${CONNECTIONS} conn`, value: `${Math.round(raw.requests.average)} req/s, p99 ${raw.latency.p99} ms`, target: '(yardstick)', result: '' },
        {
          measure: `bare node:http with Facet's ${Object.keys(facetHeaders).length} headers more`,
          value: `${Math.round(rawHeaders.requests.average)} req/s (${((rawHeaders.requests.average / raw.requests.average) * 100).toFixed(1)} % of bare)`,
          target: '(info)',
          result: '',
        },
        { measure: 'assignment (traits) throughput', value: `${Math.round(rt.requests.average)} req/s (${((rt.requests.average / rawHeaders.requests.average) * 100).toFixed(1)} % of bare with headers)`, target: '', result: '' },
        { measure: 'assignment (traits) / bare node:http', value: `${(ratio * 100).toFixed(1)} %`, target: '≥ 85 %', result: verdict(ratio >= 0.85) },
        { measure: `assignment (traits) p99, ${CONNECTIONS} conn`, value: `${rt.latency.p99} ms`, target: '≤ 5 ms', result: verdict(rt.latency.p99 <= 5) },
        { measure: 'assignment (traits) errors / non-2xx', value: `${errorsOf(rt)} of ${rt.requests.total}`, target: '0', result: verdict(errorsOf(rt) === 0) },
        { measure: 'assignment (traits) p50 / mean', value: `${rt.latency.p50} / ${rt.latency.average.toFixed(2)} ms`, target: '', result: '' },
        { measure: `assignment (email) p99, ${CONNECTIONS} conn`, value: `${em.latency.p99} ms`, target: '(info)', result: '' },
        { measure: 'assignment (email) throughput', value: `${Math.round(em.requests.average)} req/s, ${errorsOf(em)} errors`, target: '(info)', result: '' },
        ...(batch
          ? [
              { measure: `batch assignment (${BATCH} contacts a call, ${BATCH_CONNECTIONS} conn)`, value: `${Math.round(batch.requests.average * BATCH).toLocaleString('en-US')} contacts/s`, target: '(info)', result: '' },
              { measure: 'batch assignment p99 / errors', value: `${batch.latency.p99} ms a call, ${errorsOf(batch)} errors`, target: '', result: verdict(errorsOf(batch) === 0) },
            ]
          : []),
        { measure: 'server peak RSS after the assignment runs', value: `${rssAfterRealtime.toFixed(0)} MB`, target: '', result: '' },
        { measure: 'COPY TO CSV of a bare table of the export rows', value: `${rate(refRows, bareS)} (${bareS.toFixed(2)} s)`, target: '(reference)', result: '' },
        { measure: "COPY TO CSV of the export's own query", value: `${rate(refRows, queryS)} (${queryS.toFixed(2)} s)`, target: '(reference)', result: '' },
        ...exportRows('CSV', csv),
        ...exportRows('NDJSON', ndjson),
        { measure: 'server peak RSS (VmHWM, whole run)', value: `${rssPeak.toFixed(0)} MB`, target: '< 300 MB', result: verdict(rssPeak < 300) },
      ]),
    );
    console.log(`\nPostgreSQL ${url!.replace(/\/\/[^@]*@/, '//')}; Facet's production server on ${BASE}; rate limit lifted for the run (FACET_API_RATE_LIMIT). The 1M persona set is fake (SQL-inserted personas and assignments).`);
  } finally {
    bare?.stop();
    bareWithHeaders?.stop();
    if (server?.pid) {
      process.kill(server.pid, 'SIGTERM');
      await new Promise((r) => setTimeout(r, 1000));
    }
    setDatabase(undefined);
    if (!process.argv.includes('--keep-db')) await dispose();
    else await database.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
