'use client';

import * as React from 'react';
import { useRouter } from 'next/navigation';
import type { StatusInfo } from './set-status';

/** How often a page asks where its builds are: the bar moves at least every 2 s. */
export const BUILD_POLL_MS = 1000;

type Live = Pick<StatusInfo, 'id' | 'status' | 'progress' | 'currentStep' | 'stepDetail' | 'error'>;
const running = (s: Pick<StatusInfo, 'status'>) => s.status === 'queued' || s.status === 'building';

/**
 * The given sets with their build status kept live: while any is queued or building, polls the small progress
 * route every BUILD_POLL_MS (only while the tab is visible); when a build ends, refreshes the page once so the
 * server renders the new personas.
 */
export function useBuildProgress<T extends StatusInfo>(sets: T[]): T[] {
  const router = useRouter();
  // polled statuses hold for the render they were polled under: a new render from the server (a refresh, a
  // rebuild just requested) is newer than them
  const rendered = sets.map((s) => `${s.id}:${s.status}:${s.progress}:${s.currentStep}`).join('|');
  const [polled, setPolled] = React.useState<{ under: string; sets: Record<string, Live> }>({ under: rendered, sets: {} });
  const live = polled.under === rendered ? polled.sets : null;
  const merged = React.useMemo(() => sets.map((s) => (live?.[s.id] ? { ...s, ...live[s.id] } : s)), [sets, live]);
  const watched = merged.filter(running).map((s) => s.id);
  const key = watched.join(',');
  React.useEffect(() => {
    if (!key) return;
    let stopped = false;
    let busy = false;
    const poll = async () => {
      if (busy || document.visibilityState !== 'visible') return;
      busy = true;
      try {
        const res = await fetch(`/api/persona-sets/progress?ids=${encodeURIComponent(key)}`, { cache: 'no-store' });
        if (!res.ok || stopped) return;
        const { sets: fresh } = (await res.json()) as { sets: Live[] };
        setPolled((prev) => ({
          under: rendered,
          sets: { ...(prev.under === rendered ? prev.sets : {}), ...Object.fromEntries(fresh.map((s) => [s.id, s])) },
        }));
        if (fresh.some((s) => !running(s))) router.refresh();
      } catch {
        // offline for a moment: the next tick asks again
      } finally {
        busy = false;
      }
    };
    const t = setInterval(poll, BUILD_POLL_MS);
    void poll();
    return () => {
      stopped = true;
      clearInterval(t);
    };
  }, [key, rendered, router]);
  return merged;
}
