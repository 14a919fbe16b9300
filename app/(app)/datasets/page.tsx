import Link from 'next/link';
import { AutoRefresh } from '@/components/shell/auto-refresh';
import { DatasetStatus, matchRate } from '@/components/datasets/dataset-status';
import { UploadForm } from '@/components/datasets/upload-form';
import { PageHeader } from '@/components/shell/app-shell';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { requireTenant } from '@/lib/auth';
import { formatDateTime, formatInt, formatPct } from '@/lib/format';
import { getAccountStorage, listDatasets, peopleMatchOverview, UPLOAD_LIMIT_BYTES } from '@/lib/services/datasets';

export const metadata = { title: 'Datasets' };

export default async function DatasetsPage() {
  const { tenant } = await requireTenant();
  const [rows, overview, storage] = await Promise.all([listDatasets(tenant), peopleMatchOverview(tenant), getAccountStorage(tenant)]);
  const processing = rows.some((d) => d.status === 'processing');
  return (
    <>
      <PageHeader
        title="Datasets"
        description={`${formatInt(overview.people)} people in this account, ${overview.people ? formatPct(overview.matched / overview.people) : '0%'} matched to the identity graph.`}
      />
      <AutoRefresh active={processing} ms={2000} />
      <Card className="mb-6">
        <CardHeader>
          <CardTitle role="heading" aria-level={2}>Upload a CSV</CardTitle>
        </CardHeader>
        <CardContent>
          <UploadForm limitBytes={UPLOAD_LIMIT_BYTES} storage={{ usedBytes: storage.usedBytes, quotaBytes: storage.quotaBytes }} />
        </CardContent>
      </Card>
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
                <TableHead className="text-right">Matched</TableHead>
                <TableHead>Uploaded</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {rows.map((d) => {
                const rate = matchRate(d);
                return (
                  <TableRow key={d.id} data-testid="dataset-row">
                    <TableCell className="font-medium">
                      <Link href={`/datasets/${d.id}`} className="hover:underline">
                        {d.name}
                      </Link>
                    </TableCell>
                    <TableCell className="capitalize">{d.kind}</TableCell>
                    <TableCell>
                      <DatasetStatus dataset={d} />
                    </TableCell>
                    <TableCell className="text-right tabular-nums">{formatInt(d.okCount)}</TableCell>
                    <TableCell className="text-right tabular-nums">{formatInt(d.errorCount)}</TableCell>
                    <TableCell className="text-right tabular-nums">{rate === null ? '—' : formatPct(rate)}</TableCell>
                    <TableCell>{formatDateTime(d.createdAt)}</TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </Card>
      )}
    </>
  );
}
