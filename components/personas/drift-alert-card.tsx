'use client';

import * as React from 'react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { AlertTriangle, RefreshCw, X } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { toast } from '@/components/ui/toast';
import type { TrackingActions } from './tracking-actions';

export interface DriftAlertInfo {
  id: string;
  personaSetId: string;
  setName: string;
  day: string;
  status: 'open' | 'dismissed' | 'rebuild-requested';
  reasons: string[];
}

const STATUS = { open: 'Open', dismissed: 'Dismissed', 'rebuild-requested': 'Rebuild requested' } as const;

/** One drift alert: what moved, and the analyst's answer (rebuild the set as suggested, or dismiss). */
export function DriftAlertCard({ alert, showSet, resolveDriftAlertAction }: { alert: DriftAlertInfo; showSet?: boolean } & Pick<TrackingActions, 'resolveDriftAlertAction'>) {
  const router = useRouter();
  const [pending, start] = React.useTransition();
  const resolve = (resolution: 'dismissed' | 'rebuild') =>
    start(async () => {
      const res = await resolveDriftAlertAction({ alertId: alert.id, resolution });
      toast(
        res.ok
          ? { title: resolution === 'rebuild' ? `Rebuilding ${alert.setName}` : 'Alert dismissed', variant: 'success' }
          : { title: 'That did not work', description: res.error, variant: 'destructive' },
      );
      if (res.ok) router.refresh();
    });
  const open = alert.status === 'open';
  return (
    <Card className={open ? 'gap-3 border-warning/60 bg-warning/5 p-4' : 'gap-3 p-4'} data-testid="drift-alert" role={open ? 'alert' : undefined}>
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="flex items-center gap-2 font-medium">
          <AlertTriangle aria-hidden className="size-4 text-warning" />
          {showSet ? (
            <Link className="underline" href={`/persona-sets/${alert.personaSetId}?tab=scoring`}>
              {alert.setName}
            </Link>
          ) : null}
          <span>Drift on {alert.day}</span>
          <span className="text-xs font-normal text-muted-foreground">· {STATUS[alert.status]}</span>
        </div>
        {open ? (
          <div className="flex gap-2">
            <Button size="sm" onClick={() => resolve('rebuild')} disabled={pending}>
              <RefreshCw aria-hidden /> Rebuild the set
            </Button>
            <Button size="sm" variant="outline" onClick={() => resolve('dismissed')} disabled={pending}>
              <X aria-hidden /> Dismiss
            </Button>
          </div>
        ) : null}
      </div>
      <ul className="list-disc space-y-0.5 pl-5 text-sm">
        {alert.reasons.map((r) => (
          <li key={r}>{r}</li>
        ))}
      </ul>
      {open ? <p className="text-xs text-muted-foreground">The personas were fitted on the cohort at the build; a rebuild fits them to who is in it now.</p> : null}
    </Card>
  );
}
