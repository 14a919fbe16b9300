import { interpolateBlues, scaleSequential } from 'd3';
import { formatInt, formatPct } from '@/lib/format';

export interface MatrixPersona {
  id: string;
  name: string;
  color?: string;
}

export interface MatrixMove {
  from: string | null;
  to: string | null;
  count: number;
}

/**
 * People per (persona at the start, persona at the end): rows are where they were (or "Not in the set": joined),
 * columns where they are (or "Left"). Shade = the row's share, so a 20% move reads the same in a big and a small persona.
 */
export function TransitionMatrix({ personas, moves, fromLabel, toLabel }: { personas: MatrixPersona[]; moves: MatrixMove[]; fromLabel: string; toLabel: string }) {
  const rows: (MatrixPersona | null)[] = [...personas, null];
  const count = new Map(moves.map((m) => [`${m.from ?? ''}>${m.to ?? ''}`, m.count]));
  const cell = (f: string | null, t: string | null) => count.get(`${f ?? ''}>${t ?? ''}`) ?? 0;
  const rowTotal = (f: string | null) => moves.filter((m) => m.from === f).reduce((s, m) => s + m.count, 0);
  const shade = scaleSequential(interpolateBlues).domain([0, 1]);
  return (
    <div className="overflow-x-auto">
      <table className="w-full border-separate border-spacing-0.5 text-sm" data-testid="transition-matrix">
        <caption className="mb-2 text-left text-xs text-muted-foreground">
          Rows: persona on {fromLabel}; columns: persona on {toLabel}. Each cell: people, and the share of the row.
        </caption>
        <thead>
          <tr>
            <th scope="col" className="p-2 text-left text-xs font-medium text-muted-foreground">
              From ↓ / To →
            </th>
            {rows.map((p) => (
              <th key={p?.id ?? 'left'} scope="col" className="p-2 text-left text-xs font-medium">
                {p ? <Name p={p} /> : 'Left the set'}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((f) => {
            const total = rowTotal(f?.id ?? null);
            return (
              <tr key={f?.id ?? 'joined'}>
                <th scope="row" className="p-2 text-left text-xs font-medium">
                  {f ? <Name p={f} /> : 'Not in the set (joined)'}
                </th>
                {rows.map((t) => {
                  const n = f === null && t === null ? 0 : cell(f?.id ?? null, t?.id ?? null);
                  const share = total ? n / total : 0;
                  const same = f !== null && t !== null && f.id === t.id;
                  return (
                    <td
                      key={t?.id ?? 'left'}
                      className="min-w-24 rounded p-2 text-right tabular-nums"
                      style={{ background: n ? shade(same ? share * 0.35 : Math.min(1, share * 2.5)) : undefined, color: !same && share > 0.3 ? 'white' : undefined }}
                      aria-label={`${f?.name ?? 'Joined'} to ${t?.name ?? 'left'}: ${n}`}
                    >
                      {f === null && t === null ? '' : (
                        <>
                          <div>{formatInt(n)}</div>
                          {total && n ? <div className="text-[11px] opacity-80">{formatPct(share)}</div> : null}
                        </>
                      )}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Name({ p }: { p: MatrixPersona }) {
  return (
    <span className="inline-flex items-center gap-1.5">
      <span aria-hidden className="inline-block size-2.5 shrink-0 rounded-sm" style={{ background: p.color }} />
      {p.name}
    </span>
  );
}
