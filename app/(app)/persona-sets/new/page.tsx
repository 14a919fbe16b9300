import Link from 'next/link';
import { PageHeader } from '@/components/shell/app-shell';
import { NewPersonaSetForm } from '@/components/personas/new-persona-set-form';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { requireTenant } from '@/lib/auth';
import { DEFAULT_CLUSTERING_TRAITS, listCohortOptions, listTraitOptions } from '@/lib/services/persona-sets';
import { createPersonaSetAction } from '../actions';

export const metadata = { title: 'New persona set' };

export default async function NewPersonaSetPage({ searchParams }: { searchParams: Promise<{ cohort?: string }> }) {
  const { tenant } = await requireTenant();
  const [cohorts, traits, sp] = await Promise.all([listCohortOptions(tenant), listTraitOptions(tenant), searchParams]);
  return (
    <>
      <PageHeader title="New persona set" description="Split a cohort into personas. Facet chooses the traits and the number of personas unless you do." />
      {cohorts.length === 0 ? (
        <Card className="items-center gap-3 p-10 text-center text-sm text-muted-foreground">
          <p>You need a cohort first: upload your people in Datasets and define a cohort.</p>
          <Button variant="outline" asChild>
            <Link href="/cohorts">Go to cohorts</Link>
          </Button>
        </Card>
      ) : (
        <NewPersonaSetForm
          cohorts={cohorts}
          traits={traits}
          defaults={DEFAULT_CLUSTERING_TRAITS}
          initialCohortId={cohorts.some((c) => c.id === sp.cohort) ? sp.cohort : undefined}
          createPersonaSetAction={createPersonaSetAction}
        />
      )}
    </>
  );
}
