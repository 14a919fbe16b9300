import Link from 'next/link';
import { PageHeader } from '@/components/shell/app-shell';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { requireTenant } from '@/lib/auth';
import { formatDate } from '@/lib/format';
import { listPipelines } from '@/lib/services/pipelines';

export const metadata = { title: 'Pipelines' };

export default async function PipelinesPage() {
  const { tenant } = await requireTenant();
  const rows = await listPipelines(tenant);
  return (
    <>
      <PageHeader
        title="Pipelines"
        description="Deliver persona labels to your other systems."
        actions={
          <Button asChild>
            <Link href="/pipelines/new">New pipeline</Link>
          </Button>
        }
      />
      {rows.length === 0 ? (
        <Card className="p-10 text-center text-sm text-muted-foreground">
          No pipelines yet. <Link className="text-primary hover:underline" href="/pipelines/new">Create one</Link> to fetch persona labels over the API.
        </Card>
      ) : (
        <Card className="py-0">
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Name</TableHead>
                <TableHead>Cohorts</TableHead>
                <TableHead>Persona sets</TableHead>
                <TableHead>Traits</TableHead>
                <TableHead>Created</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {rows.map((p) => (
                <TableRow key={p.id}>
                  <TableCell className="font-medium">
                    <Link className="text-primary hover:underline" href={`/pipelines/${p.id}`}>
                      {p.name}
                    </Link>
                  </TableCell>
                  <TableCell>{p.cohortIds.length}</TableCell>
                  <TableCell>{p.personaSetIds.length}</TableCell>
                  <TableCell>{p.traitKeys.length}</TableCell>
                  <TableCell>{formatDate(p.createdAt)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Card>
      )}
    </>
  );
}
