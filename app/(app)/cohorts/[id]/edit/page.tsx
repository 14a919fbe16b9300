import { notFound } from 'next/navigation';
import { CohortBuilder } from '@/components/cohorts/cohort-builder';
import { PageHeader } from '@/components/shell/app-shell';
import { requireTenant } from '@/lib/auth';
import { cohortDefinitionSchema } from '@/lib/cohorts/definition';
import { getCohortOrThrow } from '@/lib/services/cohorts';
import { ServiceError } from '@/lib/services/errors';
import { previewCohortAction, updateCohortAction } from '../../actions';
import { loadBuilderData } from '../../builder-data';

export const metadata = { title: 'Edit cohort' };

export default async function EditCohortPage({ params }: { params: Promise<{ id: string }> }) {
  const { tenant } = await requireTenant();
  const { id } = await params;
  const cohort = await getCohortOrThrow(tenant, id).catch((err) => {
    if (err instanceof ServiceError && err.code === 'not_found') notFound();
    throw err;
  });
  const data = await loadBuilderData(tenant);
  return (
    <>
      <PageHeader title={`Edit ${cohort.name}`} description="Saving recomputes the membership history." />
      <CohortBuilder
        {...data}
        cohortId={cohort.id}
        initial={{ name: cohort.name, description: cohort.description, definition: cohortDefinitionSchema.parse(cohort.definition) }}
        saveAction={updateCohortAction}
        previewAction={previewCohortAction}
      />
    </>
  );
}
