import Link from 'next/link';
import { PageHeader } from '@/components/shell/app-shell';
import { MAP_HEIGHT, MAP_WIDTH, usStateShapes } from '@/components/charts/us-states';
import { ExploreView } from '@/components/personas/explore-view';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { requireTenant } from '@/lib/auth';
import { getExploreSets } from '@/lib/services/persona-sets';

export const metadata = { title: 'Explore' };

export default async function ExplorePage() {
  const { tenant } = await requireTenant();
  const sets = await getExploreSets(tenant);
  return (
    <>
      <PageHeader title="Explore" description="Where each persona lives: its share of each state, or how much more (or less) common it is there than in the cohort." />
      {sets.length === 0 ? (
        <Card className="items-center gap-3 p-10 text-center text-sm text-muted-foreground">
          <p>No persona set is shown in Explore. Switch on “Show in Explore” for a ready persona set.</p>
          <Button variant="outline" asChild>
            <Link href="/persona-sets">Go to persona sets</Link>
          </Button>
        </Card>
      ) : (
        <ExploreView sets={sets} states={usStateShapes()} width={MAP_WIDTH} height={MAP_HEIGHT} />
      )}
    </>
  );
}
