import Link from 'next/link';
import { AlertTriangle, GitCompare, Plus, Users } from 'lucide-react';
import { PageHeader } from '@/components/shell/app-shell';
import { PersonaSetTable } from '@/components/personas/persona-set-table';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { requireTenant } from '@/lib/auth';
import {
  listDriftAlerts,
  listPersonaSets,
} from '@/lib/services/persona-sets';
import {
  archivePersonaSetAction,
  deletePersonaSetAction,
  rebuildPersonaSetAction,
  renamePersonaSetAction,
  setShowInExploreAction,
} from './actions';

export const metadata = { title: 'Persona sets' };

export default async function PersonaSetsPage({ searchParams }: { searchParams: Promise<{ archived?: string }> }) {
  const { tenant } = await requireTenant();
  const showArchived = (await searchParams).archived === '1';
  const sets = await listPersonaSets(tenant, { includeArchived: showArchived });
  const openAlerts = await listDriftAlerts(tenant, { openOnly: true, limit: 100 });
  const rows = sets.map((s) => ({ ...s, builtAt: s.builtAt ? s.builtAt.toISOString() : null, createdAt: undefined }));
  return (
    <>
      <PageHeader
        title="Persona sets"
        description="Named clusters of a cohort: who your people are, what they bring, where they live."
        actions={
          <>
            <Button asChild variant="outline">
              <Link href="/persona-sets/alerts">
                <AlertTriangle aria-hidden /> Drift alerts{openAlerts.length ? ` (${openAlerts.length} open)` : ''}
              </Link>
            </Button>
            <Button asChild variant="outline">
              <Link href="/persona-sets/compare">
                <GitCompare aria-hidden /> Compare sets
              </Link>
            </Button>
            <Button asChild>
              <Link href="/persona-sets/new">
                <Plus aria-hidden /> New persona set
              </Link>
            </Button>
          </>
        }
      />
      {rows.length === 0 && !showArchived ? (
        <Card className="items-center gap-3 p-12 text-center">
          <Users aria-hidden className="size-10 text-muted-foreground" />
          <h2 className="text-lg font-medium">No persona sets yet</h2>
          <p className="max-w-md text-sm text-muted-foreground">
            A persona set splits a cohort into a handful of named personas you can study, size in revenue, map and follow over time. Start with one of
            your cohorts.
          </p>
          <Button asChild>
            <Link href="/persona-sets/new">Create your first persona set</Link>
          </Button>
        </Card>
      ) : (
        <PersonaSetTable
          rows={rows}
          renamePersonaSetAction={renamePersonaSetAction}
          setShowInExploreAction={setShowInExploreAction}
          rebuildPersonaSetAction={rebuildPersonaSetAction}
          archivePersonaSetAction={archivePersonaSetAction}
          deletePersonaSetAction={deletePersonaSetAction}
        />
      )}
      <div className="mt-3 text-right text-sm">
        <Link href={showArchived ? '/persona-sets' : '/persona-sets?archived=1'} className="text-muted-foreground underline-offset-4 hover:underline">
          {showArchived ? 'Hide archived sets' : 'Show archived sets'}
        </Link>
      </div>
    </>
  );
}
