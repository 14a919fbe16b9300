import type { DimensionAnalysis } from '@/lib/services/persona-sets';

/**
 * A persona's distribution of one trait (bars) against the whole cohort (dark ticks), one bar per bin;
 * bins where the persona is over-represented by half again or more are drawn full strength.
 */
export function TraitMiniChart({
  dimension,
  personaId,
  color,
  width = 168,
  height = 34,
}: {
  dimension: DimensionAnalysis;
  personaId: string;
  color: string;
  width?: number;
  height?: number;
}) {
  const p = dimension.personas.find((x) => x.personaId === personaId);
  if (!p || !dimension.bins.length) return null;
  const n = dimension.bins.length;
  const gap = 2;
  const bw = Math.max(2, (width - gap * (n - 1)) / n);
  const max = Math.max(0.01, ...p.shares, ...dimension.cohort);
  const y = (v: number) => height - 2 - (v / max) * (height - 4);
  const summary = dimension.bins
    .map((b, i) => `${b.label}: ${Math.round(p.shares[i] * 100)}% vs ${Math.round(dimension.cohort[i] * 100)}%`)
    .join('; ');
  return (
    <svg width={width} height={height} role="img" aria-label={`${dimension.label}, persona vs cohort: ${summary}`} className="shrink-0 overflow-visible">
      {dimension.bins.map((b, i) => {
        const x = i * (bw + gap);
        const over = (p.index[i] ?? 100) >= 150 && p.shares[i] >= 0.05;
        return (
          <g key={i}>
            <title>{`${b.label}: ${Math.round(p.shares[i] * 100)}% of the persona, ${Math.round(dimension.cohort[i] * 100)}% of the cohort (index ${p.index[i]})`}</title>
            <rect x={x} y={y(p.shares[i])} width={bw} height={Math.max(0.5, height - 2 - y(p.shares[i]))} fill={color} opacity={over ? 1 : 0.45} rx={1} />
            <line x1={x - 0.5} x2={x + bw + 0.5} y1={y(dimension.cohort[i])} y2={y(dimension.cohort[i])} stroke="var(--foreground)" strokeWidth={1.5} />
          </g>
        );
      })}
      <line x1={0} x2={width} y1={height - 1.5} y2={height - 1.5} stroke="var(--border)" />
    </svg>
  );
}
