'use client';

import Link from 'next/link';
import { Card } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { Badge } from '@/components/ui/badge';
import type { SetRowActions } from './persona-set-actions';
import { ExploreSwitch } from './explore-switch';
import { SetActions } from './set-actions';
import { SetStatus, type StatusInfo } from './set-status';
import { useBuildProgress } from './use-build-progress';

export interface SetRow extends StatusInfo {
  k: number | null;
  memberCount: number | null;
  cohortId: string;
  cohortName: string;
  showInExplore: boolean;
  archived: boolean;
  builtAt: string | null;
  schedule: 'off' | 'daily' | 'weekly';
}

/** The persona sets of the account; the status of sets being built stays live. */
export function PersonaSetTable({ rows: rendered, ...actions }: { rows: SetRow[] } & SetRowActions) {
  const rows = useBuildProgress(rendered);
  return (
    <Card className="py-0">
      <Table>
        <TableHeader>
          <TableRow>
            <TableHead>Name</TableHead>
            <TableHead className="text-right">Personas in set</TableHead>
            <TableHead>Cohort</TableHead>
            <TableHead>Scoring</TableHead>
            <TableHead>Status</TableHead>
            <TableHead>Show in Explore</TableHead>
            <TableHead className="w-12">
              <span className="sr-only">Actions</span>
            </TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((r) => (
            <TableRow key={r.id} data-testid="persona-set-row" className={r.archived ? 'opacity-70' : undefined}>
              <TableCell className="font-medium">
                <Link href={`/persona-sets/${r.id}`} className="hover:underline focus-visible:underline">
                  {r.name}
                </Link>
                {r.archived ? (
                  <Badge variant="outline" className="ml-2">
                    Archived
                  </Badge>
                ) : null}
                {r.memberCount ? <div className="text-xs font-normal text-muted-foreground">{r.memberCount.toLocaleString('en-US')} people</div> : null}
              </TableCell>
              <TableCell className="text-right tabular-nums">{r.k ?? '—'}</TableCell>
              <TableCell>{r.cohortName}</TableCell>
              <TableCell>{r.schedule === 'off' ? 'Ad hoc' : r.schedule === 'daily' ? 'Daily' : 'Weekly'}</TableCell>
              <TableCell className="whitespace-normal">
                <SetStatus set={r} rebuildPersonaSetAction={actions.rebuildPersonaSetAction} />
              </TableCell>
              <TableCell>
                <ExploreSwitch
                  id={r.id}
                  name={r.name}
                  checked={r.showInExplore}
                  disabled={r.archived || (!r.builtAt && r.status !== 'ready')}
                  setShowInExploreAction={actions.setShowInExploreAction}
                />
              </TableCell>
              <TableCell>
                <SetActions set={r} {...actions} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Card>
  );
}
