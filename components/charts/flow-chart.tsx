'use client';

import * as React from 'react';
import { area, scaleLinear, scaleUtc, utcFormat } from 'd3';
import type { FlowAnalysis } from '@/lib/services/persona-sets';
import { cn } from '@/lib/utils';
import { dayTime, flowAt, nearestDayIndex, stackFlow, type FlowMode } from './flow-data';

export interface FlowPersona {
  id: string;
  name: string;
  color: string;
}

const HEIGHT = 320;
const M = { top: 12, right: 16, bottom: 28, left: 52 };
const fmtDay = utcFormat('%b %-d, %Y');
const fmtInt = new Intl.NumberFormat('en-US');

/** Each persona's membership per day, stacked, with a count/share toggle and a hover (or arrow-key) readout. */
export function FlowChart({ flow, personas }: { flow: FlowAnalysis; personas: FlowPersona[] }) {
  const [mode, setMode] = React.useState<FlowMode>('count');
  const [active, setActive] = React.useState<number | null>(null);
  const [width, setWidth] = React.useState(800);
  const box = React.useRef<HTMLDivElement>(null);

  React.useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(([e]) => setWidth(Math.max(320, Math.floor(e.contentRect.width))));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const times = React.useMemo(() => flow.days.map(dayTime), [flow.days]);
  const { layers, max } = React.useMemo(() => stackFlow(flow, mode), [flow, mode]);
  const byId = React.useMemo(() => new Map(personas.map((p) => [p.id, p])), [personas]);
  const x = scaleUtc()
    .domain([times[0] ?? 0, times[times.length - 1] ?? 1])
    .range([M.left, width - M.right]);
  const y = scaleLinear()
    .domain([0, max || 1])
    .nice()
    .range([HEIGHT - M.bottom, M.top]);
  const idx = flow.days.map((_, i) => i);
  const layerPath = (l: (typeof layers)[number]) =>
    area<number>()
      .x((i) => x(times[i]))
      .y0((i) => y(l.y0[i]))
      .y1((i) => y(l.y1[i]))(idx) ?? '';

  if (flow.days.length < 2) return <p className="text-sm text-muted-foreground">Not enough history yet: the flow needs at least two days.</p>;

  function pick(clientX: number, rect: DOMRect) {
    setActive(nearestDayIndex(times, x.invert(clientX - rect.left).getTime()));
  }
  function onKey(e: React.KeyboardEvent) {
    const last = flow.days.length - 1;
    const cur = active ?? last;
    const next =
      e.key === 'ArrowLeft' ? cur - 1 : e.key === 'ArrowRight' ? cur + 1 : e.key === 'PageUp' ? cur - 30 : e.key === 'PageDown' ? cur + 30 : e.key === 'Home' ? 0 : e.key === 'End' ? last : null;
    if (next === null) {
      if (e.key === 'Escape') setActive(null);
      return;
    }
    e.preventDefault();
    setActive(Math.max(0, Math.min(last, next)));
  }

  const rows = active !== null ? flowAt(flow, active) : null;
  const total = rows?.reduce((s, r) => s + r.count, 0) ?? 0;
  const tipLeft = active !== null ? x(times[active]) : 0;

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div role="group" aria-label="Show membership as" className="inline-flex rounded-md border p-0.5">
          {(['count', 'share'] as const).map((m) => (
            <button
              key={m}
              type="button"
              aria-pressed={mode === m}
              onClick={() => setMode(m)}
              className={cn(
                'rounded px-3 py-1 text-sm outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50',
                mode === m ? 'bg-primary text-primary-foreground' : 'text-muted-foreground hover:text-foreground',
              )}
            >
              {m === 'count' ? 'Members' : 'Share'}
            </button>
          ))}
        </div>
        <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs" aria-label="Legend">
          {personas.map((p) => (
            <li key={p.id} className="flex items-center gap-1.5">
              <span aria-hidden className="inline-block size-2.5 rounded-sm" style={{ background: p.color }} />
              {p.name}
            </li>
          ))}
        </ul>
      </div>
      <div ref={box} className="relative">
        <svg
          width={width}
          height={HEIGHT}
          role="img"
          tabIndex={0}
          aria-label={`Membership of each persona per day from ${fmtDay(new Date(times[0]))} to ${fmtDay(new Date(times[times.length - 1]))}. Use the left and right arrow keys to read a day.`}
          data-testid="flow-chart"
          className="rounded-md outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
          onPointerMove={(e) => pick(e.clientX, e.currentTarget.getBoundingClientRect())}
          onPointerLeave={() => setActive(null)}
          onKeyDown={onKey}
          onBlur={() => setActive(null)}
        >
          {y.ticks(5).map((t) => (
            <g key={t}>
              <line x1={M.left} x2={width - M.right} y1={y(t)} y2={y(t)} stroke="var(--border)" />
              <text x={M.left - 6} y={y(t)} dy="0.32em" textAnchor="end" className="fill-muted-foreground text-[10px]">
                {mode === 'share' ? `${Math.round(t * 100)}%` : fmtInt.format(t)}
              </text>
            </g>
          ))}
          {x.ticks(Math.max(2, Math.floor(width / 110))).map((t) => (
            <text key={t.getTime()} x={x(t)} y={HEIGHT - 8} textAnchor="middle" className="fill-muted-foreground text-[10px]">
              {utcFormat('%b %Y')(t)}
            </text>
          ))}
          {layers.map((l) => (
            <path key={l.personaId} d={layerPath(l)} fill={byId.get(l.personaId)?.color ?? 'var(--muted)'} fillOpacity={0.85} stroke="var(--background)" strokeWidth={0.5} />
          ))}
          {active !== null ? (
            <line data-testid="flow-rule" x1={tipLeft} x2={tipLeft} y1={M.top} y2={HEIGHT - M.bottom} stroke="var(--foreground)" strokeWidth={1} strokeDasharray="3 2" />
          ) : null}
        </svg>
        {rows && active !== null ? (
          <div
            role="status"
            data-testid="flow-tooltip"
            className="pointer-events-none absolute top-2 z-10 w-72 rounded-md border bg-popover p-3 text-xs text-popover-foreground shadow-md"
            style={tipLeft > width / 2 ? { left: Math.max(0, tipLeft - 300) } : { left: tipLeft + 12 }}
          >
            <div className="mb-1.5 font-medium">{fmtDay(new Date(times[active]))}</div>
            <table className="w-full">
              <tbody>
                {rows.map((r) => {
                  const p = byId.get(r.personaId);
                  return (
                    <tr key={r.personaId}>
                      <td className="py-0.5 pr-2">
                        <span className="flex items-center gap-1.5">
                          <span aria-hidden className="inline-block size-2 shrink-0 rounded-sm" style={{ background: p?.color }} />
                          <span className="truncate">{p?.name ?? 'Persona'}</span>
                        </span>
                      </td>
                      <td className="pl-2 text-right tabular-nums">{fmtInt.format(r.count)}</td>
                      <td className="w-12 pl-2 text-right tabular-nums text-muted-foreground">{Math.round(r.share * 100)}%</td>
                    </tr>
                  );
                })}
                <tr className="border-t font-medium">
                  <td className="pt-1">All personas</td>
                  <td className="pt-1 text-right tabular-nums">{fmtInt.format(total)}</td>
                  <td />
                </tr>
              </tbody>
            </table>
          </div>
        ) : null}
      </div>
    </div>
  );
}
