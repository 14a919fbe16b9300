// What a person sees of a build in progress: the step, how far it is (a fraction of the whole build) and what it
// has done so far, written into the set row. Steps report often; the row is written at most every PROGRESS_MS,
// one write at a time, from the pool (not from a step's transaction, so others see it at once).
import 'server-only';
import { parseBuildTimings } from '@/db/json';
import type { Tenant } from '../tenant';
import type { BuildRef } from './types';

/** Longest gap between two progress writes while a step works (the pages poll every 1.5 s). */
export const PROGRESS_MS = 700;

/** The build is no longer the set's current one: a newer request superseded it. Steps stop without a trace. */
export class BuildSupersededError extends Error {
  constructor(build: BuildRef) {
    super(`build ${build.buildVersion} of persona set ${build.personaSetId} was superseded by a newer request`);
  }
}

/**
 * Writes a build's step and progress (never backwards within a build: a retried step resumes the bar). Answers
 * false when a newer request superseded the build (the set shows that one, and nothing was written).
 */
export async function setProgress(
  { db, accountId }: Tenant,
  build: BuildRef,
  progress: number,
  step: string,
  detail: string | null = null,
): Promise<boolean> {
  const r = await db.query<{ newer: boolean }>(
    `with written as (
       update persona_sets set status = 'building', progress = greatest(progress, $1), current_step = $2, step_detail = $3, updated_at = now()
       where id = $4 and account_id = $5 and build_version = $6 and status in ('queued', 'building')
       returning id)
     select not exists (select 1 from written)
            and exists (select 1 from persona_sets where id = $4 and account_id = $5 and build_version > $6) as newer`,
    [progress, step, detail, build.personaSetId, accountId, build.buildVersion],
  );
  return !r.rows[0]?.newer;
}

export interface BuildTiming {
  name: string;
  kind: 'step' | 'phase';
  ms: number;
}

/**
 * Adds timings to the build's record on its set (a retried step's entries replace its earlier ones). A build that
 * is no longer the set's current one records nothing.
 */
export async function recordBuildTimings({ db, accountId }: Tenant, build: BuildRef, entries: BuildTiming[]): Promise<void> {
  if (!entries.length) return;
  const rounded = entries.map((e) => ({ ...e, ms: Math.round(e.ms) }));
  await db.query(
    `update persona_sets set build_timings = jsonb_build_object('buildVersion', $3::int, 'steps',
       coalesce((select jsonb_agg(e) from jsonb_array_elements(
         case when (build_timings ->> 'buildVersion')::int = $3 then build_timings -> 'steps' else '[]'::jsonb end) e
         where e ->> 'name' <> all($4::text[])), '[]'::jsonb) || $5::jsonb)
     where id = $1 and account_id = $2 and build_version = $3`,
    [build.personaSetId, accountId, build.buildVersion, rounded.map((e) => e.name), JSON.stringify(rounded)],
  );
}

/**
 * The set's build timings as a page lists them: each step followed by its phases (which finish before it does).
 * Empty when none are stored.
 */
export function listBuildTimings(set: { buildTimings: unknown }): BuildTiming[] {
  if (!set.buildTimings) return [];
  const { steps } = parseBuildTimings(set.buildTimings);
  const out: BuildTiming[] = [];
  let phases: BuildTiming[] = [];
  for (const t of steps) {
    if (t.kind === 'phase') phases.push(t);
    else {
      out.push(t, ...phases);
      phases = [];
    }
  }
  return [...out, ...phases];
}

export interface StepProgress {
  /** `done` of `total` units of this step; written at most every PROGRESS_MS */
  report(done: number, total: number, detail?: string): void;
  /**
   * Throws BuildSupersededError once a progress write found a newer build requested: a long step (the fit above
   * all) calls it where stopping is safe, so that the newer build starts within a heartbeat or two instead of
   * after the older build's step. Not from a stream's event handler: the throw must reach the step.
   */
  stopIfSuperseded(): void;
  /**
   * Stops the heartbeat, writes the latest report and waits for every write in flight. Call it before a write
   * that locks the set row (a progress write waiting on that lock would never finish).
   */
  flush(): Promise<void>;
  /**
   * Ends a phase of this step ("copy"): its time since the previous mark (or `ms`, measured elsewhere, e.g. by the
   * engine) is recorded with the build's timings.
   */
  mark(phase: string, ms?: number): void;
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');

/** "40,000 of 100,000 members written" */
export const ofMembers = (done: number, total: number, what: string) => `${count(done)} of ${count(total)} members ${what}`;

/**
 * Runs one step spanning [from, to] of the whole build with its progress: what `work` reports, and a heartbeat
 * every PROGRESS_MS that says how long the step has been at it (so the page moves during a long fit too).
 * Writes run in the background, one at a time; a failed one is logged, never thrown into the step.
 */
export async function withStepProgress<T>(
  tenant: Tenant,
  build: BuildRef,
  step: string,
  [from, to]: [number, number],
  work: (progress: StepProgress) => Promise<T>,
): Promise<T> {
  const started = Date.now();
  let latest = { fraction: 0, detail: null as string | null };
  let chain: Promise<void> = Promise.resolve();
  let last = 0;
  let dirty = true;
  let shown: string | null = null;
  let superseded = false;
  const write = () => {
    dirty = false;
    last = Date.now();
    const seconds = Math.floor((last - started) / 1000);
    const detail = seconds >= 1 ? [latest.detail, `${seconds} s`].filter(Boolean).join(' · ') : latest.detail;
    shown = detail;
    const fraction = from + (to - from) * latest.fraction;
    chain = chain
      .then(async () => {
        if (!(await setProgress(tenant, build, fraction, step, detail))) superseded = true;
      })
      .catch((err) => console.warn(`[facet] build progress not written: ${(err as Error).message}`));
  };
  const heartbeat = setInterval(write, PROGRESS_MS);
  const phases: BuildTiming[] = [];
  let marked = performance.now();
  const began = marked;
  const progress: StepProgress = {
    stopIfSuperseded() {
      if (superseded) throw new BuildSupersededError(build);
    },
    report(done, total, detail) {
      latest = { fraction: total > 0 ? Math.max(0, Math.min(1, done / total)) : 0, detail: detail ?? null };
      dirty = true;
      // a step's first words are written at once (a short step would otherwise show its name only)
      if (Date.now() - last >= PROGRESS_MS || (shown === null && latest.detail !== null)) write();
    },
    async flush() {
      clearInterval(heartbeat);
      if (dirty) write();
      await chain;
    },
    mark(phase, ms) {
      const now = performance.now();
      phases.push({ name: `${step} › ${phase}`, kind: 'phase', ms: ms ?? now - marked });
      if (ms === undefined) marked = now;
    },
  };
  // the step's name is on the page before its work starts (and before any transaction of it opens)
  write();
  await chain;
  let out: T;
  try {
    out = await work(progress);
  } finally {
    await progress.flush();
  }
  await recordBuildTimings(tenant, build, [{ name: step, kind: 'phase', ms: performance.now() - began }, ...phases]);
  return out;
}
