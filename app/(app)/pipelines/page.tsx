import { desc, eq } from 'drizzle-orm';
import { PageHeader } from '@/components/shell/app-shell';
import { Card } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { getDatabase } from '@/db/client';
import { pipelines } from '@/db/schema';
import { requireViewer } from '@/lib/auth';
import { formatDate } from '@/lib/format';

export const metadata = { title: 'Pipelines' };

export default async function PipelinesPage() {
  const viewer = await requireViewer();
  const { db } = await getDatabase();
  const rows = await db.select().from(pipelines).where(eq(pipelines.accountId, viewer.accountId)).orderBy(desc(pipelines.createdAt));
  return (
    <>
      <PageHeader title="Pipelines" description="Deliver persona labels to your other systems." />
      {rows.length === 0 ? (
        <Card className="p-10 text-center text-sm text-muted-foreground">No pipelines yet.</Card>
      ) : (
        <Card className="py-0">
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Name</TableHead>
                <TableHead>Cohorts</TableHead>
                <TableHead>Persona sets</TableHead>
                <TableHead>Created</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {rows.map((p) => (
                <TableRow key={p.id}>
                  <TableCell className="font-medium">{p.name}</TableCell>
                  <TableCell>{p.cohortIds.length}</TableCell>
                  <TableCell>{p.personaSetIds.length}</TableCell>
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
