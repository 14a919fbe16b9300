import { NonRetriableError } from 'inngest';
import { getDatabase } from '@/db/client';
import { ServiceError } from '@/lib/services/errors';
import {
  BuildSupersededError,
  chooseTraits,
  computeAnalysis,
  dueScheduledSets,
  explainBuildError,
  explainScoringError,
  failScoringRun,
  finishScoringRunIfComplete,
  fitPersonas,
  getCurrentBuildSet,
  markErrored,
  markReady,
  publishAssignments,
  recordBuildTimings,
  withLeftOut,
  requestScoring,
  scoreChunk,
  snapshotMembers,
  startBuild,
  startScoringRun,
} from '@/lib/services/persona-sets';
import { tenantOf, type Tenant } from '@/lib/services/tenant';
import { emailBuildOutcome } from '@/lib/services/persona-sets';
import {
  inngest,
  personaSetBuilt,
  personaSetFailed,
  personaSetRequested,
  personaSetScoringChunkRequested,
  personaSetScored,
  personaSetScoringRequested,
} from '../client';

/** The account an event is about, as the services take it (jobs act for no person). */
const tenantFor = async (accountId: string): Promise<Tenant> => tenantOf(await getDatabase(), accountId);

/** A build step found the build superseded (memoized like any result, so a replay stops at the same place). */
class Superseded extends Error {}
type StepOutcome<T> = { value: T } | { superseded: true };

/**
 * Queued → building (with progress) → ready, or errored with a reason after the last retry. One build per set
 * at a time (a newer request waits for the older to stop: within its fit, or at its next step); at most two per account.
 */
export const buildPersonaSet = inngest.createFunction(
  {
    id: 'build-persona-set',
    name: 'Build persona set',
    retries: 3,
    concurrency: [
      { key: 'event.data.personaSetId', limit: 1 },
      { key: 'event.data.accountId', limit: 2 },
    ],
    triggers: [personaSetRequested],
  },
  async ({ event, step }) => {
    const { accountId, personaSetId, buildVersion } = event.data;
    const build = { personaSetId, buildVersion };
    /** A step of this build: stops the build once a newer one is requested; bad input is not retried. */
    const buildStep = async <T>(id: string, work: (tenant: Tenant) => Promise<T>): Promise<T> => {
      const outcome = (await step.run(id, async (): Promise<StepOutcome<T>> => {
        try {
          const tenant = await tenantFor(accountId);
          const began = performance.now();
          const value = await work(tenant);
          await recordBuildTimings(tenant, build, [{ name: id, kind: 'step', ms: performance.now() - began }]);
          return { value };
        } catch (err) {
          if (err instanceof BuildSupersededError) return { superseded: true };
          if (err instanceof ServiceError && err.code === 'invalid') throw new NonRetriableError(err.message, { cause: err });
          throw err;
        }
      })) as StepOutcome<T>;
      if ('superseded' in outcome) throw new Superseded();
      return outcome.value;
    };
    try {
      const start = await step.run('start-build', async () => startBuild(await tenantFor(accountId), build));
      if (!start.current) return { skipped: 'a newer build of this set was requested' };
      const snapshot = await buildStep('snapshot-members', (t) => snapshotMembers(t, build));
      const selection = await buildStep('select-traits', (t) => chooseTraits(t, build, snapshot.members));
      const fit = await buildStep('fit-personas', (t) => fitPersonas(t, build, selection.traits, selection.chosenBy));
      const published = await buildStep('write-assignments', (t) =>
        publishAssignments(t, build, { chosenBy: selection.chosenBy, report: withLeftOut(selection.report, fit.leftOut) }),
      );
      await buildStep('compute-analysis', async (t) => {
        await getCurrentBuildSet(t, build);
        return computeAnalysis(t, build);
      });
      const ready = await buildStep('mark-ready', (t) => markReady(t, build, snapshot.takenAt));
      // one id per build: a resend after a crash starts no second email
      await step.sendEvent(
        'announce-built',
        personaSetBuilt.create({ accountId, personaSetId, buildVersion }, { id: `persona-set-built-${personaSetId}-v${buildVersion}` }),
      );
      return { members: snapshot.members, k: fit.k, silhouette: fit.silhouette, changed: published.changed, personas: ready.personas.length };
    } catch (err) {
      if (err instanceof Superseded) return { skipped: 'a newer build of this set was requested' };
      // explained inside the step: the raw error is logged once, and a replay reads the same reason
      const errored = await step.run('mark-errored', async () => {
        const reason = explainBuildError(err);
        return { ...(await markErrored(await tenantFor(accountId), build, reason)), reason };
      });
      const { reason } = errored;
      if (!errored.marked) return { skipped: 'a newer build of this set was requested', failed: reason };
      await step.sendEvent(
        'announce-failed',
        personaSetFailed.create({ accountId, personaSetId, buildVersion, reason }, { id: `persona-set-failed-${personaSetId}-v${buildVersion}` }),
      );
      return { failed: reason };
    }
  },
);

/** One email per recipient (the creator; opted-in members for API-created sets) per finished build, never two. */
export const notifyPersonaSet = inngest.createFunction(
  { id: 'notify-persona-set', name: 'Email about a persona set', retries: 4, triggers: [personaSetBuilt, personaSetFailed] },
  async ({ event, step }) => {
    const outcome = event.name === 'persona-set/built' ? 'built' : 'failed';
    const reason = 'reason' in event.data ? (event.data.reason as string) : undefined;
    return step.run('send-email', async () =>
      emailBuildOutcome(await tenantFor(event.data.accountId), event.data.personaSetId, event.data.buildVersion, outcome, reason),
    );
  },
);

/** Ad hoc, API and scheduled scoring: small cohorts in one step, large ones fanned out one function run per chunk. */
export const scorePersonaSet = inngest.createFunction(
  {
    id: 'score-persona-set',
    name: 'Score persona set',
    retries: 3,
    concurrency: [{ key: 'event.data.accountId', limit: 2 }],
    triggers: [personaSetScoringRequested],
  },
  async ({ event, step }) => {
    const { accountId, personaSetId, scoringRunId } = event.data;
    try {
      const plan = await step.run('start-run', async () => startScoringRun(await tenantFor(accountId), personaSetId, scoringRunId));
      if (plan.chunks.length <= 1) {
        const scored = await step.run('score-members', async () =>
          plan.chunks.length
            ? scoreChunk(await tenantFor(accountId), personaSetId, scoringRunId, plan.chunks[0], { changedSince: plan.changedSince })
            : { scored: 0, changed: 0, added: 0 },
        );
        const finished = await step.run('finish-run', async () => finishScoringRunIfComplete(await tenantFor(accountId), personaSetId, scoringRunId));
        if (finished.finished)
          await step.sendEvent('announce-scored', personaSetScored.create({ accountId, personaSetId, scoringRunId }, { id: `scored-${scoringRunId}` }));
        return { ...scored, removed: plan.removed };
      }
      await step.sendEvent(
        'fan-out-chunks',
        plan.chunks.map(([fromPersonId, toPersonId]) =>
          personaSetScoringChunkRequested.create(
            { accountId, personaSetId, scoringRunId, fromPersonId, toPersonId, ...(plan.changedSince ? { changedSince: plan.changedSince } : {}) },
            { id: `score-${scoringRunId}-${fromPersonId}` },
          ),
        ),
      );
      return { chunks: plan.chunks.length, members: plan.members };
    } catch (err) {
      const { reason } = await step.run('fail-run', async () => {
        const reason = explainScoringError(err);
        await failScoringRun(await tenantFor(accountId), scoringRunId, reason);
        return { reason };
      });
      return { failed: reason };
    }
  },
);

export const scorePersonaSetChunk = inngest.createFunction(
  {
    id: 'score-persona-set-chunk',
    name: 'Score persona set chunk',
    retries: 3,
    concurrency: [{ key: 'event.data.accountId', limit: 2 }],
    triggers: [personaSetScoringChunkRequested],
  },
  async ({ event, step }) => {
    const { accountId, personaSetId, scoringRunId, fromPersonId, toPersonId, changedSince } = event.data;
    const scored = await step.run('score-chunk', async () =>
      scoreChunk(await tenantFor(accountId), personaSetId, scoringRunId, [fromPersonId, toPersonId], { changedSince }),
    );
    const done = await step.run('finish-run-if-complete', async () =>
      finishScoringRunIfComplete(await tenantFor(accountId), personaSetId, scoringRunId),
    );
    // the chunk that finished the run announces it (the event id makes a replay announce nothing twice)
    if (done.finished)
      await step.sendEvent('announce-scored', personaSetScored.create({ accountId, personaSetId, scoringRunId }, { id: `scored-${scoringRunId}` }));
    return { ...scored, ...done };
  },
);

/** Hourly: queues scoring for every set whose daily or weekly schedule is due. */
export const scheduleScoring = inngest.createFunction(
  { id: 'schedule-scoring', name: 'Scheduled scoring', retries: 2, triggers: [{ cron: '5 * * * *' }] },
  async ({ event, step }) => {
    // the tick's own time (not the clock when the step runs): a late or replayed tick decides the same way
    const at = new Date(typeof event.ts === 'number' ? event.ts : Date.now());
    const due = await step.run('find-due-sets', async () => dueScheduledSets({ db: await getDatabase() }, at));
    for (const s of due)
      await step.run(`queue-${s.personaSetId}`, async () => {
        const run = await requestScoring(await tenantFor(s.accountId), s.personaSetId, 'scheduled');
        return { scoringRunId: run.id };
      });
    return { queued: due.length };
  },
);

export const personaSetFunctions = [buildPersonaSet, notifyPersonaSet, scorePersonaSet, scorePersonaSetChunk, scheduleScoring];
