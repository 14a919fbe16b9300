import { getDatabase } from '@/db/client';
import { env } from '@/lib/env';
import {
  chooseTraits,
  computeAnalysis,
  explainBuildError,
  fitPersonas,
  markErrored,
  markReady,
  publishAssignments,
  setProgress,
  snapshotMembers,
  startBuild,
  type BuildContext,
} from '@/lib/services/persona-set-build';
import {
  dueScheduledSets,
  failScoringRun,
  finishScoringRunIfComplete,
  scoreChunk,
  startScoringRun,
} from '@/lib/services/scoring';
import { deliverEmail, personaSetEmail } from '@/lib/services/email';
import { requestScoring } from '@/lib/services/persona-sets';
import {
  inngest,
  personaSetBuilt,
  personaSetFailed,
  personaSetRequested,
  personaSetScoringChunkRequested,
  personaSetScoringRequested,
} from '../client';

/** Queued → building (with progress) → ready, or errored with a reason after the last retry. */
export const buildPersonaSet = inngest.createFunction(
  {
    id: 'build-persona-set',
    name: 'Build persona set',
    retries: 3,
    concurrency: [{ key: 'event.data.accountId', limit: 2 }],
    triggers: [personaSetRequested],
  },
  async ({ event, step }) => {
    const ctx: BuildContext = {
      accountId: event.data.accountId,
      personaSetId: event.data.personaSetId,
      buildVersion: event.data.buildVersion,
    };
    try {
      const start = await step.run('start-build', async () => startBuild(await getDatabase(), ctx));
      if (!start.current) return { skipped: 'a newer build of this set was requested' };
      const snapshot = await step.run('snapshot-members', async () => snapshotMembers(await getDatabase(), ctx));
      const selection = await step.run('select-traits', async () => chooseTraits(await getDatabase(), ctx, snapshot.members));
      const fit = await step.run('fit-personas', async () => {
        const database = await getDatabase();
        return fitPersonas(database, ctx, selection.traits, (f, stage) => setProgress(database, ctx, f, stage));
      });
      const published = await step.run('write-assignments', async () =>
        publishAssignments(await getDatabase(), ctx, { chosenBy: selection.chosenBy, report: selection.report }),
      );
      await step.run('compute-analysis', async () => computeAnalysis(await getDatabase(), ctx));
      const ready = await step.run('mark-ready', async () => markReady(await getDatabase(), ctx));
      await step.sendEvent('announce-built', personaSetBuilt.create({ ...ctx }));
      return { members: snapshot.members, k: fit.k, silhouette: fit.silhouette, changed: published.changed, personas: ready.personas.length };
    } catch (err) {
      const reason = explainBuildError(err);
      await step.run('mark-errored', async () => markErrored(await getDatabase(), ctx, reason));
      await step.sendEvent('announce-failed', personaSetFailed.create({ ...ctx, reason }));
      return { failed: reason };
    }
  },
);

/** One email to the set's creator per finished build (built or failed), never two. */
export const notifyPersonaSet = inngest.createFunction(
  { id: 'notify-persona-set', name: 'Email about a persona set', retries: 4, triggers: [personaSetBuilt, personaSetFailed] },
  async ({ event, step }) => {
    const outcome = event.name === 'persona-set/built' ? 'built' : 'failed';
    const reason = 'reason' in event.data ? (event.data.reason as string) : undefined;
    return step.run('send-email', async () => {
      const database = await getDatabase();
      const r = await database.query<{ name: string; email: string | null }>(
        `select s.name, u.email from persona_sets s left join users u on u.id = s.created_by where s.id = $1 and s.account_id = $2`,
        [event.data.personaSetId, event.data.accountId],
      );
      const set = r.rows[0];
      if (!set?.email) return { skipped: 'the set has no creator to tell' };
      const personas =
        outcome === 'built'
          ? (
              await database.query<{ name: string; size: number }>(
                'select name, size from personas where persona_set_id = $1 and retired_at is null order by position',
                [event.data.personaSetId],
              )
            ).rows
          : undefined;
      const mail = personaSetEmail({
        setName: set.name,
        setUrl: `${env.APP_URL}/persona-sets/${event.data.personaSetId}`,
        outcome,
        personas,
        reason,
      });
      return deliverEmail(database, {
        accountId: event.data.accountId,
        idempotencyKey: `persona-set-${event.data.personaSetId}-v${event.data.buildVersion}-${outcome}`,
        to: set.email,
        ...mail,
      });
    });
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
      const plan = await step.run('start-run', async () => startScoringRun(await getDatabase(), accountId, personaSetId, scoringRunId));
      if (plan.chunks.length <= 1) {
        const scored = await step.run('score-members', async () =>
          plan.chunks.length ? scoreChunk(await getDatabase(), accountId, personaSetId, scoringRunId, plan.chunks[0]) : { scored: 0, changed: 0, added: 0 },
        );
        await step.run('finish-run', async () => finishScoringRunIfComplete(await getDatabase(), accountId, personaSetId, scoringRunId));
        return { ...scored, removed: plan.removed };
      }
      await step.sendEvent(
        'fan-out-chunks',
        plan.chunks.map(([fromPersonId, toPersonId]) =>
          personaSetScoringChunkRequested.create(
            { accountId, personaSetId, scoringRunId, fromPersonId, toPersonId },
            { id: `score-${scoringRunId}-${fromPersonId}` },
          ),
        ),
      );
      return { chunks: plan.chunks.length, members: plan.members };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      await step.run('fail-run', async () => failScoringRun(await getDatabase(), scoringRunId, reason));
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
    const { accountId, personaSetId, scoringRunId, fromPersonId, toPersonId } = event.data;
    const scored = await step.run('score-chunk', async () =>
      scoreChunk(await getDatabase(), accountId, personaSetId, scoringRunId, [fromPersonId, toPersonId]),
    );
    const done = await step.run('finish-run-if-complete', async () =>
      finishScoringRunIfComplete(await getDatabase(), accountId, personaSetId, scoringRunId),
    );
    return { ...scored, ...done };
  },
);

/** Hourly: queues scoring for every set whose daily or weekly schedule is due. */
export const scheduleScoring = inngest.createFunction(
  { id: 'schedule-scoring', name: 'Scheduled scoring', retries: 2, triggers: [{ cron: '5 * * * *' }] },
  async ({ step }) => {
    const due = await step.run('find-due-sets', async () => dueScheduledSets(await getDatabase()));
    for (const s of due)
      await step.run(`queue-${s.personaSetId}`, async () => {
        const run = await requestScoring(await getDatabase(), s.accountId, s.personaSetId, 'scheduled');
        return { scoringRunId: run.id };
      });
    return { queued: due.length };
  },
);

export const personaSetFunctions = [buildPersonaSet, notifyPersonaSet, scorePersonaSet, scorePersonaSetChunk, scheduleScoring];
