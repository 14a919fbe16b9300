'use client';

import * as React from 'react';

export interface MapState {
  code: string;
  name: string;
  d: string;
}

export interface MapDatum {
  fill: string;
  /** tooltip lines */
  lines: string[];
}

/** A US state map: each state filled by the caller's colour, with a hover (or focus) tooltip. */
export function StateMap({
  states,
  data,
  width,
  height,
  label,
}: {
  states: MapState[];
  data: Record<string, MapDatum | undefined>;
  width: number;
  height: number;
  label: string;
}) {
  const [hover, setHover] = React.useState<{ code: string; x: number; y: number; w: number } | null>(null);
  const box = React.useRef<HTMLDivElement>(null);
  const at = (code: string, el: Element, clientX?: number, clientY?: number) => {
    const host = box.current?.getBoundingClientRect();
    const r = el.getBoundingClientRect();
    if (!host) return;
    setHover({
      code,
      x: (clientX ?? r.left + r.width / 2) - host.left,
      y: (clientY ?? r.top + r.height / 2) - host.top,
      w: host.width,
    });
  };
  const active = hover ? states.find((s) => s.code === hover.code) : null;
  const d = hover ? data[hover.code] : undefined;
  return (
    <div ref={box} className="relative">
      <svg viewBox={`0 0 ${width} ${height}`} className="h-auto w-full" role="group" aria-label={label} data-testid="state-map">
        {states.map((s) => {
          const datum = data[s.code];
          return (
            <path
              key={s.code}
              d={s.d}
              fill={datum?.fill ?? '#e5e7eb'}
              stroke="var(--background)"
              strokeWidth={hover?.code === s.code ? 2.5 : 0.8}
              tabIndex={0}
              role="img"
              aria-label={`${s.name}: ${(datum?.lines ?? ['no members']).join(', ')}`}
              data-state={s.code}
              className="cursor-pointer outline-none focus-visible:stroke-[var(--foreground)] focus-visible:stroke-[3]"
              onPointerMove={(e) => at(s.code, e.currentTarget, e.clientX, e.clientY)}
              onPointerLeave={() => setHover(null)}
              onFocus={(e) => at(s.code, e.currentTarget)}
              onBlur={() => setHover(null)}
            />
          );
        })}
      </svg>
      {hover && active ? (
        <div
          role="status"
          data-testid="map-tooltip"
          className="pointer-events-none absolute z-10 w-56 rounded-md border bg-popover p-3 text-xs text-popover-foreground shadow-md"
          style={{ left: Math.min(hover.x + 14, hover.w - 232), top: Math.max(0, hover.y - 10) }}
        >
          <div className="mb-1 font-medium">{active.name}</div>
          {(d?.lines ?? ['No members of this set']).map((l, i) => (
            <div key={i}>{l}</div>
          ))}
        </div>
      ) : null}
    </div>
  );
}
