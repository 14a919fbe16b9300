import { formatDateTime } from '@/lib/format';

export interface PersonStay {
  personaId: string;
  personaName: string;
  validFrom: string;
  validTo: string | null;
}

/** One person's personas in a set, newest first. */
export function PersonHistoryList({ stays, colorOf }: { stays: PersonStay[]; colorOf: (personaId: string) => string | undefined }) {
  if (!stays.length) return <p className="text-sm text-muted-foreground">This person has never been assigned in this set.</p>;
  return (
    <ol className="space-y-2 text-sm" data-testid="person-history">
      {[...stays].reverse().map((s) => (
        <li key={`${s.personaId}-${s.validFrom}`} className="flex flex-wrap items-center justify-between gap-2 rounded-md border px-3 py-2">
          <span className="flex items-center gap-1.5 font-medium">
            <span aria-hidden className="inline-block size-2.5 rounded-sm" style={{ background: colorOf(s.personaId) }} />
            {s.personaName}
          </span>
          <span className="text-muted-foreground">
            {formatDateTime(s.validFrom)} → {s.validTo ? formatDateTime(s.validTo) : 'now'}
          </span>
        </li>
      ))}
    </ol>
  );
}
