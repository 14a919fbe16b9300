import Link from 'next/link';
import { ChevronLeft } from 'lucide-react';
import { OverlapMatrix } from '@/components/personas/overlap-matrix';
import { PageHeader } from '@/components/shell/app-shell';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Label } from '@/components/ui/label';
import { requireTenant } from '@/lib/auth';
import { formatInt } from '@/lib/format';
import { comparePersonaSets, listComparableSets } from '@/lib/services/persona-sets';
import { outcomeOf } from '../service-outcome';

export const metadata = { title: 'Compare persona sets' };

/** A standardized difference as shown, or a dash where the trait does not set the persona apart. */
const sd = (z: number | null) => (z === null ? '—' : `${z >= 0 ? '+' : '−'}${Math.abs(z).toFixed(1)} SD`);

const SELECT = 'h-9 w-72 rounded-md border border-input bg-background px-3 text-sm shadow-xs outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50';

export default async function ComparePage({ searchParams }: { searchParams: Promise<{ a?: string; b?: string }> }) {
  const { tenant } = await requireTenant();
  const sp = await searchParams;
  const sets = await listComparableSets(tenant);
  const a = sets.find((s) => s.id === sp.a)?.id ?? sets[0]?.id;
  const b = sets.find((s) => s.id === sp.b && s.id !== a)?.id ?? (sp.a && !sp.b ? undefined : sets.find((s) => s.id !== a)?.id);
  const { data: result, error } = a && b ? await outcomeOf(comparePersonaSets(tenant, a, b)) : { data: null, error: null };
  const traitLabel = (key: string) => result?.a.traits.find((t) => t.key === key)?.label ?? result?.b.traits.find((t) => t.key === key)?.label ?? key;
  const nameA = new Map(result?.a.personas.map((p) => [p.id, p.name]));
  const nameB = new Map(result?.b.personas.map((p) => [p.id, p.name]));

  return (
    <>
      <Link href="/persona-sets" className="mb-2 inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
        <ChevronLeft aria-hidden className="size-4" /> Persona sets
      </Link>
      <PageHeader title="Compare persona sets" description="Two ready sets side by side: who is in both, persona by persona, and what sets their personas apart." />
      {sets.length < 2 ? (
        <Card className="p-10 text-center text-sm text-muted-foreground">Comparing needs two ready persona sets.</Card>
      ) : (
        <div className="space-y-5">
          <Card className="p-5">
            <form className="flex flex-wrap items-end gap-3" action="/persona-sets/compare">
              {(['a', 'b'] as const).map((side) => (
                <div key={side} className="grid gap-1.5">
                  <Label htmlFor={`compare-${side}`}>{side === 'a' ? 'First set' : 'Second set'}</Label>
                  <select id={`compare-${side}`} name={side} defaultValue={side === 'a' ? a : b} className={SELECT}>
                    {side === 'b' && !b ? <option value="">Choose a set</option> : null}
                    {sets.map((s) => (
                      <option key={s.id} value={s.id}>
                        {s.name} ({s.cohortName})
                      </option>
                    ))}
                  </select>
                </div>
              ))}
              <Button type="submit">Compare</Button>
            </form>
            {error ? <p className="mt-3 text-sm text-destructive">{error}</p> : null}
          </Card>
          {result ? (
            <>
              <div className="grid gap-4 md:grid-cols-3">
                {[
                  [result.a.name, `${result.a.cohortName} · ${formatInt(result.a.members)} people · ${result.a.personas.length} personas`],
                  [result.b.name, `${result.b.cohortName} · ${formatInt(result.b.members)} people · ${result.b.personas.length} personas`],
                  ['In both', `${formatInt(result.shared)} people`],
                ].map(([title, detail]) => (
                  <Card key={title} className="gap-1 p-4">
                    <div className="font-medium">{title}</div>
                    <div className="text-sm text-muted-foreground">{detail}</div>
                  </Card>
                ))}
              </div>
              <Card className="gap-3 p-5">
                <h2 className="font-medium">Overlap</h2>
                <OverlapMatrix a={result.a} b={result.b} overlap={result.overlap} />
              </Card>
              <Card className="gap-3 p-5">
                <h2 className="font-medium">Clustering traits</h2>
                {(
                  [
                    ['Both', result.traits.shared],
                    [`Only ${result.a.name}`, result.traits.onlyA],
                    [`Only ${result.b.name}`, result.traits.onlyB],
                  ] as const
                ).map(([label, keys]) => (
                  <div key={label} className="flex flex-wrap items-center gap-1.5 text-sm">
                    <span className="w-40 text-muted-foreground">{label}</span>
                    {keys.length ? keys.map((k) => <Badge key={k} variant="secondary">{traitLabel(k)}</Badge>) : <span className="text-muted-foreground">—</span>}
                  </div>
                ))}
              </Card>
              <Card className="gap-3 p-5">
                <h2 className="font-medium">Closest personas and what differs</h2>
                <ul className="space-y-2 text-sm" data-testid="compare-pairs">
                  {result.pairs.map((p) => (
                    <li key={p.aPersonaId} className="rounded-md border px-3 py-2">
                      <div>
                        <span className="font-medium">{nameA.get(p.aPersonaId)}</span> ↔{' '}
                        <span className="font-medium">{p.bPersonaId ? nameB.get(p.bPersonaId) : 'nobody in common'}</span>
                        {p.bPersonaId ? <span className="text-muted-foreground"> · Jaccard {(p.jaccard * 100).toFixed(1)}%</span> : null}
                      </div>
                      {p.differences.length ? (
                        <div className="mt-1 text-xs text-muted-foreground">
                          {p.differences.map((d) => `${d.label}: ${sd(d.a)} vs ${sd(d.b)}`).join(' · ')}
                        </div>
                      ) : p.bPersonaId ? (
                        <div className="mt-1 text-xs text-muted-foreground">No salient trait differs by half a standard deviation.</div>
                      ) : null}
                    </li>
                  ))}
                </ul>
              </Card>
            </>
          ) : null}
        </div>
      )}
    </>
  );
}
