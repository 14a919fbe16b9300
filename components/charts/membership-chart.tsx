'use client';

import { useMemo, useRef, useState } from 'react';
import { area, bisector, line, max, scaleLinear, scaleUtc, utcFormat } from 'd3';

export interface MembershipPoint {
  day: string; // YYYY-MM-DD
  members: number;
}

const fmtDay = utcFormat('%b %-d, %Y');
const fmtTick = utcFormat('%b %Y');

/** Members of a cohort over time (one point a day), with a hover / keyboard readout of any day. */
export function MembershipChart({ series, label, height = 260 }: { series: MembershipPoint[]; label: string; height?: number }) {
  const width = 760;
  const m = { top: 12, right: 16, bottom: 28, left: 56 };
  const svgRef = useRef<SVGSVGElement>(null);
  const [hover, setHover] = useState<number | null>(null);
  const points = useMemo(() => series.map((p) => ({ date: new Date(`${p.day}T00:00:00Z`), members: p.members })), [series]);
  const scales = useMemo(() => {
    if (points.length < 2) return null;
    const x = scaleUtc()
      .domain([points[0].date, points[points.length - 1].date])
      .range([m.left, width - m.right]);
    const y = scaleLinear()
      .domain([0, Math.max(1, max(points, (p) => p.members) ?? 1)])
      .nice()
      .range([height - m.bottom, m.top]);
    return { x, y };
  }, [points, height, m.left, m.right, m.bottom, m.top]);

  if (!scales) return <p className="text-sm text-muted-foreground">Not enough history yet.</p>;
  const { x, y } = scales;
  const path = line<(typeof points)[number]>()
    .x((p) => x(p.date))
    .y((p) => y(p.members))(points);
  const fill = area<(typeof points)[number]>()
    .x((p) => x(p.date))
    .y0(y(0))
    .y1((p) => y(p.members))(points);
  const bisect = bisector<(typeof points)[number], Date>((p) => p.date).center;
  const h = hover === null ? points.length - 1 : hover;
  const cur = points[h];

  function onMove(e: React.PointerEvent<SVGSVGElement>) {
    const svg = svgRef.current;
    if (!svg) return;
    const r = svg.getBoundingClientRect();
    const px = ((e.clientX - r.left) / r.width) * width;
    setHover(bisect(points, x.invert(px)));
  }
  function onKey(e: React.KeyboardEvent) {
    const step = e.shiftKey ? 30 : 1;
    if (e.key === 'ArrowLeft') setHover(Math.max(0, h - step));
    else if (e.key === 'ArrowRight') setHover(Math.min(points.length - 1, h + step));
    else if (e.key === 'Home') setHover(0);
    else if (e.key === 'End') setHover(points.length - 1);
    else return;
    e.preventDefault();
  }

  const first = points[0].members;
  const last = points[points.length - 1].members;
  return (
    <figure className="space-y-2">
      <div className="flex items-baseline gap-3 text-sm" aria-live="polite" data-testid="chart-readout">
        <span className="font-medium">{fmtDay(cur.date)}</span>
        <span className="tabular-nums">{cur.members.toLocaleString('en-US')} members</span>
      </div>
      <svg
        ref={svgRef}
        viewBox={`0 0 ${width} ${height}`}
        className="w-full touch-none text-primary outline-none focus-visible:ring-2 focus-visible:ring-ring"
        role="img"
        tabIndex={0}
        aria-label={`${label}: from ${first.toLocaleString('en-US')} on ${fmtDay(points[0].date)} to ${last.toLocaleString('en-US')} on ${fmtDay(points[points.length - 1].date)}. Use the arrow keys to read a day.`}
        onPointerMove={onMove}
        onPointerLeave={() => setHover(null)}
        onKeyDown={onKey}
        data-testid="membership-chart"
      >
        {y.ticks(5).map((t) => (
          <g key={t}>
            <line x1={m.left} x2={width - m.right} y1={y(t)} y2={y(t)} className="stroke-border" strokeDasharray="2 3" />
            <text x={m.left - 8} y={y(t)} dy="0.32em" textAnchor="end" className="fill-muted-foreground text-[11px]">
              {t.toLocaleString('en-US')}
            </text>
          </g>
        ))}
        {x.ticks(6).map((t) => (
          <text key={t.toISOString()} x={x(t)} y={height - 8} textAnchor="middle" className="fill-muted-foreground text-[11px]">
            {fmtTick(t)}
          </text>
        ))}
        <path d={fill ?? ''} fill="currentColor" fillOpacity={0.12} />
        <path d={path ?? ''} fill="none" stroke="currentColor" strokeWidth={2} />
        <line x1={x(cur.date)} x2={x(cur.date)} y1={m.top} y2={height - m.bottom} className="stroke-muted-foreground" strokeWidth={1} />
        <circle cx={x(cur.date)} cy={y(cur.members)} r={4} fill="currentColor" />
      </svg>
    </figure>
  );
}
