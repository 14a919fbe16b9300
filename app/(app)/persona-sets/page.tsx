import { and, desc, eq, isNull } from 'drizzle-orm';
import { PageHeader } from '@/components/shell/app-shell';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { getDatabase } from '@/db/client';
import { cohorts, personaSets } from '@/db/schema';
import { requireViewer } from '@/lib/auth';

export const metadata = { title: 'Persona sets' };

export default async function PersonaSetsPage() {
  const viewer = await requireViewer();
  const { db } = await getDatabase();
  const rows = await db
    .select({ id: personaSets.id, name: personaSets.name, k: personaSets.k, status: personaSets.status, cohort: cohorts.name })
    .from(personaSets)
    .innerJoin(cohorts, eq(cohorts.id, personaSets.cohortId))
    .where(and(eq(personaSets.accountId, viewer.accountId), isNull(personaSets.archivedAt)))
    .orderBy(desc(personaSets.createdAt));
  return (
    <>
      <PageHeader title="Persona sets" description="Named clusters of a cohort: who your people are, what they bring, where they live." />
      {rows.length === 0 ? (
        <Card className="p-10 text-center text-sm text-muted-foreground">No persona sets yet.</Card>
      ) : (
        <Card className="py-0">
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Name</TableHead>
                <TableHead>Personas in set</TableHead>
                <TableHead>Cohort</TableHead>
                <TableHead>Status</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {rows.map((r) => (
                <TableRow key={r.id}>
                  <TableCell className="font-medium">{r.name}</TableCell>
                  <TableCell>{r.k ?? '—'}</TableCell>
                  <TableCell>{r.cohort}</TableCell>
                  <TableCell>
                    <Badge variant="secondary">{r.status}</Badge>
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
