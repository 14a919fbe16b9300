import { Skeleton } from '@/components/ui/skeleton';

export default function ExploreLoading() {
  return (
    <div className="space-y-4" aria-busy="true" aria-label="Loading the map">
      <Skeleton className="h-8 w-40" />
      <Skeleton className="h-4 w-96" />
      <div className="flex gap-4">
        <Skeleton className="h-9 w-60" />
        <Skeleton className="h-9 w-64" />
      </div>
      <Skeleton className="aspect-[8/5] w-full max-w-4xl" />
    </div>
  );
}
