// npm run bench -- score (or: tsx --conditions=react-server bench/score.ts [members]) — a scoring run of a built set
// at 1M members on PostgreSQL: an ad hoc run of every member, then a 'changes' run after 1% of them were rewritten,
// each with its drift check, and the look for changes that precedes a 'changes' run. Prints time and rows/s per run.
import { setDatabase } from '@/db/client';
import { functions } from '@/inngest/functions';
import { startEmbeddedRunner } from '@/inngest/runner';
import { createPersonaSet, getScoringRunOrThrow, listSetsWithChanges, requestScoring } from '@/lib/services/persona-sets';
import { tenantOf } from '@/lib/services/tenant';
import { seedLargeAccount } from '@/scripts/seed';
import { freshDatabase, peakRssMb } from './lib';

async function main() {
  const members = Number(process.argv[2] ?? 1_000_000);
  const { database, dispose } = await freshDatabase('pg', `facet_bench_score_${members}`);
  setDatabase(database);
  try {
    const { accountId, cohortId } = await seedLargeAccount(database, members, 'bench');
    const tenant = tenantOf(database, accountId, null);
    const runner = await startEmbeddedRunner({ database, functions, pollMs: 50, cron: false, log: () => {} });
    const set = await createPersonaSet(tenant, { name: 'Bench', cohortId });
    await runner.drain(30 * 60_000);
    const timed = async (label: string, trigger: 'adhoc' | 'changes') => {
      const t0 = performance.now();
      const run = await requestScoring(tenant, set.id, trigger);
      await runner.drain(30 * 60_000);
      const s = (performance.now() - t0) / 1000;
      const done = await getScoringRunOrThrow(tenant, run.id);
      const drift = await database.query<{ duration_ms: number }>(
        `select s.duration_ms from job_steps s join job_runs r on r.id = s.run_id
         where r.function_id like '%check-persona-set-drift' and r.event->'data'->>'scoringRunId' = $1 and s.name = 'check-drift'`,
        [run.id],
      );
      console.log(
        JSON.stringify({
          label,
          members,
          status: done.status,
          scored: done.scored,
          moved: done.changed,
          chunks: done.chunksTotal,
          seconds: +s.toFixed(2),
          rowsPerSecond: Math.round(done.scored / s),
          driftCheckSeconds: drift.rows[0] ? drift.rows[0].duration_ms / 1000 : null,
          peakRssMb: peakRssMb(),
        }),
      );
    };
    // what an upload's debounced event asks first: does the set have anything to score (nothing, then 1%)
    const look = async (label: string) => {
      const t0 = performance.now();
      const sets = await listSetsWithChanges(tenant, cohortId);
      console.log(JSON.stringify({ label, members, due: sets.due.length, seconds: +((performance.now() - t0) / 1000).toFixed(2) }));
    };
    await timed('every member (ad hoc)', 'adhoc');
    await look('find changes: none');
    await database.query(
      `update people set graph_traits[1] = graph_traits[1] + 3, updated_at = now()
       where id in (select person_id from cohort_memberships where cohort_id = $1 and person_id % 100 = 0)`,
      [cohortId],
    );
    await look('find changes: 1% rewritten');
    await timed('1% rewritten (changes)', 'changes');
    await runner.stop();
  } finally {
    setDatabase(undefined);
    await dispose();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
