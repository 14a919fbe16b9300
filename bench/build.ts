// npm run bench:build — queued → ready for cohorts of 100k and 1M members, on a PostgreSQL server and the embedded one.
// Each case runs in its own process so that its peak RSS is its own. Usage: [--cases pg:100000,pg:1000000,embedded:100000]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { setDatabase } from '@/db/client';
import { seedLargeAccount } from '@/scripts/seed';
import { functions } from '@/inngest/functions';
import { startEmbeddedRunner } from '@/inngest/runner';
import { createPersonaSet } from '@/lib/services/persona-sets';
import type { Database } from '@/db/client';
import { GRAPH_TRAIT_INDEX } from '@/lib/identity-graph/catalog';
import { listBuildTimings } from '@/lib/services/persona-sets';
import { matrixKeys } from '@/lib/services/persona-sets/member-matrix';
import { freshDatabase, peakRssMb, table } from './lib';
import { tenantOf } from '@/lib/services/tenant';

const TARGETS: Record<string, number> = { 'pg:1000000': 8, 'embedded:100000': 4 };
const WRITE_PHASE = 'Writing assignments › copy';
const LOAD_PHASE = 'Loading traits';

/** Seconds to stream a COPY's bytes through the same client, nothing parsed. */
async function timeCopyOut(database: Database, copySql: string): Promise<number> {
  const t = performance.now();
  let bytes = 0;
  for await (const chunk of database.copyOut(copySql)) bytes += chunk.length;
  if (!bytes) throw new Error('the reference COPY read nothing');
  return (performance.now() - t) / 1000;
}

/**
 * The references the build is held to, measured on the same database right after it: a bare binary COPY of the
 * set's assignment rows into an unindexed table (the rows read back first, whole, so only the write is timed), and a
 * bare binary COPY read of the member matrix's columns from a plain table holding them.
 */
async function bareReferences(database: Database, personaSetId: string): Promise<{ writeS: number; readS: number }> {
  const cols = 'account_id, persona_set_id, person_id, persona_id, distance, runner_up_persona_id, margin, scoring_run_id';
  const rows: Buffer[] = [];
  for await (const c of database.copyOut(`copy (select ${cols} from assignments where persona_set_id = '${personaSetId}' and valid_to is null order by person_id) to stdout with (format binary)`))
    rows.push(c);
  await database.query(`create unlogged table if not exists bench_bare_assignments as select ${cols} from assignments limit 0`);
  await database.query('alter table bench_bare_assignments set logged');
  const t = performance.now();
  await database.copyIn((src) => `copy bench_bare_assignments (${cols}) from ${src} with (format binary)`, rows);
  const writeS = (performance.now() - t) / 1000;
  await database.query('drop table bench_bare_assignments');
  // the same columns the build's load reads: person id, current persona, the clustering and describing traits
  const set = await database.query<{ model: { encoder: { specs: { key: string }[] } } }>('select model from persona_sets where id = $1', [personaSetId]);
  const keys = matrixKeys(set.rows[0].model.encoder.specs.map((s) => s.key));
  const traits = keys.map((k) => GRAPH_TRAIT_INDEX[k]).filter((i) => i !== undefined).map((i) => `p.graph_traits[${i + 1}]::float4 as t${i}`);
  await database.query(
    `create table bench_bare_matrix as select p.id as person_id, null::uuid as persona_id, ${traits.join(', ')} from people p
     join assignments a on a.person_id = p.id and a.persona_set_id = '${personaSetId}' and a.valid_to is null`,
  );
  const readS = await timeCopyOut(database, 'copy bench_bare_matrix to stdout with (format binary)');
  await database.query('drop table bench_bare_matrix');
  return { writeS, readS };
}

async function runCase(driver: 'pg' | 'embedded', members: number) {
  const { database, dispose } = await freshDatabase(driver, `facet_bench_build_${members}_${process.pid}`);
  setDatabase(database);
  try {
    const t0 = performance.now();
    const { accountId, cohortId } = await seedLargeAccount(database, members, 'bench');
    const setupS = (performance.now() - t0) / 1000;
    const rssBefore = peakRssMb();
    const runner = await startEmbeddedRunner({ database, functions, pollMs: 50, cron: false, log: (l) => console.error(l) });
    const start = performance.now();
    const set = await createPersonaSet(tenantOf(database, accountId, null), { name: 'Bench', cohortId });
    await runner.drain(30 * 60_000);
    const totalS = (performance.now() - start) / 1000;
    await runner.stop();
    const status = await database.query<{ status: string; k: number; error: string | null }>('select status, k, error from persona_sets where id = $1', [set.id]);
    const stored = await database.query<{ buildTimings: unknown }>('select build_timings as "buildTimings" from persona_sets where id = $1', [set.id]);
    const timings = listBuildTimings(stored.rows[0]);
    const refs = status.rows[0].status === 'ready' ? await bareReferences(database, set.id) : { writeS: NaN, readS: NaN };
    const phase = (name: string) => (timings.find((t) => t.name === name)?.ms ?? NaN) / 1000;
    console.log(
      JSON.stringify({
        driver,
        members,
        setupS,
        totalS,
        status: status.rows[0].status,
        error: status.rows[0].error,
        k: status.rows[0].k,
        steps: Object.fromEntries(timings.filter((t) => t.kind === 'step').map((t) => [t.name, t.ms / 1000])),
        phases: timings.map((t) => ({ name: t.name, kind: t.kind, s: t.ms / 1000 })),
        writeS: phase(WRITE_PHASE),
        bareWriteS: refs.writeS,
        loadS: phase(LOAD_PHASE),
        bareReadS: refs.readS,
        peakRssMb: peakRssMb(),
        rssBeforeBuildMb: rssBefore,
      }),
    );
  } finally {
    setDatabase(undefined);
    await dispose();
  }
}

async function main() {
  const child = process.argv.indexOf('--child');
  if (child >= 0) {
    const [driver, members] = process.argv[child + 1].split(':');
    await runCase(driver as 'pg' | 'embedded', Number(members));
    process.exit(0);
  }
  const arg = process.argv.indexOf('--cases');
  const cases = (arg >= 0 ? process.argv[arg + 1] : 'embedded:100000,pg:100000,pg:1000000').split(',');
  const rows: Record<string, string | number>[] = [];
  const stepRows: Record<string, string | number>[] = [];
  const ratioRows: Record<string, string | number>[] = [];
  const phaseLines: string[] = [];
  for (const c of cases) {
    console.error(`[bench:build] ${c} …`);
    const r = spawnSync(path.join('node_modules', '.bin', 'tsx'), ['--conditions=react-server', 'bench/build.ts', '--child', c], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 64 << 20,
    });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    let res: {
      driver: string;
      members: number;
      totalS: number;
      status: string;
      k: number;
      steps: Record<string, number>;
      phases: { name: string; kind: string; s: number }[];
      writeS: number;
      bareWriteS: number;
      loadS: number;
      bareReadS: number;
      peakRssMb: number;
      setupS: number;
      error: string | null;
    };
    try {
      res = JSON.parse(line);
    } catch {
      rows.push({ case: c, 'queued → ready (s)': 'failed', target: '', status: `exit ${r.status}` });
      continue;
    }
    const target = TARGETS[c];
    rows.push({
      database: res.driver === 'pg' ? 'PostgreSQL server' : 'embedded PostgreSQL',
      members: res.members,
      'queued → ready (s)': Number(res.totalS.toFixed(1)),
      target: target ? `≤ ${target} s` : '—',
      personas: res.k,
      'peak RSS (MB)': Math.round(res.peakRssMb),
      'RSS target': res.members >= 1_000_000 ? '≤ 1,024 MB' : '—',
      status: res.status + (res.error ? `: ${res.error}` : ''),
    });
    ratioRows.push({
      database: res.driver,
      members: res.members,
      'assignments write (s)': Number(res.writeS.toFixed(2)),
      'bare binary COPY in (s)': Number(res.bareWriteS.toFixed(2)),
      'write ratio': Number((res.writeS / res.bareWriteS).toFixed(2)),
      'write target': '≤ 2×',
      'member matrix load (s)': Number(res.loadS.toFixed(2)),
      'bare binary COPY out (s)': Number(res.bareReadS.toFixed(2)),
      'load ratio': Number((res.loadS / res.bareReadS).toFixed(2)),
      'load target': '≤ 1.5×',
    });
    stepRows.push({ database: res.driver, members: res.members, ...Object.fromEntries(Object.entries(res.steps).map(([k, v]) => [k, Number(v.toFixed(2))])) });
    phaseLines.push(`${res.driver} ${res.members.toLocaleString('en-US')}:`, ...res.phases.map((p) => `  ${p.kind === 'step' ? '' : '  '}${p.name}  ${p.s.toFixed(2)} s`));
  }
  console.log('\nPersona set build, queued → ready (embedded runner, one process per case)\n');
  console.log(table(rows));
  console.log('\nThe bulk paths against bare binary COPY on the same database, same run\n');
  console.log(table(ratioRows));
  console.log('\nSeconds per step (stored with the set, persona_sets.build_timings)\n');
  console.log(table(stepRows));
  console.log('\nSteps and their phases\n');
  console.log(phaseLines.join('\n'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
