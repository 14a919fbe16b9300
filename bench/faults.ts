// npm run bench:faults — the crash matrix in full: on the embedded database and on a PostgreSQL server, first
// builds and rebuilds whose job worker (scripts/worker.ts, its own process) is SIGKILLed at every step of the
// build, at the step's start and a moment into it, then restarted; on the embedded database the database server
// is SIGKILLed too. Prints one row per kill (step, kill time, resume latency after the restart, outcome) and a
// summary per driver. Every case must end ready, as the uncrashed build of the same cohort and seed, with one
// ready email. Usage: [--members 20000] [--only embedded|pg] [--kill worker|database] [--cases n] [--pg url] (or BENCH_DATABASE_URL / DATABASE_URL)
import { setDatabase } from '@/db/client';
import { CrashHarness, KILL_POINTS, killableEmbeddedServer, type CaseResult, type CrashCase, type KillPoint } from '../tests/persona-sets/crash-harness';
import { freshDatabase, table } from './lib';

const argv = process.argv.slice(2);
const arg = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i < 0 ? undefined : argv[i + 1];
};
const MEMBERS = Number(arg('members') ?? 20_000);
const only = arg('only');
const LIMIT = Number(arg('cases') ?? Infinity);
const KILL = arg('kill');
if (arg('pg')) process.env.BENCH_DATABASE_URL = arg('pg');
const log = (s: string) => console.error(`[bench:faults] ${s}`);

/** Every kill point, first build and rebuild, at the step's start and 400 ms into it: 16 worker kills. */
function workerCases(): CrashCase[] {
  const points = Object.keys(KILL_POINTS) as KillPoint[];
  return points.flatMap((at, i) =>
    (['first', 'rebuild'] as const).map((build, j) => ({ build, at, delayMs: (i + j) % 2 ? 400 : 0, kill: 'worker' as const })),
  );
}

/** The slow steps again, with other delays, so that each driver gets 20+ worker kills. */
const EXTRA: CrashCase[] = [
  { build: 'first', at: 'snapshot-members', delayMs: 100, kill: 'worker' },
  { build: 'rebuild', at: 'fit-personas', delayMs: 1000, kill: 'worker' },
  { build: 'first', at: 'write-assignments', delayMs: 200, kill: 'worker' },
  { build: 'rebuild', at: 'load-traits', delayMs: 50, kill: 'worker' },
];

/** Kills of the embedded database server itself, mid-build. */
const DATABASE_CASES: CrashCase[] = [
  { build: 'first', at: 'snapshot-members', delayMs: 0, kill: 'database' },
  { build: 'first', at: 'fit-personas', delayMs: 300, kill: 'database' },
  { build: 'rebuild', at: 'write-assignments', delayMs: 0, kill: 'database' },
  { build: 'rebuild', at: 'compute-analysis', delayMs: 0, kill: 'database' },
];

/** An embedded server of our own, so that the bench can SIGKILL it and start it again on the same folder and port. */
async function embeddedTarget() {
  const own = await killableEmbeddedServer();
  return { name: 'embedded', ...own };
}

async function pgTarget() {
  const f = await freshDatabase('pg', 'facet_bench_faults');
  return { name: 'PostgreSQL', database: f.database, url: f.url!, databaseServer: undefined, dispose: f.dispose };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};

async function main() {
  const rows: Record<string, string | number>[] = [];
  const summary: Record<string, string | number>[] = [];
  const targets: [string, () => ReturnType<typeof embeddedTarget> | ReturnType<typeof pgTarget>][] = [
    ['embedded', embeddedTarget],
    ['pg', pgTarget],
  ];
  for (const [key, make] of targets) {
    if (only && only !== key) continue;
    const t = await make();
    setDatabase(t.database);
    const harness = new CrashHarness({ database: t.database, url: t.url, members: MEMBERS, database_server: t.databaseServer, log });
    const results: (CaseResult & { kill: string })[] = [];
    try {
      log(`${t.name}: seeding ${MEMBERS.toLocaleString('en-US')} members and building the uncrashed reference`);
      await harness.open();
      const cases = [...workerCases(), ...EXTRA, ...(t.databaseServer ? DATABASE_CASES : [])].filter((c) => !KILL || c.kill === KILL).slice(0, LIMIT);
      for (const c of cases) {
        const r = await harness.run(c).catch((err: Error): CaseResult => {
          log(`${c.kill} kill, ${c.build} build, ${c.at}: ${err.message}`);
          return { label: `${c.kill} kill, ${c.build} build, ${c.at}`, saveMs: NaN, killedIn: '?', killAtMs: NaN, resumeMs: null, bootMs: null, totalMs: NaN, problems: [err.message] };
        });
        results.push({ ...r, kill: c.kill });
        rows.push({
          driver: t.name,
          kill: c.kill,
          build: c.build,
          'save ms': Math.round(r.saveMs),
          'step (aimed)': c.at + (c.delayMs ? ` +${c.delayMs} ms` : ''),
          'killed in': r.killedIn,
          'kill at ms': Math.round(r.killAtMs),
          'resume ms': r.resumeMs ?? '-',
          'of it boot ms': r.bootMs ?? '-',
          'ready after ms': Math.round(r.totalMs),
          outcome: r.problems.length ? r.problems.join('; ').slice(0, 120) : 'ok',
        });
      }
    } finally {
      await harness.close().catch(() => {});
      setDatabase(undefined);
      await t.dispose().catch(() => {});
    }
    for (const kill of ['worker', 'database']) {
      const rs = results.filter((r) => r.kill === kill);
      if (!rs.length) continue;
      const resumed = rs.filter((r) => r.resumeMs !== null);
      const afterBoot = resumed.map((r) => r.resumeMs! - (r.bootMs ?? 0));
      summary.push({
        driver: t.name,
        kill,
        kills: rs.length,
        ok: rs.filter((r) => !r.problems.length).length,
        'resume ms p50': median(resumed.map((r) => r.resumeMs!)),
        'resume ms max': Math.max(...resumed.map((r) => r.resumeMs!)),
        'after boot ms p50': median(afterBoot),
        'after boot ms max': Math.max(...afterBoot),
        'save ms max': Math.max(...rs.map((r) => r.saveMs).filter(Number.isFinite)),
      });
    }
  }
  console.log(`\nCrash matrix, ${MEMBERS.toLocaleString('en-US')} members (resume: from the restart to the build moving again)\n`);
  console.log(table(rows));
  console.log('\n' + table(summary));
  if (rows.some((r) => r.outcome !== 'ok')) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
