import { CohortBuilder } from '@/components/cohorts/cohort-builder';
import { PageHeader } from '@/components/shell/app-shell';
import { requireTenant } from '@/lib/auth';
import { createCohortAction, previewCohortAction } from '../actions';
import { loadBuilderData } from '../builder-data';

export const metadata = { title: 'New cohort' };

export default async function NewCohortPage() {
  const { tenant } = await requireTenant();
  const data = await loadBuilderData(tenant);
  return (
    <>
      <PageHeader title="New cohort" description="Define a group of your people by what they bought and who they are." />
      <CohortBuilder {...data} saveAction={createCohortAction} previewAction={previewCohortAction} />
    </>
  );
}
