import Link from 'next/link';
import { Plus } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { PageHeader } from '@/components/shell/app-shell';
import { Sparkline } from '@/components/charts/sparkline';
import { Card } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { requireTenant } from '@/lib/auth';
import { describeDefinition } from '@/lib/cohorts/definition';
import { formatInt, formatSigned } from '@/lib/format';
import { listCohorts } from '@/lib/services/cohorts';

export const metadata = { title: 'Cohorts' };

export default async function CohortsPage() {
  const { tenant } = await requireTenant();
  const cohorts = await listCohorts(tenant);
  return (
    <>
      <PageHeader
        title="Cohorts"
        description="Groups of your people, defined by what they bought and who they are, with their history."
        actions={
          <Button asChild className="gap-2">
            <Link href="/cohorts/new">
              <Plus className="size-4" aria-hidden /> New cohort
            </Link>
          </Button>
        }
      />
      {cohorts.length === 0 ? (
        <Card className="p-10 text-center text-sm text-muted-foreground">
          No cohorts yet. Upload your people and orders in Datasets, then define a cohort.
        </Card>
      ) : (
        <Card className="py-0">
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Name</TableHead>
                <TableHead>Definition</TableHead>
                <TableHead className="text-right">Members now</TableHead>
                <TableHead className="text-right">Last 30 days</TableHead>
                <TableHead>Last 6 months</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {cohorts.map((c) => (
                <TableRow key={c.id} data-testid="cohort-row">
                  <TableCell className="font-medium">
                    <Link href={`/cohorts/${c.id}`} className="hover:underline">
                      {c.name}
                    </Link>
                  </TableCell>
                  <TableCell className="max-w-sm truncate text-muted-foreground">{describeDefinition(c.definition)}</TableCell>
                  <TableCell className="text-right tabular-nums">{formatInt(c.members)}</TableCell>
                  <TableCell className="text-right tabular-nums">{formatSigned(c.change30d)}</TableCell>
                  <TableCell>
                    <Sparkline values={c.sparkline} label={`${c.name} members over the last 6 months`} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Card>
      )}
    </>
  );
}
