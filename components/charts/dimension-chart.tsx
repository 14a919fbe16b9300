import type { DimensionAnalysis } from '@/lib/services/persona-sets';
import { cn } from '@/lib/utils';

export interface ChartPersona {
  id: string;
  name: string;
  color: string;
}

function pct(v: number) {
  return `${v >= 0.095 || v === 0 ? Math.round(v * 100) : (v * 100).toFixed(1)}%`;
}

function indexTone(index: number, share: number) {
  if (share < 0.02) return 'text-muted-foreground';
  if (index >= 130) return 'bg-success/20 font-medium text-foreground';
  if (index <= 75) return 'bg-destructive/10 font-medium text-destructive';
  return 'text-muted-foreground';
}

function formatMean(v: number | undefined, unit?: string) {
  if (v === undefined) return '—';
  if (unit === 'USD') return `$${Math.round(v).toLocaleString('en-US')}`;
  return `${v.toLocaleString('en-US', { maximumFractionDigits: Math.abs(v) < 10 ? 2 : 0 })}${unit ? ` ${unit}` : ''}`;
}

/**
 * One trait compared across personas: for each bin (a category, yes/no, or a range of values), each persona's
 * share as a bar and its index against the cohort (100 = same as the cohort).
 */
export function DimensionChart({ dimension, personas }: { dimension: DimensionAnalysis; personas: ChartPersona[] }) {
  const byId = new Map(dimension.personas.map((p) => [p.personaId, p]));
  const cols = personas.filter((p) => byId.has(p.id));
  const showMean = dimension.type !== 'categorical' && dimension.cohortMean !== undefined;
  return (
    <div className="overflow-x-auto" data-testid={`dimension-${dimension.key}`}>
      <table className="w-full border-separate border-spacing-0 text-xs">
        <caption className="sr-only">
          {dimension.label}: share of each persona per {dimension.type === 'numeric' ? 'range' : 'value'}, with its index against the cohort
        </caption>
        <thead>
          <tr>
            <th scope="col" className="w-32 pb-2 text-left font-medium text-muted-foreground">
              {dimension.type === 'numeric' ? 'Range' : 'Value'}
            </th>
            <th scope="col" className="pb-2 pl-3 text-left font-medium text-muted-foreground">
              Cohort
            </th>
            {cols.map((p) => (
              <th key={p.id} scope="col" className="max-w-40 pb-2 pl-3 text-left font-medium">
                <span className="flex items-center gap-1.5">
                  <span aria-hidden className="inline-block size-2.5 shrink-0 rounded-sm" style={{ background: p.color }} />
                  <span className="truncate" title={p.name}>
                    {p.name}
                  </span>
                </span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {dimension.bins.map((b, i) => (
            <tr key={i} className="align-middle">
              <th scope="row" className="border-t py-1.5 pr-2 text-left font-normal">
                {b.label}
              </th>
              <td className="border-t py-1.5 pl-3">
                <Bar share={dimension.cohort[i]} color="var(--muted-foreground)" />
              </td>
              {cols.map((p) => {
                const d = byId.get(p.id)!;
                const share = d.shares[i] ?? 0;
                const index = d.index[i] ?? 0;
                return (
                  <td key={p.id} className="border-t py-1.5 pl-3">
                    <div className="flex items-center gap-2">
                      <Bar share={share} color={p.color} />
                      <span className={cn('rounded px-1 tabular-nums', indexTone(index, share))} title={`Index ${index}: ${index >= 100 ? `${(index / 100).toFixed(1)}× the cohort` : `${index}% of the cohort`}`}>
                        {index}
                      </span>
                    </div>
                  </td>
                );
              })}
            </tr>
          ))}
          {showMean ? (
            <tr>
              <th scope="row" className="border-t py-1.5 pr-2 text-left font-medium">
                Average
              </th>
              <td className="border-t py-1.5 pl-3 tabular-nums">{formatMean(dimension.cohortMean, dimension.unit)}</td>
              {cols.map((p) => (
                <td key={p.id} className="border-t py-1.5 pl-3 tabular-nums">
                  {formatMean(byId.get(p.id)!.mean, dimension.unit)}
                </td>
              ))}
            </tr>
          ) : null}
        </tbody>
      </table>
      <p className="mt-2 text-xs text-muted-foreground">
        Known for {Math.round(dimension.coverage * 100)}% of the cohort. Index = persona share ÷ cohort share × 100.
      </p>
    </div>
  );
}

function Bar({ share, color }: { share: number; color: string }) {
  return (
    <span className="flex min-w-24 items-center gap-1.5">
      <span className="relative h-2.5 w-16 shrink-0 overflow-hidden rounded-sm bg-muted">
        <span className="absolute inset-y-0 left-0 rounded-sm" style={{ width: `${Math.min(100, share * 100)}%`, background: color }} />
      </span>
      <span className="tabular-nums">{pct(share)}</span>
    </span>
  );
}
