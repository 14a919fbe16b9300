import Link from 'next/link';
import { PageHeader } from '@/components/shell/app-shell';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { AutoRefresh } from '@/components/shell/auto-refresh';
import { requireTenant } from '@/lib/auth';
import { formatDateTime } from '@/lib/format';
import { getJobRun, listJobRuns } from '@/lib/services/jobs';

export const metadata = { title: 'Jobs' };

const variant = (s: string) =>
  s === 'completed' ? 'success' : s === 'failed' ? 'destructive' : s === 'running' ? 'default' : 'secondary';

const duration = (ms: number | null) => (ms === null ? '—' : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);

export default async function JobsPage({ searchParams }: { searchParams: Promise<{ run?: string }> }) {
  const { tenant } = await requireTenant();
  const { run: runId } = await searchParams;
  const runs = await listJobRuns(tenant, { limit: 100 });
  const detail = runId ? await getJobRun(tenant, runId).catch(() => null) : null;
  const active = runs.some((r) => r.status === 'queued' || r.status === 'running' || r.status === 'sleeping');
  return (
    <>
      <PageHeader title="Jobs" description="This account's background runs: persona set builds, scoring, uploads and email. Scheduled ticks that serve every account are not listed; the runs they start are." />
      <AutoRefresh active={active} />
      <div className="grid gap-6 xl:grid-cols-[1fr_420px]">
        <Card className="py-0">
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Function</TableHead>
                <TableHead>Status</TableHead>
                <TableHead>Attempt</TableHead>
                <TableHead>Duration</TableHead>
                <TableHead>Started</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {runs.length === 0 ? (
                <TableRow>
                  <TableCell colSpan={5} className="py-8 text-center text-muted-foreground">
                    No runs yet.
                  </TableCell>
                </TableRow>
              ) : (
                runs.map((r) => (
                  <TableRow key={r.id} data-state={r.id === runId ? 'selected' : undefined}>
                    <TableCell>
                      <Link className="font-medium hover:underline" href={`/settings/jobs?run=${r.id}`}>
                        {r.functionId}
                      </Link>
                      {r.error ? <div className="max-w-md truncate text-xs text-destructive">{r.error}</div> : null}
                    </TableCell>
                    <TableCell>
                      <Badge variant={variant(r.status)}>{r.status}</Badge>
                    </TableCell>
                    <TableCell>
                      {r.attempt + 1} / {r.maxAttempts}
                    </TableCell>
                    <TableCell>{duration(r.durationMs)}</TableCell>
                    <TableCell>{formatDateTime(r.startedAt ?? r.createdAt)}</TableCell>
                  </TableRow>
                ))
              )}
            </TableBody>
          </Table>
        </Card>
        {detail ? (
          <Card className="p-4">
            <h2 className="font-semibold">{detail.functionId}</h2>
            <p className="mb-3 text-xs text-muted-foreground">
              {detail.eventName} · run {detail.id}
            </p>
            <ol className="space-y-2 text-sm">
              {detail.steps.map((s, i) => (
                <li key={i} className="flex items-start justify-between gap-3 border-b pb-2 last:border-0">
                  <div>
                    <div className="font-medium">{s.name}</div>
                    {s.error ? <div className="text-xs text-destructive">{s.error}</div> : null}
                  </div>
                  <div className="shrink-0 text-right text-xs">
                    <Badge variant={variant(s.status)}>{s.status}</Badge>
                    <div className="mt-1 text-muted-foreground">
                      {duration(s.durationMs)}
                      {s.attempts > 1 ? ` · ${s.attempts} attempts` : ''}
                    </div>
                  </div>
                </li>
              ))}
            </ol>
            {detail.error ? <p className="mt-3 text-sm text-destructive">{detail.error}</p> : null}
          </Card>
        ) : null}
      </div>
    </>
  );
}
