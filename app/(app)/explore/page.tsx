import { and, eq, isNull } from 'drizzle-orm';
import { PageHeader } from '@/components/shell/app-shell';
import { Card } from '@/components/ui/card';
import { getDatabase } from '@/db/client';
import { personaSets } from '@/db/schema';
import { requireViewer } from '@/lib/auth';

export const metadata = { title: 'Explore' };

export default async function ExplorePage() {
  const viewer = await requireViewer();
  const { db } = await getDatabase();
  const shown = await db
    .select({ id: personaSets.id, name: personaSets.name })
    .from(personaSets)
    .where(and(eq(personaSets.accountId, viewer.accountId), eq(personaSets.showInExplore, true), isNull(personaSets.archivedAt)));
  return (
    <>
      <PageHeader title="Explore" description="Where each persona lives." />
      {shown.length === 0 ? (
        <Card className="p-10 text-center text-sm text-muted-foreground">
          No persona set is shown in Explore. Switch on “Show in Explore” for a ready persona set.
        </Card>
      ) : (
        <Card className="p-6 text-sm">{shown.map((s) => s.name).join(', ')}</Card>
      )}
    </>
  );
}
