import { Badge } from '@/components/ui/badge';
import { Progress } from '@/components/ui/progress';
// The fields of a dataset row this file shows, described here: components never import db.
interface Dataset {
  name: string;
  kind: 'people' | 'orders';
  status: 'uploaded' | 'processing' | 'ready' | 'errored';
  progress: number;
  matchedCount: number;
  missReasons: Record<string, number> | null;
}

const LABEL: Record<Dataset['status'], string> = {
  uploaded: 'Check columns',
  processing: 'Processing',
  ready: 'Ready',
  errored: 'Failed',
};

export function DatasetStatus({ dataset }: { dataset: Pick<Dataset, 'status' | 'progress' | 'name'> }) {
  const variant = dataset.status === 'errored' ? 'destructive' : dataset.status === 'ready' ? 'success' : dataset.status === 'uploaded' ? 'warning' : 'secondary';
  return (
    <div className="flex min-w-36 flex-col gap-1.5">
      <Badge variant={variant} data-testid="dataset-status">
        {LABEL[dataset.status]}
        {dataset.status === 'processing' ? ` ${Math.round(dataset.progress * 100)}%` : ''}
      </Badge>
      {dataset.status === 'processing' ? (
        <Progress value={Math.round(dataset.progress * 100)} aria-label={`Processing ${dataset.name}`} className="h-1.5" />
      ) : null}
    </div>
  );
}

/** Matched people over the people of the dataset (matched + missed), or null before matching. */
export function matchRate(d: Pick<Dataset, 'kind' | 'matchedCount' | 'missReasons' | 'status'>): number | null {
  if (d.kind !== 'people' || d.status !== 'ready') return null;
  const missed = Object.values(d.missReasons ?? {}).reduce((a, b) => a + b, 0);
  const total = d.matchedCount + missed;
  return total ? d.matchedCount / total : null;
}
