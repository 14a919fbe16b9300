// npm run bench:build — queued → ready for cohorts of 100k and 1M members, on a PostgreSQL server and the embedded one.
// Each case runs in its own process so that its peak RSS is its own. Usage: [--cases pg:100000,pg:1000000,embedded:100000]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { setDatabase } from '@/db/client';
import { seedLargeAccount } from '@/scripts/seed';
import { functions } from '@/inngest/functions';
import { startEmbeddedRunner } from '@/inngest/runner';
import { createPersonaSet } from '@/lib/services/persona-sets';
import { freshDatabase, peakRssMb, table } from './lib';
import { tenantOf } from '@/lib/services/tenant';

const TARGETS: Record<string, number> = { 'pg:1000000': 30, 'embedded:100000': 15 };

async function runCase(driver: 'pg' | 'embedded', members: number) {
  const { database, dispose } = await freshDatabase(driver, `facet_bench_build_${members}`);
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
    const steps = await database.query<{ name: string; duration_ms: number }>(
      `select s.name, s.duration_ms from job_steps s join job_runs r on r.id = s.run_id
       where r.function_id like '%build-persona-set' order by s.finished_at`,
    );
    console.log(
      JSON.stringify({
        driver,
        members,
        setupS,
        totalS,
        status: status.rows[0].status,
        error: status.rows[0].error,
        k: status.rows[0].k,
        steps: Object.fromEntries(steps.rows.map((s) => [s.name, (s.duration_ms ?? 0) / 1000])),
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
  for (const c of cases) {
    console.error(`[bench:build] ${c} …`);
    const r = spawnSync(path.join('node_modules', '.bin', 'tsx'), ['--conditions=react-server', 'bench/build.ts', '--child', c], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 64 << 20,
    });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    let res: { driver: string; members: number; totalS: number; status: string; k: number; steps: Record<string, number>; peakRssMb: number; setupS: number; error: string | null };
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
      status: res.status + (res.error ? `: ${res.error}` : ''),
    });
    stepRows.push({ database: res.driver, members: res.members, ...Object.fromEntries(Object.entries(res.steps).map(([k, v]) => [k, Number(v.toFixed(2))])) });
  }
  console.log('\nPersona set build, queued → ready (embedded runner, one process per case)\n');
  console.log(table(rows));
  console.log('\nSeconds per step\n');
  console.log(table(stepRows));
  console.log('\nPeak RSS ≤ 1.5 GB at 1M is the target. For comparison, the commercial product this brief comes from builds in minutes to hours and emails when done.');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
