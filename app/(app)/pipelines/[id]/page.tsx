import Link from 'next/link';
import { notFound } from 'next/navigation';
import { headers } from 'next/headers';
import { PageHeader } from '@/components/shell/app-shell';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { requireTenant } from '@/lib/auth';
import { ServiceError } from '@/lib/services/errors';
import { getPipelineOrThrow, readPayloadPage } from '@/lib/services/pipelines';
import { CopyButton } from './copy-button';

export const metadata = { title: 'Pipeline' };

export default async function PipelinePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { tenant } = await requireTenant();
  let page;
  try {
    page = await readPayloadPage(tenant, id, { after: 0, limit: 20 });
  } catch (err) {
    if (err instanceof ServiceError && err.code === 'not_found') notFound();
    throw err;
  }
  const p = await getPipelineOrThrow(tenant, id);
  const h = await headers();
  const origin = `${h.get('x-forwarded-proto') ?? 'http'}://${h.get('host') ?? 'localhost:3000'}`;
  const curl = `curl -H "Authorization: Bearer $FACET_API_KEY" "${origin}/api/v1/pipelines/${id}/payload?format=csv"`;
  const curlJson = `curl -H "Authorization: Bearer $FACET_API_KEY" "${origin}/api/v1/pipelines/${id}/payload?format=json&limit=1000"`;
  return (
    <>
      <PageHeader
        title={p.name}
        description={`${p.cohortIds.length} cohort(s) · ${p.personaSetIds.length} persona set(s) · ${p.traitKeys.length} trait(s)`}
        actions={
          <Button asChild>
            <a href={`/pipelines/${id}/download`} download>
              Download CSV
            </a>
          </Button>
        }
      />
      <div className="grid gap-6">
        <Card>
          <CardHeader>
            <CardTitle>Fetch it over the API</CardTitle>
            <CardDescription>
              Replace <code>$FACET_API_KEY</code> with a key from <Link className="text-primary hover:underline" href="/settings/api-keys">Settings → API keys</Link>. JSON pages
              carry a <code>nextCursor</code>; pass it as <code>&amp;cursor=</code> for the next page.
            </CardDescription>
          </CardHeader>
          <CardContent className="space-y-3">
            {[curl, curlJson].map((c) => (
              <div key={c} className="flex items-start gap-2">
                <code data-testid="curl-command" className="flex-1 break-all rounded bg-muted px-3 py-2 font-mono text-xs">
                  {c}
                </code>
                <CopyButton text={c} />
              </div>
            ))}
          </CardContent>
        </Card>
        <Card className="py-0">
          <CardHeader className="pt-6">
            <CardTitle>Preview</CardTitle>
            <CardDescription>The first {page.rows.length} rows of the payload.</CardDescription>
          </CardHeader>
          <div className="overflow-x-auto">
            <Table>
              <TableHeader>
                <TableRow>
                  {page.columns.map((c) => (
                    <TableHead key={c} className="whitespace-nowrap font-mono text-xs">
                      {c}
                    </TableHead>
                  ))}
                </TableRow>
              </TableHeader>
              <TableBody>
                {page.rows.length === 0 && (
                  <TableRow>
                    <TableCell colSpan={page.columns.length} className="py-8 text-center text-muted-foreground">
                      The population is empty.
                    </TableCell>
                  </TableRow>
                )}
                {page.rows.map((r) => (
                  <TableRow key={String(r[0])}>
                    {r.map((v, i) => (
                      <TableCell key={i} className="whitespace-nowrap text-xs">
                        {v === null ? <span className="text-muted-foreground">—</span> : String(v)}
                      </TableCell>
                    ))}
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
        </Card>
      </div>
    </>
  );
}
