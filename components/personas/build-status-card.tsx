'use client';

import * as React from 'react';
import { Card } from '@/components/ui/card';
import type { PersonaSetActions } from './persona-set-actions';
import { SetStatus, type StatusInfo } from './set-status';
import { useBuildProgress } from './use-build-progress';

/** The loading bar of a set being built, kept live until the build is done (then the page refreshes). */
export function BuildStatusCard({
  set: rendered,
  hasPrevious,
  rebuildPersonaSetAction,
}: { set: StatusInfo; hasPrevious: boolean } & Pick<PersonaSetActions, 'rebuildPersonaSetAction'>) {
  const one = React.useMemo(() => [rendered], [rendered]);
  const [set] = useBuildProgress(one);
  const building = set.status === 'queued' || set.status === 'building';
  return (
    <Card className="gap-3 p-5" data-testid="build-status">
      <h2 className="font-medium">
        {set.status === 'errored' ? 'The last build failed' : set.status === 'queued' ? 'Waiting for the build to start' : 'Building the personas'}
      </h2>
      <SetStatus set={set} wide rebuildPersonaSetAction={rebuildPersonaSetAction} />
      <p className="text-sm text-muted-foreground">
        {building
          ? `This page updates by itself; you will also get an email when the personas are ready.${hasPrevious ? ' Below: the personas of the last build.' : ''}`
          : hasPrevious
            ? 'Below: the personas of the last successful build.'
            : 'Retry the build, or change the traits with a rebuild.'}
      </p>
    </Card>
  );
}
