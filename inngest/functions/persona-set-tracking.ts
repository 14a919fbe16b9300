import { getDatabase } from '@/db/client';
import { checkDriftAfterRun, emailDriftAlert } from '@/lib/services/persona-sets';
import { tenantOf } from '@/lib/services/tenant';
import { inngest, personaSetScored } from '../client';

/** After every finished scoring run: compare with the build; a new alert (one per set per day) is emailed. */
export const checkPersonaSetDrift = inngest.createFunction(
  {
    id: 'check-persona-set-drift',
    name: 'Check persona set drift',
    retries: 3,
    concurrency: [{ key: 'event.data.accountId', limit: 2 }],
    triggers: [personaSetScored],
  },
  async ({ event, step }) => {
    const { accountId, personaSetId, scoringRunId } = event.data;
    const checked = await step.run('check-drift', async () =>
      checkDriftAfterRun(tenantOf(await getDatabase(), accountId), personaSetId, scoringRunId),
    );
    if (!checked.alertId) return { alert: null, reasons: checked.reasons.length };
    const mailed = await step.run('email-watchers', async () => emailDriftAlert(tenantOf(await getDatabase(), accountId), checked.alertId!));
    return { alert: checked.alertId, ...mailed };
  },
);

export const personaSetTrackingFunctions = [checkPersonaSetDrift];
