// The Scoring tab: schedule, "Score now" with its progress, the latest runs, drift alerts and their thresholds.
import { DriftAlertCard } from '@/components/personas/drift-alert-card';
import { ScoringControls } from '@/components/personas/scoring-controls';
import { ScoringRunsTable } from '@/components/personas/scoring-runs-table';
import { Card } from '@/components/ui/card';
import {
  DRIFT_THRESHOLDS,
  isWatching,
  listDriftAlerts,
  listScoringRuns,
} from '@/lib/services/persona-sets';
import type { Tenant } from '@/lib/services/tenant';
import { resolveDriftAlertAction, scoreNowAction, setScheduleAction, setWatchingAction } from './tracking-actions';

export async function ScoringTab({ tenant, set }: { tenant: Tenant; set: { id: string; name: string; schedule: 'off' | 'daily' | 'weekly'; ready: boolean } }) {
  const [runs, alerts, watching] = await Promise.all([
    listScoringRuns(tenant, set.id, 15),
    listDriftAlerts(tenant, { personaSetId: set.id, limit: 10 }),
    isWatching(tenant, set.id),
  ]);
  const scoring = runs.some((r) => r.status === 'queued' || r.status === 'running');
  const t = DRIFT_THRESHOLDS;
  return (
    <div className="space-y-5">
      <Card className="gap-4 p-5">
        <ScoringControls
          set={{ ...set, watching, scoring }}
          disabled={!set.ready}
          setScheduleAction={setScheduleAction}
          scoreNowAction={scoreNowAction}
          setWatchingAction={setWatchingAction}
        />
        <p className="text-xs text-muted-foreground">
          Scoring assigns the cohort&apos;s members today to the personas of the last build: moved = changed persona, new = not assigned before, left =
          no longer in the cohort.
        </p>
        <ScoringRunsTable runs={runs} />
      </Card>
      <section className="space-y-3" aria-labelledby="drift-heading">
        <h2 id="drift-heading" className="font-medium">
          Drift alerts
        </h2>
        {alerts.length ? (
          alerts.map((a) => <DriftAlertCard key={a.id} alert={{ ...a, setName: a.setName }} resolveDriftAlertAction={resolveDriftAlertAction} />)
        ) : (
          <p className="text-sm text-muted-foreground">No drift since the build.</p>
        )}
        <p className="text-xs text-muted-foreground">
          After each scoring run the set is compared with its build. An alert (at most one a day, emailed to the creator and watchers) is raised when a
          persona&apos;s share moves {t.shareChangePoints} points, or {t.relativeShareChange * 100}% of its own share (and at least {t.minRelativePoints}{' '}
          point); when the mix&apos;s population stability index reaches {t.psi}; or when a persona&apos;s centre moves {t.centreShift} standard units on
          one trait. Sets under {t.minMembers} members are not checked.
        </p>
      </section>
    </div>
  );
}
