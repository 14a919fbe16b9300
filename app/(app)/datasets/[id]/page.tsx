import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Download } from 'lucide-react';
import { AutoRefresh } from '@/components/shell/auto-refresh';
import { DatasetStatus, matchRate } from '@/components/datasets/dataset-status';
import { DeleteDatasetButton } from '@/components/datasets/delete-dataset-button';
import { MappingForm } from '@/components/datasets/mapping-form';
import { PageHeader } from '@/components/shell/app-shell';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { requireTenant } from '@/lib/auth';
import { formatDateTime, formatInt, formatPct } from '@/lib/format';
import { targetLabel } from '@/lib/ingest/mapping';
import { getDatasetOrThrow, listRowErrors, readDatasetPreview } from '@/lib/services/datasets';
import { ServiceError } from '@/lib/services/errors';
import { MISS_REASONS, type MissReason } from '@/lib/services/matching';
import { confirmMappingAction, deleteDatasetAction, proposeMappingAction } from '../actions';

export const metadata = { title: 'Dataset' };

function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export default async function DatasetPage({ params }: { params: Promise<{ id: string }> }) {
  const { tenant } = await requireTenant();
  const { id } = await params;
  let dataset;
  try {
    dataset = await getDatasetOrThrow(tenant, id);
  } catch (err) {
    if (err instanceof ServiceError && err.code === 'not_found') notFound();
    throw err;
  }
  const needsMapping = dataset.status === 'uploaded' || (dataset.status === 'errored' && dataset.rowCount === 0);
  const [preview, errors] = await Promise.all([
    needsMapping || dataset.status !== 'processing' ? readDatasetPreview(tenant, id, 5) : null,
    listRowErrors(tenant, id, 100),
  ]);
  const rate = matchRate(dataset);
  const missed = Object.entries(dataset.missReasons ?? {}).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  return (
    <>
      <PageHeader
        title={dataset.name}
        description={`${dataset.kind === 'people' ? 'People' : 'Orders'} · ${dataset.fileName ?? ''} · ${formatBytes(dataset.byteSize ?? 0)} · uploaded ${formatDateTime(dataset.createdAt)}`}
        actions={
          <>
            {dataset.status !== 'processing' ? <DeleteDatasetButton datasetId={dataset.id} name={dataset.name} action={deleteDatasetAction} /> : null}
            <Button asChild variant="outline">
              <Link href="/datasets">All datasets</Link>
            </Button>
          </>
        }
      />
      <AutoRefresh active={dataset.status === 'processing'} ms={2000} />
      <div className="mb-6 flex flex-wrap items-start gap-6">
        <DatasetStatus dataset={dataset} />
        {dataset.error ? (
          <p role="alert" className="text-sm text-destructive">
            {dataset.error}
          </p>
        ) : null}
      </div>

      {needsMapping && preview ? (
        <Card className="mb-6">
          <CardHeader>
            <CardTitle role="heading" aria-level={2}>Check the columns</CardTitle>
            <CardDescription>
              We guessed what each column holds from its header. Correct anything that is off; people columns that are not
              identity fields become custom traits of your account.
            </CardDescription>
          </CardHeader>
          <CardContent>
            <MappingForm
              datasetId={dataset.id}
              initialName={dataset.name}
              initialKind={dataset.kind}
              headers={preview.headers}
              sample={preview.sample}
              initialMapping={dataset.mapping ?? {}}
              confirmMappingAction={confirmMappingAction}
              proposeMappingAction={proposeMappingAction}
            />
          </CardContent>
        </Card>
      ) : null}

      {!needsMapping ? (
        <div className="mb-6 grid gap-4 md:grid-cols-4">
          <Stat label="Rows read" value={formatInt(dataset.rowCount)} />
          <Stat label="Rows loaded" value={formatInt(dataset.okCount)} testId="rows-loaded" />
          <Stat label="Rows with errors" value={formatInt(dataset.errorCount)} testId="rows-errored" />
          {dataset.kind === 'people' ? (
            <Stat label="Matched to the identity graph" value={rate === null ? '—' : formatPct(rate)} testId="match-rate" />
          ) : null}
        </div>
      ) : null}

      {dataset.kind === 'people' && dataset.status === 'ready' ? (
        <Card className="mb-6">
          <CardHeader>
            <CardTitle role="heading" aria-level={2}>Identity matching</CardTitle>
            <CardDescription>
              {formatInt(dataset.matchedCount)} people matched by normalized email or by name, street address and postcode;
              they now carry the identity graph&apos;s traits.
            </CardDescription>
          </CardHeader>
          <CardContent>
            {missed.length ? (
              <Table aria-label="Why people were not matched">
                <TableHeader>
                  <TableRow>
                    <TableHead>Not matched because</TableHead>
                    <TableHead className="text-right">People</TableHead>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {missed.map(([reason, n]) => (
                    <TableRow key={reason} data-testid="miss-reason">
                      <TableCell>{MISS_REASONS[reason as MissReason] ?? reason}</TableCell>
                      <TableCell className="text-right tabular-nums">{formatInt(n)}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            ) : (
              <p className="text-sm text-muted-foreground">Everyone was matched.</p>
            )}
          </CardContent>
        </Card>
      ) : null}

      {dataset.mapping && !needsMapping ? (
        <Card className="mb-6">
          <CardHeader>
            <CardTitle role="heading" aria-level={2}>Columns</CardTitle>
          </CardHeader>
          <CardContent className="flex flex-wrap gap-2 text-sm">
            {Object.entries(dataset.mapping).map(([h, t]) => (
              <span key={h} className="rounded-md border px-2 py-1">
                <span className="font-medium">{h}</span> <span className="text-muted-foreground">→ {targetLabel(t)}</span>
              </span>
            ))}
          </CardContent>
        </Card>
      ) : null}

      {errors.length ? (
        <Card className="py-0">
          <CardHeader className="flex flex-row items-center justify-between pt-6">
            <div>
              <CardTitle role="heading" aria-level={2}>Rows with errors</CardTitle>
              <CardDescription>
                {dataset.errorCount > errors.length
                  ? `The first ${errors.length} of ${formatInt(dataset.errorCount)}; download them all as CSV.`
                  : 'These rows were skipped; the others were loaded.'}
              </CardDescription>
            </div>
            <Button asChild variant="outline" size="sm" className="gap-2">
              <a href={`/api/datasets/${dataset.id}/errors`} download>
                <Download className="size-4" aria-hidden /> Download all errors
              </a>
            </Button>
          </CardHeader>
          <Table aria-label="Rows with errors">
            <TableHeader>
              <TableRow>
                <TableHead className="w-24 text-right">Line</TableHead>
                <TableHead>Reason</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {errors.map((e) => (
                <TableRow key={e.line} data-testid="row-error">
                  <TableCell className="text-right tabular-nums">{e.line}</TableCell>
                  <TableCell>{e.reason}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Card>
      ) : null}
    </>
  );
}

function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <Card className="gap-1 p-4">
      <div className="text-xs text-muted-foreground">{label}</div>
      <div className="text-2xl font-semibold tabular-nums" data-testid={testId}>
        {value}
      </div>
    </Card>
  );
}
