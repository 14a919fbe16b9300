// The crash matrix, CI's share: on each driver, three builds whose job worker (scripts/worker.ts, its own
// process) is SIGKILLed at a step and restarted, and a build whose embedded database server is SIGKILLed. Each ends ready with one current assignment per member, as an
// uncrashed build of the same cohort and seed assigns them, and one ready email. `npm run bench:faults` runs
// every step, more delays and kills of the embedded database too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setDatabase, type Database } from '@/db/client';
import { testDatabases } from '../helpers/db';
import { CrashHarness, killableEmbeddedServer, type CrashCase } from './crash-harness';

const MEMBERS = 8000;
// a fit re-run from scratch, a publish rolled back mid-transaction, a resumed rebuild's analysis
const CASES: CrashCase[] = [
  { build: 'first', at: 'fit-personas', delayMs: 150, kill: 'worker' },
  { build: 'rebuild', at: 'write-assignments', delayMs: 0, kill: 'worker' },
  { build: 'rebuild', at: 'compute-analysis', delayMs: 0, kill: 'worker' },
];

describe.each(testDatabases())('crash matrix on $name', (target) => {
  let database: Database;
  let harness: CrashHarness;

  beforeAll(async () => {
    database = await target.open();
    setDatabase(database);
    harness = new CrashHarness({ database, url: target.url!(database), members: MEMBERS });
    await harness.open();
  }, 300_000);
  afterAll(async () => {
    await harness?.close();
    setDatabase(undefined);
    if (database) await target.dispose(database);
  });

  it.each(CASES)('$build build, worker killed at $at: ready, as uncrashed, one email', async (c) => {
    const r = await harness.run(c);
    expect(r.problems).toEqual([]);
    // the restarted worker took the build over at once (its own boot aside), not after a lease ran out
    if (r.resumeMs !== null) expect(r.resumeMs - (r.bootMs ?? 0)).toBeLessThan(5000);
  }, 300_000);
});

describe('crash matrix, database server killed (embedded)', () => {
  let own: Awaited<ReturnType<typeof killableEmbeddedServer>>;
  let harness: CrashHarness;

  beforeAll(async () => {
    own = await killableEmbeddedServer();
    setDatabase(own.database);
    harness = new CrashHarness({ database: own.database, url: own.url, members: MEMBERS, database_server: own.databaseServer });
    await harness.open();
  }, 300_000);
  afterAll(async () => {
    await harness?.close();
    setDatabase(undefined);
    await own?.dispose();
  });

  // the worker's attempt fails with the database gone, and so does its hand-back: the run must not stay held
  it('first build, database killed while the snapshot is taken: ready, as uncrashed, one email', async () => {
    const r = await harness.run({ build: 'first', at: 'snapshot-members', delayMs: 0, kill: 'database' });
    expect(r.problems).toEqual([]);
    expect(r.resumeMs).not.toBeNull();
    expect(r.resumeMs!).toBeLessThan(10_000);
  }, 300_000);
});
