import { desc, eq } from 'drizzle-orm';
import { PageHeader } from '@/components/shell/app-shell';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { getDatabase } from '@/db/client';
import { datasets } from '@/db/schema';
import { requireViewer } from '@/lib/auth';
import { formatDateTime, formatInt } from '@/lib/format';

export const metadata = { title: 'Datasets' };

export default async function DatasetsPage() {
  const viewer = await requireViewer();
  const { db } = await getDatabase();
  const rows = await db.select().from(datasets).where(eq(datasets.accountId, viewer.accountId)).orderBy(desc(datasets.createdAt));
  const people = await (await getDatabase()).query<{ n: string; matched: string }>(
    `select count(*)::text as n, count(graph_id)::text as matched from people where account_id = $1`,
    [viewer.accountId],
  );
  const total = Number(people.rows[0].n);
  const matched = Number(people.rows[0].matched);
  return (
    <>
      <PageHeader
        title="Datasets"
        description={`${formatInt(total)} people in this account, ${total ? Math.round((matched / total) * 100) : 0}% matched to the identity graph.`}
      />
      {rows.length === 0 ? (
        <Card className="p-10 text-center text-sm text-muted-foreground">No files uploaded yet.</Card>
      ) : (
        <Card className="py-0">
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Name</TableHead>
                <TableHead>Kind</TableHead>
                <TableHead>Status</TableHead>
                <TableHead className="text-right">Rows</TableHead>
                <TableHead className="text-right">Errors</TableHead>
                <TableHead>Uploaded</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {rows.map((d) => (
                <TableRow key={d.id}>
                  <TableCell className="font-medium">{d.name}</TableCell>
                  <TableCell>{d.kind}</TableCell>
                  <TableCell>
                    <Badge variant={d.status === 'errored' ? 'destructive' : d.status === 'ready' ? 'success' : 'secondary'}>{d.status}</Badge>
                  </TableCell>
                  <TableCell className="text-right tabular-nums">{formatInt(d.okCount)}</TableCell>
                  <TableCell className="text-right tabular-nums">{formatInt(d.errorCount)}</TableCell>
                  <TableCell>{formatDateTime(d.createdAt)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Card>
      )}
    </>
  );
}
