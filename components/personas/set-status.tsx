'use client';

import * as React from 'react';
import { RotateCcw } from 'lucide-react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Progress } from '@/components/ui/progress';
import { toast } from '@/components/ui/toast';
import type { PersonaSetActions } from './persona-set-actions';

export interface StatusInfo {
  id: string;
  name: string;
  status: 'queued' | 'building' | 'ready' | 'errored';
  progress: number;
  currentStep: string | null;
  /** what the step has done so far ("40,000 of 100,000 members written · 3 s") */
  stepDetail?: string | null;
  error: string | null;
}

/** Status of a set: a badge, a progress bar with the step while it builds, the reason and a Retry when it failed. */
export function SetStatus({
  set,
  wide = false,
  rebuildPersonaSetAction,
}: { set: StatusInfo; wide?: boolean } & Pick<PersonaSetActions, 'rebuildPersonaSetAction'>) {
  const [pending, start] = React.useTransition();
  const retry = () =>
    start(async () => {
      const res = await rebuildPersonaSetAction({ id: set.id });
      if (!res.ok) toast({ title: 'Could not retry', description: res.error, variant: 'destructive' });
    });
  if (set.status === 'ready') return <Badge variant="success">Ready</Badge>;
  if (set.status === 'queued')
    return (
      <div className={wide ? 'space-y-1.5' : 'w-40 space-y-1'} data-testid="build-progress" data-status="queued">
        <Badge variant="secondary">Queued</Badge>
        <Progress value={null} aria-label={`${set.name} is queued`} className="h-1.5" />
        <div className="truncate text-xs text-muted-foreground">Waiting for the job worker</div>
      </div>
    );
  if (set.status === 'building') {
    const pct = Math.round(Math.max(0, Math.min(1, set.progress)) * 100);
    const step = set.currentStep ?? 'Starting';
    return (
      <div className={wide ? 'space-y-1.5' : 'w-44 space-y-1'} data-testid="build-progress" data-status="building" aria-live="polite">
        <div className="flex items-center justify-between gap-2 text-xs">
          <Badge variant="warning">Building</Badge>
          <span className="tabular-nums text-muted-foreground">{pct}%</span>
        </div>
        <Progress
          value={pct}
          aria-label={`Building ${set.name}`}
          aria-valuetext={`${pct}%, ${step}`}
          className="h-1.5"
          // pulses while the worker is at it; the width follows the step's own counts
          indicatorClassName="animate-pulse duration-700"
        />
        <div className="truncate text-xs text-muted-foreground" data-testid="build-step">
          {step}
          {set.stepDetail ? <span className="tabular-nums"> · {set.stepDetail}</span> : null}
        </div>
      </div>
    );
  }
  return (
    <div className={wide ? 'space-y-2' : 'max-w-64 space-y-1'}>
      <Badge variant="destructive">Errored</Badge>
      {set.error ? <p className="text-xs text-destructive">{set.error}</p> : null}
      <Button size="sm" variant="outline" onClick={retry} disabled={pending} aria-label={`Retry building ${set.name}`}>
        <RotateCcw aria-hidden /> {pending ? 'Retrying…' : 'Retry'}
      </Button>
    </div>
  );
}
