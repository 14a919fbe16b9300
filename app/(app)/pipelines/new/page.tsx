import { PageHeader } from '@/components/shell/app-shell';
import { getDatabase } from '@/db/client';
import { requireViewer } from '@/lib/auth';
import { listCohorts } from '@/lib/services/cohorts';
import { listPersonaSets } from '@/lib/services/persona-sets';
import { listAccountTraits } from '@/lib/services/traits';
import { PipelineForm } from './pipeline-form';

export const metadata = { title: 'New pipeline' };

export default async function NewPipelinePage() {
  const viewer = await requireViewer();
  const database = await getDatabase();
  const [cohorts, sets, traits] = await Promise.all([
    listCohorts(database, viewer.accountId),
    listPersonaSets(database, viewer.accountId),
    listAccountTraits(database, viewer.accountId),
  ]);
  return (
    <>
      <PageHeader title="New pipeline" description="A population (cohorts) and a payload (persona sets, and optionally traits)." />
      <PipelineForm
        cohorts={cohorts.map((c) => ({ id: c.id, name: c.name, members: c.members }))}
        sets={sets.map((s) => ({ id: s.id, name: s.name, status: s.status }))}
        traits={traits.map((t) => ({ key: t.key, label: t.label, category: t.category }))}
      />
    </>
  );
}
