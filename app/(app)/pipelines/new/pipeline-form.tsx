'use client';

import { useState, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Checkbox } from '@/components/ui/checkbox';
import { FieldError } from '@/components/ui/field-error';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { createPipelineAction } from '../actions';

interface Props {
  cohorts: { id: string; name: string; members: number }[];
  sets: { id: string; name: string; status: string }[];
  traits: { key: string; label: string; category: string }[];
}

function toggle(list: string[], id: string, on: boolean) {
  return on ? [...list, id] : list.filter((x) => x !== id);
}

export function PipelineForm({ cohorts, sets, traits }: Props) {
  const router = useRouter();
  const [name, setName] = useState('');
  const [cohortIds, setCohortIds] = useState<string[]>([]);
  const [setIds, setSetIds] = useState<string[]>([]);
  const [traitKeys, setTraitKeys] = useState<string[]>([]);
  const [filter, setFilter] = useState('');
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [error, setError] = useState<string>();
  const [pending, start] = useTransition();

  const submit = () =>
    start(async () => {
      const res = await createPipelineAction({ name, cohortIds, personaSetIds: setIds, traitKeys });
      if (!res.ok) {
        setError(res.error);
        setErrors(res.fieldErrors ?? {});
        return;
      }
      router.push(`/pipelines/${res.data.id}`);
    });

  const shownTraits = traits.filter((t) => !filter || `${t.key} ${t.label} ${t.category}`.toLowerCase().includes(filter.toLowerCase()));

  return (
    <form
      className="grid gap-6 lg:max-w-3xl"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <div className="grid gap-1.5">
        <Label htmlFor="pipeline-name">Name</Label>
        <Input id="pipeline-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Personas to the warehouse" />
        <FieldError message={errors.name} />
      </div>
      <Card>
        <CardHeader>
          <CardTitle>Population</CardTitle>
          <CardDescription>The current members of any of these cohorts, one row each.</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-2 sm:grid-cols-2" data-testid="pipeline-cohorts">
          {cohorts.map((c) => (
            <label key={c.id} className="flex items-center gap-2 text-sm">
              <Checkbox value={c.id} checked={cohortIds.includes(c.id)} onCheckedChange={(on) => setCohortIds((l) => toggle(l, c.id, on))} />
              {c.name} <span className="text-muted-foreground">({c.members.toLocaleString('en-US')})</span>
            </label>
          ))}
          <FieldError message={errors.cohortIds} />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Persona sets</CardTitle>
          <CardDescription>Each adds the persona id and name of every row.</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-2 sm:grid-cols-2" data-testid="pipeline-sets">
          {sets.length === 0 && <p className="text-sm text-muted-foreground">No persona sets yet.</p>}
          {sets.map((s) => (
            <label key={s.id} className="flex items-center gap-2 text-sm">
              <Checkbox value={s.id} checked={setIds.includes(s.id)} onCheckedChange={(on) => setSetIds((l) => toggle(l, s.id, on))} />
              {s.name} {s.status !== 'ready' && <span className="text-muted-foreground">({s.status})</span>}
            </label>
          ))}
          <FieldError message={errors.personaSetIds} />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Traits (optional)</CardTitle>
          <CardDescription>{traitKeys.length ? `${traitKeys.length} chosen: ${traitKeys.join(', ')}` : 'Add trait columns, decoded to labels.'}</CardDescription>
        </CardHeader>
        <CardContent className="space-y-3">
          <Input aria-label="Filter traits" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="Filter traits" />
          <div className="grid max-h-64 gap-2 overflow-y-auto sm:grid-cols-2">
            {shownTraits.map((t) => (
              <label key={t.key} className="flex items-center gap-2 text-sm">
                <Checkbox checked={traitKeys.includes(t.key)} onCheckedChange={(on) => setTraitKeys((l) => toggle(l, t.key, on))} />
                {t.label} <span className="text-xs text-muted-foreground">{t.key}</span>
              </label>
            ))}
          </div>
          <FieldError message={errors.traitKeys} />
        </CardContent>
      </Card>
      <FieldError message={error && !Object.keys(errors).length ? error : undefined} />
      <div>
        <Button type="submit" disabled={pending}>
          {pending ? 'Creating…' : 'Create pipeline'}
        </Button>
      </div>
    </form>
  );
}
