'use client';

import { Card } from '@/components/ui/card';
import type { PersonaSetActions } from './persona-set-actions';
import { SetStatus, type StatusInfo } from './set-status';
import { useBuildPolling } from './use-build-polling';

/** The loading bar of a set being built; refreshes the page until the build is done. */
export function BuildStatusCard({
  set,
  hasPrevious,
  rebuildPersonaSetAction,
}: { set: StatusInfo; hasPrevious: boolean } & Pick<PersonaSetActions, 'rebuildPersonaSetAction'>) {
  const building = set.status === 'queued' || set.status === 'building';
  useBuildPolling(building);
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
