import { interpolateGreens, scaleSequential } from 'd3';
import { formatInt, formatPct } from '@/lib/format';

interface Side {
  name: string;
  personas: { id: string; name: string; size: number }[];
}

/** Persona × persona of two sets: members in both, shaded by Jaccard (overlap over union). */
export function OverlapMatrix({ a, b, overlap }: { a: Side; b: Side; overlap: { aPersonaId: string; bPersonaId: string; members: number; jaccard: number }[] }) {
  const cell = new Map(overlap.map((o) => [`${o.aPersonaId}|${o.bPersonaId}`, o]));
  const max = Math.max(0.01, ...overlap.map((o) => o.jaccard));
  const shade = scaleSequential(interpolateGreens).domain([0, max]);
  return (
    <div className="overflow-x-auto">
      <table className="w-full border-separate border-spacing-0.5 text-sm" data-testid="overlap-matrix">
        <caption className="mb-2 text-left text-xs text-muted-foreground">
          Rows: personas of {a.name}; columns: personas of {b.name}. Each cell: people in both, and Jaccard (in both ÷ in either).
        </caption>
        <thead>
          <tr>
            <th scope="col" className="p-2" />
            {b.personas.map((p) => (
              <th key={p.id} scope="col" className="p-2 text-left text-xs font-medium">
                {p.name}
                <div className="font-normal text-muted-foreground">{formatInt(p.size)}</div>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {a.personas.map((pa) => (
            <tr key={pa.id}>
              <th scope="row" className="p-2 text-left text-xs font-medium">
                {pa.name}
                <div className="font-normal text-muted-foreground">{formatInt(pa.size)}</div>
              </th>
              {b.personas.map((pb) => {
                const o = cell.get(`${pa.id}|${pb.id}`);
                return (
                  <td
                    key={pb.id}
                    className="min-w-24 rounded p-2 text-right tabular-nums"
                    style={{ background: o ? shade(o.jaccard) : undefined, color: o && o.jaccard > max * 0.6 ? 'white' : undefined }}
                    aria-label={`${pa.name} and ${pb.name}: ${o?.members ?? 0} in both`}
                  >
                    <div>{formatInt(o?.members ?? 0)}</div>
                    {o ? <div className="text-[11px] opacity-80">J {formatPct(o.jaccard)}</div> : null}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
