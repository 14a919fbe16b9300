import { Skeleton } from '@/components/ui/skeleton';

export default function PersonaSetLoading() {
  return (
    <div className="space-y-4" aria-busy="true" aria-label="Loading the persona set">
      <Skeleton className="h-4 w-28" />
      <Skeleton className="h-8 w-72" />
      <Skeleton className="h-4 w-96" />
      <Skeleton className="h-9 w-72" />
      <div className="grid gap-4 lg:grid-cols-2 2xl:grid-cols-3">
        {Array.from({ length: 3 }, (_, i) => (
          <div key={i} className="space-y-3 rounded-lg border p-5">
            <div className="flex gap-4">
              <Skeleton className="size-[76px] rounded-full" />
              <div className="flex-1 space-y-2">
                <Skeleton className="h-5 w-40" />
                <Skeleton className="h-4 w-28" />
              </div>
            </div>
            {Array.from({ length: 5 }, (_, j) => (
              <Skeleton key={j} className="h-7 w-full" />
            ))}
          </div>
        ))}
      </div>
    </div>
  );
}
