'use server';

import { revalidatePath } from 'next/cache';
import { authedAction } from '@/lib/action';
import {
  requestScoring,
  resolveDriftAlert,
  setScoringSchedule,
  setWatching,
} from '@/lib/services/persona-sets';
import { resolveDriftAlertSchema, scoreNowSchema, setScheduleSchema, setWatchingSchema } from './tracking-schema';

const revalidateSet = (id: string) => {
  revalidatePath('/persona-sets');
  revalidatePath(`/persona-sets/${id}`);
};

export const setScheduleAction = authedAction(setScheduleSchema, async (_viewer, { id, schedule }, tenant) => {
  const set = await setScoringSchedule(tenant, id, schedule);
  revalidateSet(id);
  return { id: set.id, schedule: set.schedule };
});

export const scoreNowAction = authedAction(scoreNowSchema, async (_viewer, { id }, tenant) => {
  const run = await requestScoring(tenant, id, 'adhoc');
  revalidateSet(id);
  return { runId: run.id };
});

export const setWatchingAction = authedAction(setWatchingSchema, async (_viewer, { id, watching }, tenant) => {
  const res = await setWatching(tenant, id, watching);
  revalidateSet(id);
  return res;
});

export const resolveDriftAlertAction = authedAction(resolveDriftAlertSchema, async (_viewer, { alertId, resolution }, tenant) => {
  const alert = await resolveDriftAlert(tenant, alertId, resolution);
  revalidateSet(alert.personaSetId);
  revalidatePath('/persona-sets/alerts');
  return { id: alert.id, status: alert.status };
});
