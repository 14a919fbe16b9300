import { notFound } from 'next/navigation';
import { CohortBuilder } from '@/components/cohorts/cohort-builder';
import { PageHeader } from '@/components/shell/app-shell';
import { getDatabase } from '@/db/client';
import { requireViewer } from '@/lib/auth';
import { cohortDefinitionSchema } from '@/lib/cohorts/definition';
import { getCohortOrThrow } from '@/lib/services/cohorts';
import { ServiceError } from '@/lib/services/errors';
import { previewCohortAction, updateCohortAction } from '../../actions';
import { loadBuilderData } from '../../builder-data';

export const metadata = { title: 'Edit cohort' };

export default async function EditCohortPage({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await requireViewer();
  const { id } = await params;
  const database = await getDatabase();
  const cohort = await getCohortOrThrow(database, viewer.accountId, id).catch((err) => {
    if (err instanceof ServiceError && err.code === 'not_found') notFound();
    throw err;
  });
  const data = await loadBuilderData(database, viewer.accountId);
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
