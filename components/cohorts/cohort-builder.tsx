'use client';
// The cohort builder (just over 400 lines): event and trait conditions, their validation and the live member
// count share one draft state, so they stay in one client component with its three small fields.

import { useRouter } from 'next/navigation';
import { useEffect, useId, useMemo, useRef, useState, useTransition } from 'react';
import { Plus, X } from 'lucide-react';
import type { ActionResult } from '@/components/action-types';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { FieldError } from '@/components/ui/field-error';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import type { CohortDefinition, EventCondition, TraitCondition } from '@/lib/cohorts/definition';

type Result<T> = ActionResult<T>;

export interface BuilderTrait {
  key: string;
  label: string;
  type: 'numeric' | 'ordinal' | 'categorical' | 'boolean';
  categories: string[] | null;
  source: 'graph' | 'custom';
  coverage: number;
  unit: string | null;
}

type EventKind = EventCondition['kind'];
const EVENT_KINDS: { kind: EventKind; label: string }[] = [
  { kind: 'order_count', label: 'Number of orders' },
  { kind: 'total_spend', label: 'Total spend (USD)' },
  { kind: 'first_order', label: 'First order date' },
  { kind: 'last_order', label: 'Last order date' },
  { kind: 'bought', label: 'Bought a product or category' },
];

// Form state keeps what the analyst typed (strings); the definition is derived from it.
interface EventRow {
  uid: number;
  kind: EventKind;
  min: string;
  max: string;
  windowDays: string;
  withinDays: string;
  olderThanDays: string;
  from: string;
  to: string;
  products: string[];
  categories: string[];
}
interface TraitRow {
  uid: number;
  key: string;
  min: string;
  max: string;
  values: string[];
}

// Rows rendered on the server get uids 1..n (so ids match when hydrating); rows added later count up from 1000.
let nextUid = 1000;
const blankEvent = (kind: EventKind = 'order_count', uid = nextUid++): EventRow => ({
  uid, kind, min: kind === 'order_count' ? '1' : '', max: '', windowDays: '', withinDays: '', olderThanDays: '', from: '', to: '', products: [], categories: [],
});

const num = (s: string) => (s.trim() === '' ? undefined : Number(s));
const int = (s: string) => (s.trim() === '' ? undefined : Math.round(Number(s)));

function eventRowsOf(def: CohortDefinition): EventRow[] {
  return def.events.map((e, i) => {
    const r = blankEvent(e.kind, i + 1);
    r.min = '';
    if (e.kind === 'order_count' || e.kind === 'total_spend') {
      r.min = e.min?.toString() ?? '';
      r.max = e.max?.toString() ?? '';
      r.windowDays = e.window?.days.toString() ?? '';
    } else if (e.kind === 'bought') {
      r.products = e.products ?? [];
      r.categories = e.categories ?? [];
      r.windowDays = e.window?.days.toString() ?? '';
    } else {
      r.withinDays = e.withinDays?.toString() ?? '';
      r.olderThanDays = e.olderThanDays?.toString() ?? '';
      r.from = e.from ?? '';
      r.to = e.to ?? '';
    }
    return r;
  });
}

function toEvent(r: EventRow): EventCondition {
  const window = r.windowDays.trim() ? { days: int(r.windowDays)! } : null;
  switch (r.kind) {
    case 'order_count':
    case 'total_spend':
      return { kind: r.kind, min: num(r.min), max: num(r.max), window };
    case 'bought':
      return { kind: 'bought', products: r.products.length ? r.products : undefined, categories: r.categories.length ? r.categories : undefined, window };
    default:
      return {
        kind: r.kind,
        withinDays: int(r.withinDays),
        olderThanDays: int(r.olderThanDays),
        from: r.from || undefined,
        to: r.to || undefined,
      };
  }
}

function toTrait(r: TraitRow, t: BuilderTrait | undefined): TraitCondition {
  if (t && (t.type === 'categorical' || t.type === 'boolean')) {
    const values = r.values.map((v) => (t.type === 'boolean' ? v === 'true' : v));
    return { key: r.key, values };
  }
  return { key: r.key, min: num(r.min), max: num(r.max) };
}

const selectClass =
  'h-9 rounded-md border border-input bg-background px-2 text-sm shadow-xs outline-none focus-visible:border-ring focus-visible:ring-[3px] focus-visible:ring-ring/50';

export function CohortBuilder({
  cohortId,
  initial,
  traits,
  products,
  categories,
  saveAction,
  previewAction,
}: {
  cohortId?: string;
  initial?: { name: string; description: string; definition: CohortDefinition };
  traits: BuilderTrait[];
  products: string[];
  categories: string[];
  saveAction:
    | ((input: { name: string; description: string; definition: CohortDefinition }) => Promise<Result<{ id: string }>>)
    | ((input: { cohortId: string; name: string; description: string; definition: CohortDefinition }) => Promise<Result<{ id: string }>>);
  previewAction: (input: { definition: CohortDefinition }) => Promise<Result<{ members: number }>>;
}) {
  const router = useRouter();
  const uid = useId();
  const [name, setName] = useState(initial?.name ?? '');
  const [description, setDescription] = useState(initial?.description ?? '');
  const [events, setEvents] = useState<EventRow[]>(() => (initial ? eventRowsOf(initial.definition) : [blankEvent('order_count', 1)]));
  const [traitRows, setTraitRows] = useState<TraitRow[]>(() =>
    (initial?.definition.traits ?? []).map((t, i) => ({
      uid: 500 + i,
      key: t.key,
      min: t.min?.toString() ?? '',
      max: t.max?.toString() ?? '',
      values: (t.values ?? []).map(String),
    })),
  );
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [answer, setAnswer] = useState<{ key: string; members?: number; error?: string } | null>(null);
  const [saving, startSave] = useTransition();
  const traitByKey = useMemo(() => new Map(traits.map((t) => [t.key, t])), [traits]);

  const definition: CohortDefinition = useMemo(
    () => ({ events: events.map(toEvent), traits: traitRows.filter((r) => r.key).map((r) => toTrait(r, traitByKey.get(r.key))) }),
    [events, traitRows, traitByKey],
  );
  const defKey = JSON.stringify(definition);

  // live size preview, debounced; a stale answer never overwrites a newer one
  const seq = useRef(0);
  useEffect(() => {
    const mine = ++seq.current;
    const t = setTimeout(async () => {
      const r = await previewAction({ definition: JSON.parse(defKey) });
      if (mine !== seq.current) return;
      setAnswer(r.ok ? { key: defKey, members: r.data.members } : { key: defKey, error: 'Finish the conditions to see the size.' });
    }, 400);
    return () => clearTimeout(t);
  }, [defKey, previewAction]);

  const preview = { members: answer?.members, error: answer?.error, loading: answer?.key !== defKey };
  const updEvent = (u: number, patch: Partial<EventRow>) => setEvents((es) => es.map((e) => (e.uid === u ? { ...e, ...patch } : e)));
  const updTrait = (u: number, patch: Partial<TraitRow>) => setTraitRows((ts) => ts.map((t) => (t.uid === u ? { ...t, ...patch } : t)));
  const fe = (path: string) => fieldErrors[path];

  function submit(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    setFieldErrors({});
    startSave(async () => {
      const r = await saveAction({ cohortId: cohortId ?? '', name, description, definition });
      if (r.ok) router.push(`/cohorts/${r.data.id}`);
      else {
        setError(r.error);
        setFieldErrors(r.fieldErrors ?? {});
      }
    });
  }

  return (
    <form onSubmit={submit} className="grid gap-6 lg:grid-cols-[1fr_18rem]" aria-label={cohortId ? 'Edit cohort' : 'New cohort'} noValidate>
      <div className="space-y-6">
        <Card>
          <CardContent className="grid gap-4 pt-6 md:grid-cols-2">
            <div className="space-y-1.5">
              <Label htmlFor={`${uid}-name`}>Name</Label>
              <Input id={`${uid}-name`} value={name} onChange={(e) => setName(e.target.value)} aria-invalid={fe('name') ? true : undefined} aria-describedby={`${uid}-name-error`} />
              <FieldError id={`${uid}-name-error`} message={fe('name')} />
            </div>
            <div className="space-y-1.5">
              <Label htmlFor={`${uid}-desc`}>Description</Label>
              <Input id={`${uid}-desc`} value={description} onChange={(e) => setDescription(e.target.value)} />
            </div>
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle role="heading" aria-level={2}>Orders</CardTitle>
            <CardDescription>All conditions must hold. Leave a bound empty for no limit.</CardDescription>
          </CardHeader>
          <CardContent className="space-y-4">
            {events.map((ev, i) => {
              const p = `${uid}-ev-${ev.uid}`;
              return (
                <fieldset key={ev.uid} className="rounded-md border p-3" data-testid="event-condition">
                  <legend className="sr-only">Order condition {i + 1}</legend>
                  <div className="flex flex-wrap items-end gap-3">
                    <div className="space-y-1.5">
                      <Label htmlFor={`${p}-kind`}>Condition</Label>
                      <select id={`${p}-kind`} className={selectClass} value={ev.kind} onChange={(e) => setEvents((es) => es.map((x) => (x.uid === ev.uid ? { ...blankEvent(e.target.value as EventKind), uid: ev.uid } : x)))}>
                        {EVENT_KINDS.map((k) => (
                          <option key={k.kind} value={k.kind}>
                            {k.label}
                          </option>
                        ))}
                      </select>
                    </div>
                    {ev.kind === 'order_count' || ev.kind === 'total_spend' ? (
                      <>
                        <NumberField id={`${p}-min`} label="At least" value={ev.min} onChange={(v) => updEvent(ev.uid, { min: v })} error={fe(`definition.events.${i}.min`)} />
                        <NumberField id={`${p}-max`} label="At most" value={ev.max} onChange={(v) => updEvent(ev.uid, { max: v })} error={fe(`definition.events.${i}.max`)} />
                        <NumberField id={`${p}-window`} label="In the last (days)" placeholder="all time" value={ev.windowDays} onChange={(v) => updEvent(ev.uid, { windowDays: v })} error={fe(`definition.events.${i}.window.days`)} />
                      </>
                    ) : ev.kind === 'bought' ? (
                      <>
                        <MultiSelect id={`${p}-products`} label="Products" options={products} value={ev.products} onChange={(v) => updEvent(ev.uid, { products: v })} />
                        <MultiSelect id={`${p}-categories`} label="Categories" options={categories} value={ev.categories} onChange={(v) => updEvent(ev.uid, { categories: v })} />
                        <NumberField id={`${p}-window`} label="In the last (days)" placeholder="all time" value={ev.windowDays} onChange={(v) => updEvent(ev.uid, { windowDays: v })} error={fe(`definition.events.${i}.window.days`)} />
                      </>
                    ) : (
                      <>
                        <NumberField id={`${p}-within`} label="In the last (days)" value={ev.withinDays} onChange={(v) => updEvent(ev.uid, { withinDays: v })} error={fe(`definition.events.${i}.withinDays`)} />
                        <NumberField id={`${p}-older`} label="More than (days ago)" value={ev.olderThanDays} onChange={(v) => updEvent(ev.uid, { olderThanDays: v })} error={fe(`definition.events.${i}.olderThanDays`)} />
                        <div className="space-y-1.5">
                          <Label htmlFor={`${p}-from`}>On or after</Label>
                          <Input id={`${p}-from`} type="date" value={ev.from} onChange={(e) => updEvent(ev.uid, { from: e.target.value })} className="w-40" />
                        </div>
                        <div className="space-y-1.5">
                          <Label htmlFor={`${p}-to`}>On or before</Label>
                          <Input id={`${p}-to`} type="date" value={ev.to} onChange={(e) => updEvent(ev.uid, { to: e.target.value })} className="w-40" />
                        </div>
                      </>
                    )}
                    <Button type="button" variant="ghost" size="icon" aria-label={`Remove order condition ${i + 1}`} onClick={() => setEvents((es) => es.filter((x) => x.uid !== ev.uid))}>
                      <X className="size-4" aria-hidden />
                    </Button>
                  </div>
                </fieldset>
              );
            })}
            <Button type="button" variant="outline" size="sm" className="gap-1.5" onClick={() => setEvents((es) => [...es, blankEvent()])}>
              <Plus className="size-4" aria-hidden /> Add order condition
            </Button>
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle role="heading" aria-level={2}>Traits</CardTitle>
            <CardDescription>From the identity graph (matched people) and your own datasets.</CardDescription>
          </CardHeader>
          <CardContent className="space-y-4">
            {traitRows.map((tr, i) => {
              const p = `${uid}-tr-${tr.uid}`;
              const t = traitByKey.get(tr.key);
              return (
                <fieldset key={tr.uid} className="rounded-md border p-3" data-testid="trait-condition">
                  <legend className="sr-only">Trait condition {i + 1}</legend>
                  <div className="flex flex-wrap items-end gap-3">
                    <div className="space-y-1.5">
                      <Label htmlFor={`${p}-key`}>Trait</Label>
                      <select id={`${p}-key`} className={`${selectClass} max-w-64`} value={tr.key} onChange={(e) => updTrait(tr.uid, { key: e.target.value, min: '', max: '', values: [] })}>
                        <option value="">Choose a trait…</option>
                        {(['custom', 'graph'] as const).map((src) => (
                          <optgroup key={src} label={src === 'custom' ? 'Your datasets' : 'Identity graph'}>
                            {traits
                              .filter((x) => x.source === src)
                              .map((x) => (
                                <option key={x.key} value={x.key}>
                                  {x.label} ({x.coverage > 0 && x.coverage < 0.01 ? '<1' : Math.round(x.coverage * 100)}% known)
                                </option>
                              ))}
                          </optgroup>
                        ))}
                      </select>
                    </div>
                    {!t ? null : t.type === 'boolean' ? (
                      <div className="space-y-1.5">
                        <Label htmlFor={`${p}-bool`}>Is</Label>
                        <select id={`${p}-bool`} className={selectClass} value={tr.values[0] ?? ''} onChange={(e) => updTrait(tr.uid, { values: e.target.value ? [e.target.value] : [] })}>
                          <option value="">Choose…</option>
                          <option value="true">Yes</option>
                          <option value="false">No</option>
                        </select>
                      </div>
                    ) : t.type === 'categorical' ? (
                      <MultiSelect id={`${p}-values`} label="Is one of" options={t.categories ?? []} value={tr.values} onChange={(v) => updTrait(tr.uid, { values: v })} />
                    ) : t.type === 'ordinal' ? (
                      <>
                        <LevelSelect id={`${p}-min`} label="From" levels={t.categories ?? []} value={tr.min} onChange={(v) => updTrait(tr.uid, { min: v })} />
                        <LevelSelect id={`${p}-max`} label="To" levels={t.categories ?? []} value={tr.max} onChange={(v) => updTrait(tr.uid, { max: v })} />
                      </>
                    ) : (
                      <>
                        <NumberField id={`${p}-min`} label={`At least${t.unit ? ` (${t.unit})` : ''}`} value={tr.min} onChange={(v) => updTrait(tr.uid, { min: v })} error={fe(`definition.traits.${i}.min`)} />
                        <NumberField id={`${p}-max`} label={`At most${t.unit ? ` (${t.unit})` : ''}`} value={tr.max} onChange={(v) => updTrait(tr.uid, { max: v })} error={fe(`definition.traits.${i}.max`)} />
                      </>
                    )}
                    <Button type="button" variant="ghost" size="icon" aria-label={`Remove trait condition ${i + 1}`} onClick={() => setTraitRows((ts) => ts.filter((x) => x.uid !== tr.uid))}>
                      <X className="size-4" aria-hidden />
                    </Button>
                  </div>
                </fieldset>
              );
            })}
            <Button type="button" variant="outline" size="sm" className="gap-1.5" onClick={() => setTraitRows((ts) => [...ts, { uid: nextUid++, key: '', min: '', max: '', values: [] }])}>
              <Plus className="size-4" aria-hidden /> Add trait condition
            </Button>
          </CardContent>
        </Card>
      </div>

      <div className="space-y-4 lg:sticky lg:top-6 lg:self-start">
        <Card>
          <CardHeader>
            <CardTitle role="heading" aria-level={2}>Size today</CardTitle>
          </CardHeader>
          <CardContent>
            <div className="text-3xl font-semibold tabular-nums" aria-live="polite" data-testid="cohort-preview">
              {preview.members === undefined ? '…' : preview.members.toLocaleString('en-US')}
            </div>
            <p className="mt-1 text-xs text-muted-foreground">
              {preview.error ?? (preview.loading ? 'Updating…' : 'people match these conditions')}
            </p>
          </CardContent>
        </Card>
        <FieldError message={error} />
        <Button type="submit" className="w-full" disabled={saving}>
          {saving ? 'Saving…' : cohortId ? 'Save changes' : 'Create cohort'}
        </Button>
      </div>
    </form>
  );
}

function NumberField({ id, label, value, onChange, error, placeholder }: { id: string; label: string; value: string; onChange: (v: string) => void; error?: string[]; placeholder?: string }) {
  return (
    <div className="space-y-1.5">
      <Label htmlFor={id}>{label}</Label>
      <Input id={id} type="number" inputMode="decimal" className="w-32" value={value} placeholder={placeholder} onChange={(e) => onChange(e.target.value)} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} />
      <FieldError id={`${id}-error`} message={error} className="text-xs" />
    </div>
  );
}

function MultiSelect({ id, label, options, value, onChange }: { id: string; label: string; options: string[]; value: string[]; onChange: (v: string[]) => void }) {
  return (
    <div className="space-y-1.5">
      <Label htmlFor={id}>{label}</Label>
      <select
        id={id}
        multiple
        size={Math.min(5, Math.max(2, options.length))}
        className="min-w-48 rounded-md border border-input bg-background p-1 text-sm outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
        value={value}
        onChange={(e) => onChange([...e.target.selectedOptions].map((o) => o.value))}
      >
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </div>
  );
}

function LevelSelect({ id, label, levels, value, onChange }: { id: string; label: string; levels: string[]; value: string; onChange: (v: string) => void }) {
  return (
    <div className="space-y-1.5">
      <Label htmlFor={id}>{label}</Label>
      <select id={id} className={selectClass} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">Any</option>
        {levels.map((l, i) => (
          <option key={l} value={String(i)}>
            {l}
          </option>
        ))}
      </select>
    </div>
  );
}
