// The crash matrix's moving parts, shared by crash-matrix.test.ts (a few kills per CI run) and bench/faults.ts
// (20+ per driver): this process plays the web server (it only persists the runs it sends), the real job worker
// (scripts/worker.ts) runs in child processes that get SIGKILLed at a step of a build (or the embedded database
// server does), and every case is checked against an uncrashed build of the same cohort and seed.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrateDatabase, openPg, type Database } from '@/db/client';
import { pidAlive, startEmbeddedServer, type EmbeddedServer } from '@/db/server';
import { functions } from '@/inngest/functions';
import { startEmbeddedRunner, type EmbeddedRunner } from '@/inngest/runner';
import { createPersonaSet, requestRebuild } from '@/lib/services/persona-sets';
import { tenantOf } from '@/lib/services/tenant';
import { seedLargeAccount } from '@/scripts/seed';

/** Where a case kills: the step label the set row shows (the build steps write it), or the set reading ready. */
export const KILL_POINTS = {
  'snapshot-members': 'Taking the cohort snapshot',
  'select-traits': 'Choosing traits',
  'load-traits': 'Loading traits',
  'fit-personas': 'Finding personas',
  'assign-members': 'Assigning members',
  'write-assignments': 'Writing assignments',
  'compute-analysis': 'Computing analysis',
  // mark-ready has committed; the announcement and the email may not be out yet
  'announce-built': 'ready',
} as const;
export type KillPoint = keyof typeof KILL_POINTS;

export interface CrashCase {
  build: 'first' | 'rebuild';
  at: KillPoint;
  /** wait this long after the step shows before killing */
  delayMs: number;
  kill: 'worker' | 'database';
}

export interface CaseResult {
  label: string;
  /** the step the set showed when the kill landed */
  killedIn: string;
  /** how long "Save" (or "Rebuild") took: the set saved and its build queued, while the worker is busy or not */
  saveMs: number;
  /** from "Save" (or "Rebuild") to the kill */
  killAtMs: number;
  /** from the restart (worker spawned, or database accepting again) to a worker claiming the build again; null: nothing was left to resume */
  resumeMs: number | null;
  /** of that, the restarted worker's own boot (null for a database kill) */
  bootMs: number | null;
  /** from "Save" to the set ready with its email out */
  totalMs: number;
  problems: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The job worker as `npm start` runs it, over `url`, in its own process. */
export class WorkerProcess {
  readonly child: ChildProcess;
  readonly spawnedAt = Date.now();
  /** when its runner started claiming (its stdout says so) */
  readonly started: Promise<number>;
  readonly exited: Promise<void>;
  private output = '';

  constructor(url: string) {
    const worker = path.join(process.cwd(), 'scripts', 'worker.ts');
    this.child = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', worker], {
      // no test capture of events (VITEST), no Inngest server, emails stored rather than sent, migrated already
      env: { ...process.env, VITEST: '', DATABASE_URL: url, FACET_MIGRATED: '1', RESEND_API_KEY: '', INNGEST_EVENT_KEY: '', INNGEST_SIGNING_KEY: '', FACET_SUPERVISOR_PID: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    this.started = new Promise((resolve, reject) => {
      const onData = (d: Buffer) => {
        this.output = (this.output + String(d)).slice(-4000);
        if (process.env.FACET_CRASH_VERBOSE) process.stderr.write(`${new Date().toISOString().slice(11, 23)} [worker ${this.child.pid}] ${String(d)}`);
        if (this.output.includes('job runner started')) resolve(Date.now());
      };
      this.child.stdout!.on('data', onData);
      this.child.stderr!.on('data', onData);
      this.child.once('exit', (code, signal) => reject(new Error(`the worker exited before starting (${signal ?? code}): ${this.output.slice(-600)}`)));
    });
    this.started.catch(() => {});
  }

  get pid(): number {
    return this.child.pid!;
  }

  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** As Ctrl-C of `npm start` would: runs in flight go back to the queue. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await Promise.race([this.exited, sleep(15_000).then(() => this.kill())]);
  }
}

/** Each member's persona (by position) and the personas' names and sizes: what must match the uncrashed build. */
export interface BuildResult {
  members: string;
  personas: string;
}

export interface HarnessOptions {
  database: Database;
  url: string;
  members: number;
  /** kills and restarts the database server (embedded only): database cases need them */
  database_server?: { kill(): Promise<void>; restart(): Promise<void> };
  log?: (line: string) => void;
}

export class CrashHarness {
  private web!: EmbeddedRunner;
  worker!: WorkerProcess;
  accountId = '';
  cohortId = '';
  userId = 'crash-analyst';
  reference!: Record<CrashCase['build'], BuildResult>;
  private n = 0;

  constructor(private readonly o: HarnessOptions) {}

  private get db() {
    return this.o.database;
  }
  private tenant() {
    return tenantOf(this.db, this.accountId, this.userId);
  }
  private log(line: string) {
    this.o.log?.(line);
  }

  /** Seeds the cohort, opens the web side, starts a worker and builds the reference set (uncrashed, first build and rebuild). */
  async open(): Promise<void> {
    ({ accountId: this.accountId, cohortId: this.cohortId } = await seedLargeAccount(this.db, this.o.members, 'crash'));
    await this.db.query(`insert into users (id, name, email) values ($1, 'Cass', 'cass@example.com')`, [this.userId]);
    // the web process's queue: it persists the runs its sends start, a worker claims them
    this.web = await startEmbeddedRunner({ database: this.db, functions, maxParallelRuns: 0, cron: false, pollMs: 60_000, log: () => {} });
    this.worker = new WorkerProcess(this.o.url);
    await this.worker.started;
    const set = await this.save();
    await this.settled(set.id, 1);
    const first = await this.result(set.id);
    await requestRebuild(this.tenant(), set.id);
    await this.settled(set.id, 2);
    this.reference = { first, rebuild: await this.result(set.id) };
  }

  async close(): Promise<void> {
    await this.worker?.stop();
    await this.web?.stop();
  }

  private async save() {
    return createPersonaSet(this.tenant(), { name: `Crash ${++this.n}`, cohortId: this.cohortId });
  }

  private async setRow(id: string) {
    const r = await this.db.query<{ status: string; current_step: string | null; build_version: number; error: string | null }>(
      'select status, current_step, build_version, error from persona_sets where id = $1',
      [id],
    );
    return r.rows[0];
  }

  /** Waits until `version` of the set is ready or errored and no run of the set is left (its email included). */
  async settled(id: string, version: number, timeoutMs = 180_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const set = await this.setRow(id);
      const left = await this.db.query<{ n: number }>(
        `select count(*)::int as n from job_runs where event->'data'->>'personaSetId' = $1 and status in ('queued', 'running', 'sleeping')`,
        [id],
      );
      if (set.build_version === version && (set.status === 'ready' || set.status === 'errored') && left.rows[0].n === 0) return;
      if (Date.now() > deadline) throw new Error(`set ${id} v${version} did not settle: ${set.status} at ${set.current_step}, ${left.rows[0].n} runs left`);
      await sleep(50);
    }
  }

  async result(id: string): Promise<BuildResult> {
    const members = await this.db.query<{ person_id: string; position: number }>(
      `select a.person_id::text, p.position from assignments a join personas p on p.id = a.persona_id
       where a.persona_set_id = $1 and a.valid_to is null order by a.person_id`,
      [id],
    );
    const personas = await this.db.query<{ position: number; name: string; size: number }>(
      'select position, name, size from personas where persona_set_id = $1 and retired_at is null order by position',
      [id],
    );
    return {
      members: members.rows.map((r) => `${r.person_id}:${r.position}`).join(','),
      personas: personas.rows.map((p) => `${p.position}:${p.name}:${p.size}`).join(','),
    };
  }

  /** One case: a build (a rebuild of a set built first, uncrashed), a kill at its step, a restart, and the checks. */
  async run(c: CrashCase): Promise<CaseResult> {
    const label = `${c.kill} kill, ${c.build} build, ${c.at}${c.delayMs ? ` +${c.delayMs} ms` : ''}`;
    let requestedAt = Date.now();
    let set = await this.save();
    let version = 1;
    if (c.build === 'rebuild') {
      await this.settled(set.id, 1);
      requestedAt = Date.now();
      set = await requestRebuild(this.tenant(), set.id);
      version = 2;
    }
    const saveMs = Date.now() - requestedAt;
    const target = KILL_POINTS[c.at];
    // watch the set row closely; a step faster than one look is killed in whatever step follows it
    for (;;) {
      const row = await this.setRow(set.id);
      const shows = row.status === 'ready' ? 'ready' : row.current_step;
      if (shows === target || row.status === 'ready' || row.status === 'errored') break;
      if (Date.now() - requestedAt > 120_000) throw new Error(`${label}: the build never reached ${target} (at ${shows})`);
      await sleep(5);
    }
    if (c.delayMs) await sleep(c.delayMs);
    const killAt = Date.now();
    const before = await this.setRow(set.id);
    const left = await this.db.query<{ n: number }>(
      `select count(*)::int as n from job_runs where event->'data'->>'personaSetId' = $1 and status in ('queued', 'running', 'sleeping')`,
      [set.id],
    );
    let restartAt: number;
    let bootMs: number | null = null;
    if (c.kill === 'worker') {
      await this.worker.kill();
      restartAt = Date.now();
      this.worker = new WorkerProcess(this.o.url);
      bootMs = (await this.worker.started) - restartAt;
    } else {
      if (!this.o.database_server) throw new Error('database kills need the embedded server');
      await this.o.database_server.kill();
      await this.o.database_server.restart();
      restartAt = Date.now();
    }
    const resumeMs = left.rows[0].n ? await this.resumedAfter(set.id, restartAt) : null;
    await this.settled(set.id, version);
    const result = await this.check(set.id, c.build);
    const killedIn = before.status === 'ready' ? 'ready' : (before.current_step ?? before.status);
    this.log(`${label}: killed in "${killedIn}", resumed ${resumeMs ?? '-'} ms after restart, ${result.length ? result.join('; ') : 'ok'}`);
    return { label, saveMs, killedIn, killAtMs: killAt - requestedAt, resumeMs, bootMs, totalMs: Date.now() - requestedAt, problems: result };
  }

  /** Milliseconds from `since` until the build moves again: a worker claims one of its runs, finishes a step or writes progress. */
  private async resumedAfter(id: string, since: number): Promise<number> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const r = await this.db
        .query<{ moved: boolean }>(
          `select exists (select 1 from job_runs where event->'data'->>'personaSetId' = $1 and claimed_at >= to_timestamp($2::float8 / 1000))
              or exists (select 1 from job_steps s join job_runs j on j.id = s.run_id
                         where j.event->'data'->>'personaSetId' = $1 and s.finished_at >= to_timestamp($2::float8 / 1000))
              or exists (select 1 from persona_sets where id = $1::uuid and updated_at >= to_timestamp($2::float8 / 1000)) as moved`,
          [id, since],
        )
        // the database may still be coming back after a kill of its own
        .catch((err: Error) => (this.log(`resume check: ${err.message}`), { rows: [{ moved: false }] }));
      if (r.rows[0].moved) return Date.now() - since;
      if (Date.now() > deadline) throw new Error(`the build did not move within 120 s of the restart: ${await this.runsOf(id)}`);
      await sleep(20);
    }
  }

  /** The set's runs as one line (what a stuck case reports). */
  private async runsOf(id: string): Promise<string> {
    const r = await this.db.query<{ f: string; status: string; attempt: number; locked_by: string | null; lease_s: number | null; error: string | null }>(
      `select function_id as f, status, attempt, locked_by, extract(epoch from locked_until - now())::float8 as lease_s, error
       from job_runs where event->'data'->>'personaSetId' = $1 order by created_at`,
      [id],
    );
    return r.rows
      .map((x) => `${x.f} ${x.status} attempt ${x.attempt}${x.locked_by ? ` held by ${x.locked_by} (lease ${Math.round(x.lease_s ?? 0)} s)` : ''}${x.error ? `: ${x.error.slice(0, 160)}` : ''}`)
      .join(' | ');
  }

  /** What every case must end with; the problems found (none = the case passed). */
  async check(id: string, build: CrashCase['build']): Promise<string[]> {
    const problems: string[] = [];
    const set = await this.setRow(id);
    if (set.status !== 'ready' || set.error) problems.push(`the set ended ${set.status}${set.error ? `: ${set.error}` : ''}`);
    const a = await this.db.query<{ cur: number; people: number }>(
      `select count(*)::int as cur, count(distinct person_id)::int as people from assignments where persona_set_id = $1 and valid_to is null`,
      [id],
    );
    if (a.rows[0].cur !== this.o.members || a.rows[0].people !== this.o.members)
      problems.push(`${a.rows[0].cur} current assignments for ${a.rows[0].people} people, not one each for ${this.o.members}`);
    const got = await this.result(id);
    const want = this.reference[build];
    if (got.personas !== want.personas) problems.push(`personas differ from the uncrashed build: ${got.personas} vs ${want.personas}`);
    else if (got.members !== want.members) problems.push('members are assigned otherwise than in the uncrashed build');
    const emails = await this.db.query<{ key: string }>(
      `select idempotency_key as key from email_outbox where idempotency_key like $1 order by 1`,
      [`persona-set-${id}-%`],
    );
    const expected = (build === 'first' ? [1] : [1, 2]).map((v) => `persona-set-${id}-v${v}-built`);
    if (emails.rows.map((r) => r.key).join() !== expected.join()) problems.push(`emails ${emails.rows.map((r) => r.key).join(', ') || 'none'}, expected ${expected.join(', ')}`);
    const snap = await this.db.query<{ n: number }>('select count(*)::int as n from build_snapshots where persona_set_id = $1', [id]);
    if (snap.rows[0].n) problems.push(`${snap.rows[0].n} snapshot rows left behind`);
    return problems;
  }
}

/**
 * An embedded database server of the caller's own (not the one other test files share), migrated, with what
 * SIGKILLs it and starts it again on the same folder and port: the database kills of the crash matrix.
 */
export async function killableEmbeddedServer() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facet-crash-db-'));
  let server: EmbeddedServer = await startEmbeddedServer({ dataDir: dir });
  const port = Number(new URL(server.url).port);
  const database = await openPg(server.url);
  await migrateDatabase(database);
  const databaseServer = {
    async kill() {
      process.kill(server.pid, 'SIGKILL');
      while (pidAlive(server.pid)) await sleep(20);
    },
    async restart() {
      // its backends notice the postmaster is gone and leave; until then the shared memory is still in use
      for (let i = 0; ; i++) {
        try {
          server = await startEmbeddedServer({ dataDir: dir, port, stopStale: true });
          return;
        } catch (err) {
          if (i > 100) throw err;
          await sleep(100);
        }
      }
    },
  };
  return {
    database,
    url: server.url,
    databaseServer,
    dispose: async () => {
      await database.close();
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
