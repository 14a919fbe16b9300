// The Transitions tab: who moved between personas between two dates, and one person's history (by email or id).
import Link from 'next/link';
import { PersonHistoryList } from '@/components/personas/person-history';
import { TransitionMatrix } from '@/components/personas/transition-matrix';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { formatInt } from '@/lib/format';
import { findPeople, getPersonHistory, getTransitions, parseInstant } from '@/lib/services/persona-sets';
import type { Tenant } from '@/lib/services/tenant';
import { outcomeOf, recentDays } from '../service-outcome';

export async function TransitionsTab({
  setId,
  tenant,
  personas,
  query,
}: {
  setId: string;
  tenant: Tenant;
  personas: { id: string; name: string; color: string }[];
  query: { from?: string; to?: string; person?: string };
}) {
  const range = recentDays(30);
  const toDay = /^\d{4}-\d{2}-\d{2}$/.test(query.to ?? '') ? query.to! : range.to;
  const fromDay = /^\d{4}-\d{2}-\d{2}$/.test(query.from ?? '') ? query.from! : range.from;
  const { data: transitions, error } = await outcomeOf(
    (async () => getTransitions(tenant, setId, parseInstant(fromDay, 'from'), parseInstant(toDay, 'to')))(),
  );
  const colorOf = (id: string) => personas.find((p) => p.id === id)?.color;
  const known = new Set(personas.map((p) => p.id));
  // retired personas still appear in the history
  const matrixPersonas = [...personas, ...(transitions?.personas.filter((p) => !known.has(p.id)).map((p) => ({ id: p.id, name: `${p.name} (retired)` })) ?? [])];
  const q = (query.person ?? '').trim().slice(0, 320);
  const matches = q ? await findPeople(tenant, q) : [];
  const history = matches.length === 1 ? await getPersonHistory(tenant, setId, matches[0].personId) : null;
  const link = (personId: number) => `/persona-sets/${setId}?tab=transitions&from=${fromDay}&to=${toDay}&person=${personId}`;

  return (
    <div className="space-y-5">
      <Card className="gap-4 p-5">
        <form className="flex flex-wrap items-end gap-3" action={`/persona-sets/${setId}`}>
          <input type="hidden" name="tab" value="transitions" />
          <div className="grid gap-1.5">
            <Label htmlFor="transitions-from">From (end of day)</Label>
            <Input id="transitions-from" name="from" type="date" defaultValue={fromDay} className="w-44" />
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor="transitions-to">To (end of day)</Label>
            <Input id="transitions-to" name="to" type="date" defaultValue={toDay} className="w-44" />
          </div>
          <Button type="submit" variant="outline">
            Show transitions
          </Button>
        </form>
        {error ? <p className="text-sm text-destructive">{error}</p> : null}
        {transitions ? (
          <>
            <dl className="flex flex-wrap gap-8 text-sm">
              {(
                [
                  ['Stayed', transitions.stayed],
                  ['Moved', transitions.moved],
                  ['Joined', transitions.joined],
                  ['Left', transitions.left],
                ] as const
              ).map(([label, n]) => (
                <div key={label}>
                  <dt className="text-xs text-muted-foreground">{label}</dt>
                  <dd className="text-xl font-semibold tabular-nums" data-testid={`transitions-${label.toLowerCase()}`}>
                    {formatInt(n)}
                  </dd>
                </div>
              ))}
            </dl>
            <TransitionMatrix personas={matrixPersonas} moves={transitions.moves} fromLabel={fromDay} toLabel={toDay} />
          </>
        ) : null}
      </Card>

      <Card className="gap-4 p-5">
        <h2 className="font-medium">One person’s history</h2>
        <form className="flex flex-wrap items-end gap-3" action={`/persona-sets/${setId}`} role="search">
          <input type="hidden" name="tab" value="transitions" />
          <input type="hidden" name="from" value={fromDay} />
          <input type="hidden" name="to" value={toDay} />
          <div className="grid min-w-72 gap-1.5">
            <Label htmlFor="person-search">Email, your id, or Facet person id</Label>
            <Input id="person-search" name="person" defaultValue={q} placeholder="jane@example.com" />
          </div>
          <Button type="submit" variant="outline">
            Find
          </Button>
        </form>
        {q && !matches.length ? <p className="text-sm text-muted-foreground">Nobody in your account matches “{q}”.</p> : null}
        {matches.length > 1 ? (
          <ul className="space-y-1 text-sm">
            {matches.map((m) => (
              <li key={m.personId}>
                <Link className="underline" href={link(m.personId)}>
                  {m.name ?? m.email ?? `Person ${m.personId}`} · {m.email ?? m.externalId ?? m.personId}
                </Link>
              </li>
            ))}
          </ul>
        ) : null}
        {history ? (
          <div className="space-y-2">
            <p className="text-sm">
              {history.person.name ?? 'Person'} · {history.person.email ?? history.person.externalId ?? history.person.personId}
            </p>
            <PersonHistoryList stays={history.stays} colorOf={colorOf} />
          </div>
        ) : null}
      </Card>
    </div>
  );
}
