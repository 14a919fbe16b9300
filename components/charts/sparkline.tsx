import { extent, line, scaleLinear } from 'd3';

/** A small trend line; server-rendered SVG. */
export function Sparkline({
  values,
  width = 120,
  height = 28,
  label,
}: {
  values: number[];
  width?: number;
  height?: number;
  label: string;
}) {
  if (values.length < 2) return <span className="text-xs text-muted-foreground">—</span>;
  const [lo, hi] = extent(values) as [number, number];
  const x = scaleLinear().domain([0, values.length - 1]).range([1, width - 1]);
  const y = scaleLinear().domain(lo === hi ? [lo - 1, hi + 1] : [lo, hi]).range([height - 2, 2]);
  const d = line<number>()
    .x((_, i) => x(i))
    .y((v) => y(v))(values);
  return (
    <svg width={width} height={height} role="img" aria-label={label} className="text-primary">
      <path d={d ?? ''} fill="none" stroke="currentColor" strokeWidth={1.5} />
      <circle cx={x(values.length - 1)} cy={y(values[values.length - 1])} r={2} fill="currentColor" />
    </svg>
  );
}
