import { ArrowDown, ArrowUp } from 'lucide-react';
import { TraitMiniChart } from '@/components/charts/trait-mini-chart';
import { Card } from '@/components/ui/card';
import { GRAPH_TRAITS } from '@/lib/identity-graph/catalog';
import type { SalientTrait } from '@/lib/clustering/types';
import type { DimensionAnalysis } from '@/lib/services/persona-sets';
import { cn } from '@/lib/utils';
import { PersonaAvatar } from './persona-avatar';
import { PersonaNameEditor } from './persona-name-editor';
import type { PersonaSetActions } from './persona-set-actions';

export type { SalientTrait };

export interface PersonaCardData {
  id: string;
  personaSetId: string;
  name: string;
  shortName: string;
  avatar: unknown;
  size: number;
  share: number;
  salient: SalientTrait[];
  color: string;
}

const defs = new Map(GRAPH_TRAITS.map((t) => [t.key, t]));

/** "Age 55 vs 48 in the cohort", "Apartment 58% vs 18%". */
export function describeSalient(s: SalientTrait): string {
  const def = defs.get(s.key);
  const pct = (v: number) => `${Math.round(v * 100)}%`;
  if (s.category !== undefined) return `${s.category.replace(/_/g, ' ')}: ${pct(s.value)} vs ${pct(s.cohortValue)}`;
  if (def?.type === 'boolean') return `${pct(s.value)} vs ${pct(s.cohortValue)}`;
  if (def?.type === 'ordinal' && def.categories) {
    const lv = (v: number) => def.categories![Math.max(0, Math.min(def.categories!.length - 1, Math.round(v)))];
    return `mostly ${lv(s.value)} vs ${lv(s.cohortValue)}`;
  }
  const num = (v: number) =>
    def?.unit === 'USD'
      ? `${v < 0 ? '−' : ''}$${Math.abs(v) >= 1e6 ? `${(Math.abs(v) / 1e6).toFixed(1)}M` : `${Math.round(Math.abs(v) / 1e3)}k`}`
      : v.toLocaleString('en-US', { maximumFractionDigits: Math.abs(v) < 10 ? 1 : 0 });
  return `${num(s.value)} vs ${num(s.cohortValue)}${def?.unit && def.unit !== 'USD' ? ` ${def.unit}` : ''}`;
}

/** traits a card shows unfolded even when fewer set the persona apart */
const MIN_SHOWN = 6;

function TraitRow({ d, s, persona }: { d: DimensionAnalysis; s: SalientTrait | undefined; persona: PersonaCardData }) {
  return (
    <li
      className={cn('flex items-center justify-between gap-3 rounded-md px-2 py-1', s ? 'bg-accent/60' : undefined)}
      data-salient={s ? s.direction : undefined}
    >
      <div className="min-w-0 text-sm">
        <div className={cn('flex items-center gap-1 truncate', s ? 'font-medium' : 'text-muted-foreground')}>
          {s ? (
            s.direction === 'high' ? (
              <ArrowUp aria-label="Higher than the cohort" className="size-3.5 shrink-0 text-success" />
            ) : (
              <ArrowDown aria-label="Lower than the cohort" className="size-3.5 shrink-0 text-destructive" />
            )
          ) : null}
          {d.label}
        </div>
        {s ? <div className="truncate text-xs text-muted-foreground">{describeSalient(s)}</div> : null}
      </div>
      <TraitMiniChart dimension={d} personaId={persona.id} color={persona.color} width={132} height={30} />
    </li>
  );
}

/**
 * One persona: avatar, editable name, population, and its clustering traits against the cohort: those that set it
 * apart first, every trait beyond them and the first MIN_SHOWN folded.
 */
export function PersonaCard({
  persona,
  dimensions,
  confidence,
  renamePersonaAction,
}: {
  persona: PersonaCardData;
  dimensions: DimensionAnalysis[];
  confidence?: string;
} & Pick<PersonaSetActions, 'renamePersonaAction'>) {
  const salientByKey = new Map<string, SalientTrait>();
  for (const s of persona.salient) if (!salientByKey.has(s.key)) salientByKey.set(s.key, s);
  const ordered = [...dimensions].sort((a, b) => {
    const sa = salientByKey.get(a.key);
    const sb = salientByKey.get(b.key);
    if (sa && sb) return Math.abs(sb.z) - Math.abs(sa.z);
    return sa ? -1 : sb ? 1 : 0;
  });
  // what sets the persona apart, and at least a few traits; the rest (a set may cluster on thirty) folded away
  const keep = Math.max(MIN_SHOWN, ordered.filter((d) => salientByKey.has(d.key)).length);
  const shown = ordered.slice(0, keep);
  const folded = ordered.slice(keep);
  return (
    <Card className="gap-4 p-5" data-testid="persona-card" role="group" aria-label={persona.name}>
      <div className="flex items-start gap-4">
        <PersonaAvatar avatar={persona.avatar} size={76} className="shrink-0" />
        <div className="min-w-0 flex-1 space-y-1">
          <PersonaNameEditor personaSetId={persona.personaSetId} personaId={persona.id} name={persona.name} renamePersonaAction={renamePersonaAction} />
          <div className="text-xs text-muted-foreground">{persona.shortName}</div>
          <div className="flex items-baseline gap-2">
            <span className="text-lg font-semibold tabular-nums">{persona.size.toLocaleString('en-US')}</span>
            <span className="text-sm text-muted-foreground">people · {(persona.share * 100).toFixed(1)}% of the cohort</span>
          </div>
          <div className="h-1.5 w-full overflow-hidden rounded-full bg-muted" aria-hidden>
            <div className="h-full rounded-full" style={{ width: `${persona.share * 100}%`, background: persona.color }} />
          </div>
        </div>
      </div>
      <ul className="space-y-1.5" aria-label="Clustering traits, persona against the cohort">
        {shown.map((d) => (
          <TraitRow key={d.key} d={d} s={salientByKey.get(d.key)} persona={persona} />
        ))}
      </ul>
      {folded.length ? (
        <details className="group -mt-2">
          <summary className="cursor-pointer select-none rounded-md px-2 py-1 text-xs text-muted-foreground hover:text-foreground">
            <span className="group-open:hidden">The other {folded.length} trait{folded.length === 1 ? '' : 's'}</span>
            <span className="hidden group-open:inline">Fewer traits</span>
          </summary>
          <ul className="mt-1.5 space-y-1.5" aria-label="Other clustering traits, persona against the cohort">
            {folded.map((d) => (
              <TraitRow key={d.key} d={d} s={undefined} persona={persona} />
            ))}
          </ul>
        </details>
      ) : null}
      {confidence ? <p className="border-t pt-3 text-xs text-muted-foreground">{confidence}</p> : null}
    </Card>
  );
}
