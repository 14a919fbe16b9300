import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ChevronLeft, X } from 'lucide-react';
import { DimensionChart } from '@/components/charts/dimension-chart';
import { FlowChart } from '@/components/charts/flow-chart';
import { PageHeader } from '@/components/shell/app-shell';
import { AddTraitDialog } from '@/components/personas/add-trait-dialog';
import { BuildStatusCard } from '@/components/personas/build-status-card';
import { ExploreSwitch } from '@/components/personas/explore-switch';
import { PersonaCard, type SalientTrait } from '@/components/personas/persona-card';
import { describeConfidence, describeSeparation, describeStability, personaColor, toQuality } from '@/components/personas/quality';
import { RevenuePanel } from '@/components/personas/revenue-panel';
import { SetActions } from '@/components/personas/set-actions';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { requireTenant } from '@/lib/auth';
import { formatDateTime } from '@/lib/format';
import { ServiceError } from '@/lib/services/errors';
import {
  clusteringTraitKeys,
  getAnalysis,
  getAssignmentConfidence,
  getDimensionAnalyses,
  getPersonaSetDetail,
  listBuildTimings,
  type BuildTiming,
  listDimensionAnalyses,
  listDriftAlerts,
  listTraitOptions,
} from '@/lib/services/persona-sets';
import type { Tenant } from '@/lib/services/tenant';
import { cn } from '@/lib/utils';
import {
  archivePersonaSetAction,
  deletePersonaSetAction,
  rebuildPersonaSetAction,
  renamePersonaAction,
  renamePersonaSetAction,
  setShowInExploreAction,
} from '../actions';
import { ScoringTab } from './scoring-tab';
import { BuildTimings } from '@/components/personas/build-timings';
import { resolveDriftAlertAction } from './tracking-actions';
import { TransitionsTab } from './transitions-tab';
import { DriftAlertCard } from '@/components/personas/drift-alert-card';

type Tab = 'definition' | 'analysis' | 'flow' | 'transitions' | 'scoring';
const TABS: { id: Tab; label: string }[] = [
  { id: 'definition', label: 'Definition' },
  { id: 'analysis', label: 'Analysis' },
  { id: 'flow', label: 'Flow' },
  { id: 'transitions', label: 'Transitions' },
  { id: 'scoring', label: 'Scoring' },
];

export async function generateMetadata() {
  return { title: 'Persona set' };
}

export default async function PersonaSetPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ tab?: string; traits?: string; from?: string; to?: string; person?: string }>;
}) {
  const { tenant } = await requireTenant();
  const [{ id }, sp] = await Promise.all([params, searchParams]);
  const detail = await getPersonaSetDetail(tenant, id).catch((err) => {
    if (err instanceof ServiceError && err.code === 'not_found') notFound();
    throw err;
  });
  const { set, cohort, personas } = detail;
  const tab: Tab = TABS.find((t) => t.id === sp.tab)?.id ?? 'definition';
  const [openAlert] = await listDriftAlerts(tenant, { personaSetId: id, openOnly: true, limit: 1 });
  const built = personas.length > 0;
  const colored = personas.map((p, i) => ({ ...p, color: personaColor(i) }));
  const chartPersonas = colored.map((p) => ({ id: p.id, name: p.name, color: p.color, share: p.share }));
  const archived = set.archivedAt !== null;

  return (
    <>
      <Link href="/persona-sets" className="mb-2 inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
        <ChevronLeft aria-hidden className="size-4" /> Persona sets
      </Link>
      <PageHeader
        title={set.name}
        description={
          <>
            {cohort.name} · {(set.memberCount ?? cohort.memberCount).toLocaleString('en-US')} people
            {set.k ? ` · ${set.k} personas` : ''}
            {set.builtAt ? ` · built ${formatDateTime(set.builtAt)}` : ''}
            {archived ? ' · archived' : ''}
          </>
        }
        actions={
          <>
            <label className="flex items-center gap-2 text-sm">
              <ExploreSwitch
                id={set.id}
                name={set.name}
                checked={set.showInExplore}
                disabled={archived || !set.builtAt}
                setShowInExploreAction={setShowInExploreAction}
              />
              <span aria-hidden>Show in Explore</span>
            </label>
            {set.builtAt ? (
              <Button asChild variant="outline" size="sm">
                <Link href={`/persona-sets/compare?a=${set.id}`}>Compare with…</Link>
              </Button>
            ) : null}
            <SetActions
              set={{ id: set.id, name: set.name, archived, status: set.status }}
              afterDelete="/persona-sets"
              renamePersonaSetAction={renamePersonaSetAction}
              rebuildPersonaSetAction={rebuildPersonaSetAction}
              archivePersonaSetAction={archivePersonaSetAction}
              deletePersonaSetAction={deletePersonaSetAction}
            />
          </>
        }
      />
      {openAlert && tab !== 'scoring' ? (
        <div className="mb-5">
          <DriftAlertCard alert={openAlert} resolveDriftAlertAction={resolveDriftAlertAction} />
        </div>
      ) : null}
      {set.status !== 'ready' ? (
        <div className="mb-6">
          <BuildStatusCard
            set={{ id: set.id, name: set.name, status: set.status, progress: set.progress, currentStep: set.currentStep, stepDetail: set.stepDetail, error: set.error }}
            hasPrevious={built}
            rebuildPersonaSetAction={rebuildPersonaSetAction}
          />
        </div>
      ) : null}
      {!built ? (
        set.status !== 'errored' ? (
          <div className="grid gap-4 md:grid-cols-2 xl:grid-cols-3" aria-hidden>
            {Array.from({ length: 3 }, (_, i) => (
              <Card key={i} className="h-72 animate-pulse bg-muted/40" />
            ))}
          </div>
        ) : null
      ) : (
        <>
          <nav aria-label="Persona set views" className="mb-5 inline-flex h-9 items-center rounded-lg bg-muted p-[3px] text-muted-foreground">
            {TABS.map((t) => (
              <Link
                key={t.id}
                href={`/persona-sets/${set.id}?tab=${t.id}${t.id === 'analysis' && sp.traits ? `&traits=${encodeURIComponent(sp.traits)}` : ''}`}
                aria-current={tab === t.id ? 'page' : undefined}
                scroll={false}
                className={cn(
                  'inline-flex h-full items-center rounded-md px-4 text-sm font-medium outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50',
                  tab === t.id ? 'bg-background text-foreground shadow-sm' : 'hover:text-foreground',
                )}
              >
                {t.label}
              </Link>
            ))}
          </nav>
          {tab === 'definition' ? (
            <DefinitionTab
              setId={set.id}
              tenant={tenant}
              quality={set.quality}
              clusteringKeys={clusteringTraitKeys(set)}
              personas={colored}
              timings={listBuildTimings(set)}
            />
          ) : tab === 'analysis' ? (
            <AnalysisTab
              setId={set.id}
              tenant={tenant}
              clusteringKeys={clusteringTraitKeys(set)}
              added={(sp.traits ?? '').split(',').filter((k) => /^[a-z0-9_.:-]{1,80}$/i.test(k)).slice(0, 12)}
              personas={chartPersonas}
              memberCount={set.memberCount ?? 0}
            />
          ) : tab === 'scoring' ? (
            <ScoringTab tenant={tenant} set={{ id: set.id, name: set.name, schedule: set.schedule, ready: set.status === 'ready' && !archived }} />
          ) : tab === 'transitions' ? (
            <TransitionsTab setId={set.id} tenant={tenant} personas={chartPersonas} query={sp} />
          ) : (
            <FlowTab setId={set.id} tenant={tenant} personas={chartPersonas} />
          )}
        </>
      )}
    </>
  );
}

async function DefinitionTab({
  setId,
  tenant,
  quality,
  clusteringKeys,
  personas,
  timings,
}: {
  setId: string;
  tenant: Tenant;
  quality: unknown;
  timings: BuildTiming[];
  clusteringKeys: string[];
  personas: { id: string; personaSetId: string; name: string; shortName: string; avatar: unknown; size: number; share: number; salient: unknown[]; color: string }[];
}) {
  const [stored, confidence] = await Promise.all([listDimensionAnalyses(tenant, setId), getAssignmentConfidence(tenant, setId)]);
  const storedKeys = new Set(stored.map((d) => d.key));
  const missing = clusteringKeys.filter((k) => !storedKeys.has(k));
  const computed = missing.length ? await getDimensionAnalyses(tenant, setId, missing).catch(() => []) : [];
  const all = [...stored, ...computed];
  const dims = (clusteringKeys.length ? clusteringKeys.map((k) => all.find((d) => d.key === k)) : all.filter((d) => d.clustering)).filter((d) => d !== undefined);
  const q = toQuality(quality);
  const sep = describeSeparation(q.silhouette);
  const stab = describeStability(q.stability);
  const nameOf = new Map(personas.map((p) => [p.id, p.name]));
  return (
    <div className="space-y-5">
      {sep || stab ? (
        <Card className="grid gap-4 p-5 md:grid-cols-2" data-testid="set-quality">
          {[sep, stab].map((d, i) =>
            d ? (
              <div key={i} className="flex gap-3">
                <span aria-hidden className={cn('mt-1.5 size-2.5 shrink-0 rounded-full', d.tone === 'good' ? 'bg-success' : d.tone === 'fair' ? 'bg-warning' : 'bg-destructive')} />
                <div>
                  <div className="font-medium">{d.title}</div>
                  <p className="text-sm text-muted-foreground">{d.detail}</p>
                </div>
              </div>
            ) : null,
          )}
        </Card>
      ) : null}
      <div className="grid gap-4 lg:grid-cols-2 2xl:grid-cols-3">
        {personas.map((p) => {
          const c = confidence.find((x) => x.personaId === p.id);
          return (
            <PersonaCard
              key={p.id}
              persona={{ ...p, salient: p.salient as SalientTrait[] }}
              dimensions={dims}
              renamePersonaAction={renamePersonaAction}
              confidence={c ? `Confidence: ${describeConfidence(c.clearShare, c.runnerUpPersonaId ? (nameOf.get(c.runnerUpPersonaId) ?? null) : null, c.runnerUpShare)}` : undefined}
            />
          );
        })}
      </div>
      <p className="text-xs text-muted-foreground">
        Bars: the persona&apos;s distribution of each trait; dark ticks: the whole cohort. Highlighted traits set the persona apart.
      </p>
      <BuildTimings timings={timings} />
    </div>
  );
}

async function AnalysisTab({
  setId,
  tenant,
  clusteringKeys,
  added,
  personas,
  memberCount,
}: {
  setId: string;
  tenant: Tenant;
  clusteringKeys: string[];
  added: string[];
  personas: { id: string; name: string; color: string; share: number }[];
  memberCount: number;
}) {
  const [stored, revenue, traits] = await Promise.all([
    listDimensionAnalyses(tenant, setId),
    getAnalysis(tenant, setId, 'revenue', 'summary'),
    listTraitOptions(tenant),
  ]);
  const known = new Set(traits.map((t) => t.key));
  const addedKeys = added.filter((k) => known.has(k));
  const addedDims = await getDimensionAnalyses(tenant, setId, addedKeys);
  const labelOf = new Map(traits.map((t) => [t.key, t.label]));
  const clusteringSet = new Set(clusteringKeys.length ? clusteringKeys : stored.filter((d) => d.clustering).map((d) => d.key));
  const standard = stored.filter((d) => !clusteringSet.has(d.key) && !addedKeys.includes(d.key));
  const clustering = stored.filter((d) => clusteringSet.has(d.key));
  const withoutTrait = (key: string) => {
    const rest = addedKeys.filter((k) => k !== key);
    return `/persona-sets/${setId}?tab=analysis${rest.length ? `&traits=${rest.join(',')}` : ''}`;
  };
  return (
    <div className="space-y-5">
      <Card className="flex-row flex-wrap items-start justify-between gap-4 p-5">
        <div className="space-y-2">
          <div className="flex gap-8">
            <div>
              <div className="text-xs text-muted-foreground">People in the set</div>
              <div className="text-2xl font-semibold tabular-nums">{memberCount.toLocaleString('en-US')}</div>
            </div>
            <div>
              <div className="text-xs text-muted-foreground">Personas</div>
              <div className="text-2xl font-semibold tabular-nums">{personas.length}</div>
            </div>
          </div>
          <div>
            <div className="mb-1 text-xs text-muted-foreground">Clustering traits</div>
            <ul className="flex flex-wrap gap-1.5" data-testid="clustering-traits">
              {[...clusteringSet].map((k) => (
                <li key={k}>
                  <Badge variant="secondary">{labelOf.get(k) ?? k}</Badge>
                </li>
              ))}
            </ul>
          </div>
        </div>
        {/* a trait the page already shows (clustering, standard or added) is not offered again */}
        <AddTraitDialog traits={traits} shown={[...addedKeys, ...clusteringSet, ...standard.map((d) => d.key)]} />
      </Card>

      {addedDims.map((d) => (
        <Card key={d.key} className="gap-3 p-5" data-testid="added-trait">
          <div className="flex items-center justify-between gap-2">
            <h2 className="font-medium">{d.label}</h2>
            <Link href={withoutTrait(d.key)} scroll={false} className="inline-flex items-center gap-1 rounded text-sm text-muted-foreground hover:text-foreground" aria-label={`Remove ${d.label}`}>
              <X aria-hidden className="size-4" /> Remove
            </Link>
          </div>
          <DimensionChart dimension={d} personas={personas} />
        </Card>
      ))}

      {revenue ? (
        <Card className="gap-3 p-5">
          <h2 className="font-medium">Revenue</h2>
          <RevenuePanel revenue={revenue} personas={personas} />
        </Card>
      ) : null}

      <div className="grid gap-4">
        {standard.map((d) => (
          <Card key={d.key} className="gap-3 p-5">
            <h2 className="font-medium">{d.label}</h2>
            <DimensionChart dimension={d} personas={personas} />
          </Card>
        ))}
      </div>

      {clustering.length ? (
        <details className="rounded-lg border bg-card p-5">
          <summary className="cursor-pointer font-medium">Clustering traits compared ({clustering.length})</summary>
          <div className="mt-4 grid gap-6 xl:grid-cols-2">
            {clustering.map((d) => (
              <div key={d.key} className="space-y-2">
                <h3 className="text-sm font-medium">{d.label}</h3>
                <DimensionChart dimension={d} personas={personas} />
              </div>
            ))}
          </div>
        </details>
      ) : null}
    </div>
  );
}

async function FlowTab({ setId, tenant, personas }: { setId: string; tenant: Tenant; personas: { id: string; name: string; color: string }[] }) {
  const flow = await getAnalysis(tenant, setId, 'flow', 'daily');
  if (!flow || !flow.days.length)
    return <Card className="p-10 text-center text-sm text-muted-foreground">No membership history yet for this set.</Card>;
  const last = flow.days.length - 1;
  const lookback = Math.max(0, last - 30);
  return (
    <div className="space-y-4">
      <Card className="gap-3 p-5">
        <h2 className="font-medium">Membership per day</h2>
        <FlowChart flow={flow} personas={personas} />
      </Card>
      <Card className="gap-2 p-5">
        <h2 className="font-medium">Last 30 days</h2>
        <ul className="grid gap-2 text-sm sm:grid-cols-2 xl:grid-cols-3">
          {flow.personas.map((fp) => {
            const p = personas.find((x) => x.id === fp.personaId);
            const now = fp.counts[last] ?? 0;
            const diff = now - (fp.counts[lookback] ?? 0);
            return (
              <li key={fp.personaId} className="flex items-center justify-between gap-2 rounded-md border px-3 py-2">
                <span className="flex min-w-0 items-center gap-1.5">
                  <span aria-hidden className="inline-block size-2.5 shrink-0 rounded-sm" style={{ background: p?.color }} />
                  <span className="truncate">{p?.name ?? 'Persona'}</span>
                </span>
                <span className="shrink-0 tabular-nums">
                  {now.toLocaleString('en-US')}{' '}
                  <span className={cn('text-xs', diff > 0 ? 'text-success' : diff < 0 ? 'text-destructive' : 'text-muted-foreground')}>
                    ({diff > 0 ? '+' : diff < 0 ? '−' : '±'}
                    {Math.abs(diff).toLocaleString('en-US')})
                  </span>
                </span>
              </li>
            );
          })}
        </ul>
      </Card>
    </div>
  );
}
