import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Pencil } from 'lucide-react';
import { MembershipChart } from '@/components/charts/membership-chart';
import { PageHeader } from '@/components/shell/app-shell';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { requireTenant } from '@/lib/auth';
import { cohortDefinitionSchema, describeDefinition } from '@/lib/cohorts/definition';
import { formatDate, formatDateTime, formatInt, formatSigned } from '@/lib/format';
import { cohortHistory, cohortMembersAt, getCohortOrThrow } from '@/lib/services/cohorts';
import { ServiceError } from '@/lib/services/errors';

export const metadata = { title: 'Cohort' };

const ISO = /^\d{4}-\d{2}-\d{2}$/;

export default async function CohortPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ at?: string }>;
}) {
  const { tenant } = await requireTenant();
  const { id } = await params;
  const { at } = await searchParams;
  const cohort = await getCohortOrThrow(tenant, id).catch((err) => {
    if (err instanceof ServiceError && err.code === 'not_found') notFound();
    throw err;
  });
  const history = (await cohortHistory(tenant, [cohort.id])).get(cohort.id) ?? [];
  const now = history.at(-1)?.members ?? cohort.memberCount;
  const before = history.at(-31)?.members ?? now;
  const atDay = at && ISO.test(at) ? at : null;
  const membersAt = atDay ? await cohortMembersAt(tenant, cohort.id, atDay) : null;
  const def = cohortDefinitionSchema.parse(cohort.definition);
  return (
    <>
      <PageHeader
        title={cohort.name}
        description={cohort.description || describeDefinition(def)}
        actions={
          <>
            <Button asChild variant="outline">
              <Link href="/cohorts">All cohorts</Link>
            </Button>
            <Button asChild className="gap-2">
              <Link href={`/cohorts/${cohort.id}/edit`}>
                <Pencil className="size-4" aria-hidden /> Edit
              </Link>
            </Button>
          </>
        }
      />
      <div className="mb-6 grid gap-4 md:grid-cols-3">
        <Card className="gap-1 p-4">
          <div className="text-xs text-muted-foreground">Members now</div>
          <div className="text-2xl font-semibold tabular-nums" data-testid="cohort-members">
            {formatInt(now)}
          </div>
        </Card>
        <Card className="gap-1 p-4">
          <div className="text-xs text-muted-foreground">Change over the last 30 days</div>
          <div className="text-2xl font-semibold tabular-nums">{formatSigned(now - before)}</div>
        </Card>
        <Card className="gap-1 p-4">
          <div className="text-xs text-muted-foreground">Conditions</div>
          <div className="text-sm">{describeDefinition(def)}</div>
          <div className="text-xs text-muted-foreground">Computed {formatDateTime(cohort.computedAt)}</div>
        </Card>
      </div>
      <Card className="mb-6">
        <CardHeader>
          <CardTitle role="heading" aria-level={2}>Membership over time</CardTitle>
          <CardDescription>Members at the end of each day, from when each person entered and left the cohort.</CardDescription>
        </CardHeader>
        <CardContent>
          <MembershipChart series={history} label={`${cohort.name} members over time`} />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle role="heading" aria-level={2}>Members on a given day</CardTitle>
        </CardHeader>
        <CardContent>
          <form className="flex flex-wrap items-end gap-3" method="get">
            <div className="space-y-1.5">
              <Label htmlFor="at">Day</Label>
              <Input id="at" name="at" type="date" defaultValue={atDay ?? ''} className="w-44" required />
            </div>
            <Button type="submit" variant="outline">
              Count members
            </Button>
            {atDay !== null && membersAt !== null ? (
              <p className="text-sm" aria-live="polite" data-testid="members-at">
                {formatInt(membersAt)} members on {formatDate(atDay)}
              </p>
            ) : null}
          </form>
        </CardContent>
      </Card>
    </>
  );
}
