import { CohortBuilder } from '@/components/cohorts/cohort-builder';
import { PageHeader } from '@/components/shell/app-shell';
import { getDatabase } from '@/db/client';
import { requireViewer } from '@/lib/auth';
import { createCohortAction, previewCohortAction } from '../actions';
import { loadBuilderData } from '../builder-data';

export const metadata = { title: 'New cohort' };

export default async function NewCohortPage() {
  const viewer = await requireViewer();
  const data = await loadBuilderData(await getDatabase(), viewer.accountId);
  return (
    <>
      <PageHeader title="New cohort" description="Define a group of your people by what they bought and who they are." />
      <CohortBuilder {...data} saveAction={createCohortAction} previewAction={previewCohortAction} />
    </>
  );
}
