'use client';

import * as React from 'react';
import { useRouter } from 'next/navigation';
import { ChevronDown, ChevronRight, RotateCcw, Search } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Checkbox } from '@/components/ui/checkbox';
import { FieldError } from '@/components/ui/field-error';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select';
import type { CohortOption, TraitOption } from '@/lib/services/persona-sets';
import type { PersonaSetActions } from './persona-set-actions';

const CATEGORY_LABELS: Record<string, string> = {
  demographics: 'Demographics',
  finances: 'Finances',
  property: 'Property',
  lifestyle: 'Lifestyle & interests',
  purchase: 'Purchase behaviour',
  geography: 'Geography',
  custom: 'Your datasets',
};

const sameSet = (a: Set<string>, b: readonly string[]) => a.size === b.length && b.every((k) => a.has(k));

export function NewPersonaSetForm({
  cohorts,
  traits,
  defaults,
  initialCohortId,
  createPersonaSetAction,
}: {
  cohorts: CohortOption[];
  traits: TraitOption[];
  defaults: readonly string[];
  initialCohortId?: string;
} & Pick<PersonaSetActions, 'createPersonaSetAction'>) {
  const router = useRouter();
  const [cohortId, setCohortId] = React.useState(initialCohortId ?? '');
  const [name, setName] = React.useState('');
  const [advanced, setAdvanced] = React.useState(false);
  const [selected, setSelected] = React.useState(() => new Set(defaults));
  const [query, setQuery] = React.useState('');
  const [kMode, setKMode] = React.useState<'auto' | 'fixed'>('auto');
  const [k, setK] = React.useState('5');
  const [errors, setErrors] = React.useState<Record<string, string[]>>({});
  const [formError, setFormError] = React.useState<string | null>(null);
  const [pending, start] = React.useTransition();

  const untouched = sameSet(selected, defaults);
  const q = query.trim().toLowerCase();
  const shown = traits.filter((t) => !q || t.label.toLowerCase().includes(q) || t.key.includes(q) || t.description.toLowerCase().includes(q));
  const groups = [...new Set(shown.map((t) => t.category))].map((c) => ({ category: c, items: shown.filter((t) => t.category === c) }));

  const toggle = (key: string, on: boolean) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (on) next.add(key);
      else next.delete(key);
      return next;
    });

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setErrors({});
    setFormError(null);
    const local: Record<string, string[]> = {};
    if (!cohortId) local.cohortId = ['Choose a cohort'];
    if (!name.trim()) local.name = ['Enter a name'];
    if (selected.size < 2) local.traitKeys = ['Choose at least two traits'];
    if (Object.keys(local).length) {
      setErrors(local);
      return;
    }
    start(async () => {
      const res = await createPersonaSetAction({
        name,
        cohortId,
        traitKeys: untouched ? null : [...selected],
        k: kMode === 'fixed' ? Number(k) : null,
      });
      if (!res.ok) {
        setErrors(res.fieldErrors ?? {});
        setFormError(res.error);
        return;
      }
      router.push(`/persona-sets/${res.data.id}`);
    });
  };

  const err = (key: string) => errors[key];
  const described = (key: string) => (err(key) ? { 'aria-invalid': true as const, 'aria-describedby': `${key}-error` } : {});

  return (
    <form onSubmit={submit} className="max-w-3xl space-y-6" noValidate>
      <Card className="gap-5 p-6">
        <div className="grid gap-1.5">
          <Label htmlFor="cohortId">Cohort</Label>
          <Select value={cohortId} onValueChange={setCohortId}>
            <SelectTrigger id="cohortId" className="w-full sm:w-96" {...described('cohortId')}>
              <SelectValue placeholder="Choose a cohort" />
            </SelectTrigger>
            <SelectContent>
              {cohorts.map((c) => (
                <SelectItem key={c.id} value={c.id}>
                  {c.name} · {c.members.toLocaleString('en-US')} people
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
          <p className="text-xs text-muted-foreground">The group of people to split into personas.</p>
          <FieldError id="cohortId-error" message={err('cohortId')} />
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="name">Name</Label>
          <Input id="name" value={name} onChange={(e) => setName(e.target.value)} className="sm:w-96" maxLength={100} {...described('name')} />
          <p className="text-xs text-muted-foreground">Unique within your account.</p>
          <FieldError id="name-error" message={err('name')} />
        </div>
      </Card>

      <Card className="gap-4 p-6">
        <button
          type="button"
          className="-m-1 flex items-center gap-2 rounded p-1 text-left font-medium outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
          aria-expanded={advanced}
          aria-controls="advanced-panel"
          onClick={() => setAdvanced((v) => !v)}
        >
          {advanced ? <ChevronDown aria-hidden className="size-4" /> : <ChevronRight aria-hidden className="size-4" />}
          Advanced
          <span className="text-sm font-normal text-muted-foreground">
            {untouched ? '— traits chosen automatically' : `— ${selected.size} traits chosen by you`}
            {kMode === 'fixed' ? `, ${k} personas` : ', number of personas automatic'}
          </span>
        </button>
        {advanced ? (
          <div id="advanced-panel" className="space-y-5">
            <fieldset className="space-y-3">
              <legend className="text-sm font-medium">Clustering traits</legend>
              <p className="text-sm text-muted-foreground">
                {untouched
                  ? 'Left as they are, Facet picks the traits that best separate this cohort (high coverage, little redundancy), starting from these.'
                  : 'Facet clusters on exactly the traits you tick.'}
              </p>
              <div className="flex flex-wrap items-center gap-2">
                <div className="relative">
                  <Search aria-hidden className="absolute top-2.5 left-2.5 size-4 text-muted-foreground" />
                  <Input
                    type="search"
                    aria-label="Search traits"
                    placeholder="Search traits"
                    value={query}
                    onChange={(e) => setQuery(e.target.value)}
                    className="w-64 pl-8"
                  />
                </div>
                <Button type="button" variant="outline" size="sm" onClick={() => setSelected(new Set(defaults))} disabled={untouched}>
                  <RotateCcw aria-hidden /> Reset to defaults
                </Button>
                <span className="text-sm text-muted-foreground" aria-live="polite">
                  {selected.size} selected
                </span>
              </div>
              <FieldError id="traitKeys-error" message={err('traitKeys')} />
              <div className="max-h-96 space-y-4 overflow-y-auto rounded-md border p-4">
                {groups.length === 0 ? <p className="text-sm text-muted-foreground">No trait matches “{query}”.</p> : null}
                {groups.map((g) => (
                  <div key={g.category} role="group" aria-labelledby={`cat-${g.category}`}>
                    <h3 id={`cat-${g.category}`} className="mb-2 text-xs font-semibold tracking-wide text-muted-foreground uppercase">
                      {CATEGORY_LABELS[g.category] ?? g.category}
                    </h3>
                    <div className="grid gap-x-4 gap-y-2 sm:grid-cols-2">
                      {g.items.map((t) => (
                        <label key={t.key} className="flex cursor-pointer items-start gap-2 text-sm" title={t.description}>
                          <Checkbox checked={selected.has(t.key)} onCheckedChange={(on) => toggle(t.key, on)} className="mt-0.5" />
                          <span>
                            {t.label}
                            <span className="block text-xs text-muted-foreground">{t.description}</span>
                          </span>
                        </label>
                      ))}
                    </div>
                  </div>
                ))}
              </div>
            </fieldset>
            <fieldset className="space-y-2">
              <legend className="text-sm font-medium">Number of personas</legend>
              <div className="flex flex-wrap items-center gap-4 text-sm">
                <label className="flex items-center gap-2">
                  <input type="radio" name="kMode" checked={kMode === 'auto'} onChange={() => setKMode('auto')} className="accent-primary" />
                  Automatic (usually 3 to 7)
                </label>
                <label className="flex items-center gap-2">
                  <input type="radio" name="kMode" checked={kMode === 'fixed'} onChange={() => setKMode('fixed')} className="accent-primary" />
                  Fixed:
                </label>
                <Input
                  type="number"
                  min={2}
                  max={20}
                  aria-label="Number of personas"
                  value={k}
                  onChange={(e) => {
                    setK(e.target.value);
                    setKMode('fixed');
                  }}
                  className="w-20"
                  {...described('k')}
                />
              </div>
              <FieldError id="k-error" message={err('k')} />
            </fieldset>
          </div>
        ) : null}
      </Card>

      {formError ? (
        <p role="alert" className="text-sm text-destructive">
          {formError}
        </p>
      ) : null}
      <div className="flex gap-2">
        <Button type="submit" disabled={pending}>
          {pending ? 'Saving…' : 'Save persona set'}
        </Button>
        <Button type="button" variant="outline" onClick={() => router.push('/persona-sets')}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
