import type { ServerAction } from '@/components/action-types';

/** The server actions of a set's Scoring tab (scoring, schedule, watching, drift alerts), passed in by the page. */
export interface TrackingActions {
  setScheduleAction: ServerAction<{ id: string; schedule: 'off' | 'daily' | 'weekly' }, { id: string; schedule: string }>;
  scoreNowAction: ServerAction<{ id: string }, { runId: string }>;
  setWatchingAction: ServerAction<{ id: string; watching: boolean }, { watching: boolean }>;
  resolveDriftAlertAction: ServerAction<{ alertId: string; resolution: 'dismissed' | 'rebuild' }, { id: string; status: string }>;
}
