import { PageHeader } from '@/components/shell/app-shell';
import { requireTenant } from '@/lib/auth';
import { listCohorts } from '@/lib/services/cohorts';
import { listPersonaSets } from '@/lib/services/persona-sets';
import { listAccountTraits } from '@/lib/services/traits';
import { PipelineForm } from './pipeline-form';

export const metadata = { title: 'New pipeline' };

export default async function NewPipelinePage() {
  const { tenant } = await requireTenant();
  const [cohorts, sets, traits] = await Promise.all([
    listCohorts(tenant),
    listPersonaSets(tenant),
    listAccountTraits(tenant),
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
