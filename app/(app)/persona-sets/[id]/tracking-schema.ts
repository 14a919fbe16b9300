import { z } from 'zod';

const id = z.string().uuid('Unknown id');

export const setScheduleSchema = z.object({ id, schedule: z.enum(['off', 'daily', 'weekly'], 'Choose off, daily or weekly') });
export const scoreNowSchema = z.object({ id });
export const setWatchingSchema = z.object({ id, watching: z.boolean() });
export const resolveDriftAlertSchema = z.object({ alertId: id, resolution: z.enum(['dismissed', 'rebuild']) });
