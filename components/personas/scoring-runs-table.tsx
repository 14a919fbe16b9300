import { AutoRefresh } from '@/components/shell/auto-refresh';
import { Progress } from '@/components/ui/progress';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { formatDateTime, formatInt } from '@/lib/format';

export interface ScoringRunRow {
  id: string;
  trigger: string;
  status: 'queued' | 'running' | 'done' | 'errored';
  scored: number;
  changed: number;
  added: number;
  removed: number;
  chunksTotal: number;
  chunksDone: number;
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

const COLUMNS = [['Started', false], ['By', false], ['Status', false], ['Scored', true], ['Moved', true], ['New', true], ['Left', true]] as const;
const TRIGGER: Record<string, string> = { adhoc: 'Score now', scheduled: 'Schedule', api: 'API', build: 'Build', changes: 'New data' };

/** A set's latest scoring runs; the page refreshes itself while one is queued or running. */
export function ScoringRunsTable({ runs }: { runs: ScoringRunRow[] }) {
  const active = runs.some((r) => r.status === 'queued' || r.status === 'running');
  if (!runs.length) return <p className="text-sm text-muted-foreground">No scoring runs yet.</p>;
  return (
    <>
      <AutoRefresh active={active} ms={1500} />
      <Table data-testid="scoring-runs">
        <TableHeader>
          <TableRow>
            {COLUMNS.map(([label, numeric]) => (
              <TableHead key={label} className={numeric ? 'text-right' : undefined}>
                {label}
              </TableHead>
            ))}
          </TableRow>
        </TableHeader>
        <TableBody>
          {runs.map((r) => (
            <TableRow key={r.id}>
              <TableCell>{formatDateTime(r.createdAt)}</TableCell>
              <TableCell>{TRIGGER[r.trigger] ?? r.trigger}</TableCell>
              <TableCell className="min-w-36">
                {r.status === 'running' || r.status === 'queued' ? (
                  <div className="grid gap-1">
                    <span className="text-xs">{r.status === 'queued' ? 'Queued' : `Scoring ${r.chunksDone}/${Math.max(1, r.chunksTotal)}`}</span>
                    <Progress
                      value={r.status === 'queued' ? null : r.chunksDone}
                      max={Math.max(1, r.chunksTotal)}
                      aria-label="Scoring progress"
                    />
                  </div>
                ) : r.status === 'errored' ? (
                  <span className="text-destructive" title={r.error ?? undefined}>
                    Failed
                  </span>
                ) : (
                  'Done'
                )}
              </TableCell>
              {[r.scored, r.changed, r.added, r.removed].map((n, i) => (
                <TableCell key={i} className="text-right tabular-nums">
                  {formatInt(n)}
                </TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </>
  );
}
