'use client';

import * as React from 'react';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { StateMap, type MapDatum, type MapState } from '@/components/charts/state-map';
import { MIN_STATE_MEMBERS, NO_DATA_COLOR, mapColorScale, stateValues, type MapMetric } from '@/components/charts/map-scale';
import { Card } from '@/components/ui/card';
import { Label } from '@/components/ui/label';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select';
import type { GeoAnalysis } from '@/lib/services/persona-sets';
import { cn } from '@/lib/utils';
import { PersonaAvatar } from './persona-avatar';
import { personaColor } from './quality';

export interface ExploreViewSet {
  id: string;
  name: string;
  cohortName: string;
  personas: { id: string; name: string; position: number; share: number; size: number; avatar: unknown }[];
  geo: GeoAnalysis | null;
}

const pct = (v: number) => `${(v * 100).toFixed(v < 0.1 ? 1 : 0)}%`;

export function ExploreView({ sets, states, width, height }: { sets: ExploreViewSet[]; states: MapState[]; width: number; height: number }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const set = sets.find((s) => s.id === params.get('set')) ?? sets[0];
  const persona = set.personas.find((p) => p.id === params.get('persona')) ?? set.personas[0];
  const metric: MapMetric = params.get('metric') === 'share' ? 'share' : 'index';

  const update = (patch: Record<string, string | null>) => {
    const next = new URLSearchParams(params.toString());
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) next.delete(k);
      else next.set(k, v);
    }
    router.replace(`${pathname}?${next.toString()}`, { scroll: false });
  };

  const values = React.useMemo(() => (set.geo && persona ? stateValues(set.geo, persona.id) : []), [set, persona]);
  const scale = React.useMemo(() => mapColorScale(metric, values.map((v) => (metric === 'share' ? (v.total >= MIN_STATE_MEMBERS ? v.share : null) : v.index))), [metric, values]);
  const data: Record<string, MapDatum> = {};
  for (const v of values) {
    const value = metric === 'share' ? (v.total >= MIN_STATE_MEMBERS ? v.share : null) : v.index;
    data[v.state] = {
      fill: scale.color(value),
      lines: [
        `${v.count.toLocaleString('en-US')} of ${v.total.toLocaleString('en-US')} set members (${pct(v.share)})`,
        v.index === null ? `Too few members for an index` : `Index ${v.index} against the cohort`,
      ],
    };
  }
  const top = values.filter((v) => v.index !== null).sort((a, b) => (b.index ?? 0) - (a.index ?? 0)).slice(0, 6);

  return (
    <div className="grid gap-4 xl:grid-cols-[1fr_18rem]">
      <Card className="gap-4 p-5">
        <div className="flex flex-wrap items-end gap-4">
          <div className="space-y-1.5">
            <Label htmlFor="explore-set">Persona set</Label>
            <Select value={set.id} onValueChange={(v) => update({ set: v, persona: null })}>
              <SelectTrigger id="explore-set" className="w-60">
                <SelectValue>{set.name}</SelectValue>
              </SelectTrigger>
              <SelectContent>
                {sets.map((s) => (
                  <SelectItem key={s.id} value={s.id}>
                    {s.name}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
          </div>
          <div className="space-y-1.5">
            <Label htmlFor="explore-persona">Persona</Label>
            <Select value={persona?.id ?? ''} onValueChange={(v) => update({ persona: v })}>
              <SelectTrigger id="explore-persona" className="w-64">
                <SelectValue placeholder="No personas">{persona?.name}</SelectValue>
              </SelectTrigger>
              <SelectContent>
                {set.personas.map((p) => (
                  <SelectItem key={p.id} value={p.id}>
                    {p.name}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
          </div>
          <div role="group" aria-label="Shade states by" className="inline-flex rounded-md border p-0.5">
            {(['index', 'share'] as const).map((m) => (
              <button
                key={m}
                type="button"
                aria-pressed={metric === m}
                onClick={() => update({ metric: m })}
                className={cn(
                  'rounded px-3 py-1 text-sm outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50',
                  metric === m ? 'bg-primary text-primary-foreground' : 'text-muted-foreground hover:text-foreground',
                )}
              >
                {m === 'index' ? 'Index vs cohort' : 'Share of state'}
              </button>
            ))}
          </div>
        </div>
        {set.geo && persona ? (
          <>
            <StateMap
              states={states}
              data={data}
              width={width}
              height={height}
              label={`Map of US states shaded by ${metric === 'index' ? 'the index' : 'the share'} of ${persona.name}`}
            />
            <Legend metric={metric} domain={scale.domain} color={scale.color} />
          </>
        ) : (
          <p className="py-16 text-center text-sm text-muted-foreground">This set has no geography yet: it appears once its build finishes.</p>
        )}
      </Card>
      {persona ? (
        <Card className="gap-3 p-5">
          <div className="flex items-center gap-3">
            <PersonaAvatar avatar={persona.avatar} size={56} />
            <div>
              <div className="font-medium">{persona.name}</div>
              <div className="text-xs text-muted-foreground">
                {persona.size.toLocaleString('en-US')} people · {pct(persona.share)} of {set.cohortName}
              </div>
            </div>
          </div>
          <h3 className="mt-2 text-sm font-medium">Most over-represented states</h3>
          {top.length ? (
            <ol className="space-y-1 text-sm">
              {top.map((v) => (
                <li key={v.state} className="flex justify-between gap-2">
                  <span>{states.find((s) => s.code === v.state)?.name ?? v.state}</span>
                  <span className="tabular-nums text-muted-foreground">index {v.index}</span>
                </li>
              ))}
            </ol>
          ) : (
            <p className="text-sm text-muted-foreground">Not enough members per state to compare.</p>
          )}
          <p className="mt-auto text-xs text-muted-foreground">
            Index = the persona&apos;s share of the set&apos;s members in a state ÷ its share overall × 100. States with fewer than {MIN_STATE_MEMBERS} members
            are grey.
          </p>
          <span className="sr-only">{`Persona colour ${personaColor(persona.position)}`}</span>
        </Card>
      ) : null}
    </div>
  );
}

function Legend({ metric, domain, color }: { metric: MapMetric; domain: [number, number]; color: (v: number | null) => string }) {
  const stops = metric === 'share' ? [0, 0.25, 0.5, 0.75, 1].map((t) => domain[0] + t * (domain[1] - domain[0])) : [domain[0], Math.round(Math.sqrt(domain[0] * 100)), 100, Math.round(Math.sqrt(domain[1] * 100)), domain[1]];
  return (
    <div className="flex flex-wrap items-center gap-4 text-xs" aria-label="Legend" data-testid="map-legend">
      <span className="font-medium">{metric === 'share' ? 'Share of the state’s set members' : 'Index against the cohort'}</span>
      <span className="flex items-center gap-0">
        {stops.map((s, i) => (
          <span key={i} className="flex flex-col items-center">
            <span className="h-3 w-12" style={{ background: color(s) }} />
            <span className="mt-0.5 tabular-nums text-muted-foreground">{metric === 'share' ? pct(s) : s}</span>
          </span>
        ))}
      </span>
      <span className="flex items-center gap-1.5">
        <span className="h-3 w-4" style={{ background: NO_DATA_COLOR }} /> too few people
      </span>
    </div>
  );
}
