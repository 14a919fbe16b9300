import { Skeleton } from '@/components/ui/skeleton';

export default function PersonaSetsLoading() {
  return (
    <div className="space-y-4" aria-busy="true" aria-label="Loading persona sets">
      <div className="flex justify-between">
        <Skeleton className="h-8 w-48" />
        <Skeleton className="h-9 w-44" />
      </div>
      <Skeleton className="h-4 w-96" />
      <div className="space-y-2 rounded-lg border p-4">
        {Array.from({ length: 5 }, (_, i) => (
          <Skeleton key={i} className="h-10 w-full" />
        ))}
      </div>
    </div>
  );
}
