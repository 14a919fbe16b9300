'use client';

import * as React from 'react';
import { useRouter } from 'next/navigation';
import { Eye, EyeOff, Play } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { Label } from '@/components/ui/label';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select';
import { toast } from '@/components/ui/toast';
import type { TrackingActions } from './tracking-actions';

const SCHEDULES = [
  { value: 'off', label: 'Off' },
  { value: 'daily', label: 'Daily' },
  { value: 'weekly', label: 'Weekly' },
] as const;

/** Schedule picker, "Score now" and "Watch" for one set; every change saves at once and refreshes the page. */
export function ScoringControls({
  set,
  disabled,
  setScheduleAction,
  scoreNowAction,
  setWatchingAction,
}: {
  set: { id: string; name: string; schedule: 'off' | 'daily' | 'weekly'; watching: boolean; scoring: boolean };
  disabled?: boolean;
} & Pick<TrackingActions, 'setScheduleAction' | 'scoreNowAction' | 'setWatchingAction'>) {
  const router = useRouter();
  const [pending, start] = React.useTransition();
  // one toast per outcome; the page re-reads the set after a change that saved
  const report = (res: { ok: boolean; error?: string }, done: string) => {
    toast(res.ok ? { title: done, variant: 'success' } : { title: 'That did not work', description: res.error, variant: 'destructive' });
    if (res.ok) router.refresh();
  };
  const run = (fn: () => Promise<{ ok: boolean; error?: string }>, done: string) => start(async () => report(await fn(), done));
  return (
    <div className="flex flex-wrap items-end gap-3">
      <div className="grid gap-1.5">
        <Label htmlFor={`schedule-${set.id}`}>Scheduled scoring</Label>
        <Select
          value={set.schedule}
          disabled={disabled || pending}
          onValueChange={(v) =>
            run(() => setScheduleAction({ id: set.id, schedule: v as 'off' | 'daily' | 'weekly' }), v === 'off' ? 'Scheduled scoring off' : `Scores ${v}`)
          }
        >
          <SelectTrigger id={`schedule-${set.id}`} className="w-36" aria-label="Scheduled scoring">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            {SCHEDULES.map((s) => (
              <SelectItem key={s.value} value={s.value}>
                {s.label}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
      </div>
      <Button onClick={() => run(() => scoreNowAction({ id: set.id }), `Scoring ${set.name}`)} disabled={disabled || pending || set.scoring}>
        <Play aria-hidden /> {set.scoring ? 'Scoring…' : 'Score now'}
      </Button>
      <Button
        variant="outline"
        onClick={() => run(() => setWatchingAction({ id: set.id, watching: !set.watching }), set.watching ? 'No more drift emails' : 'You will get drift emails')}
        disabled={pending}
        aria-pressed={set.watching}
      >
        {set.watching ? <EyeOff aria-hidden /> : <Eye aria-hidden />} {set.watching ? 'Stop watching' : 'Watch for drift'}
      </Button>
    </div>
  );
}
