// The persona-set assignment history read back: membership per persona per day, transitions between two
// instants, and one person's stays. A person is in persona P at instant T when a row of the set has
// valid_from <= T < valid_to (valid_to null = still current); people who later left the cohort keep their rows.
import 'server-only';
import { ServiceError, notFound } from '../errors';
import { getPersonaSetOrThrow } from './sets';
import type { FlowAnalysis } from './types';
import type { Tenant } from '../tenant';

const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Members of each persona at the end of every UTC day from the eve of the set's first assignment to `until`
 * (default today), in one aggregate over the history: +1 on the day a stay starts, −1 on the day it ends (a
 * stay that starts and ends on one day is counted on none).
 */
export async function flowFromHistory(tenant: Tenant, personaSetId: string, personaIds: string[], until: Date = new Date()): Promise<FlowAnalysis> {
  const { db, accountId } = tenant;
  await getPersonaSetOrThrow(tenant, personaSetId);
  const { rows } = await db.query<{ pid: string; d: string; delta: number }>(
    // counted per persona and instant first (a build writes all its rows at one instant), then per day: a date
    // worked out for every one of a million rows, and the rows kept for a second pass, cost five times as much
    `select persona_id::text as pid, to_char(d, 'YYYY-MM-DD') as d, sum(delta)::int as delta from (
       select persona_id, (valid_from at time zone 'UTC')::date as d, count(*) as delta
       from assignments where account_id = $1 and persona_set_id = $2 group by persona_id, valid_from
       union all
       select persona_id, (valid_to at time zone 'UTC')::date, -count(*)
       from assignments where account_id = $1 and persona_set_id = $2 and valid_to is not null group by persona_id, valid_to
     ) x group by 1, 2`,
    [accountId, personaSetId],
  );
  const last = Date.parse(isoDay(until.getTime()));
  let first = last;
  const deltas = new Map<string, Map<number, number>>();
  const add = (pid: string, d: string, n: number) => {
    const day = Date.parse(d);
    first = Math.min(first, day);
    let m = deltas.get(pid);
    if (!m) deltas.set(pid, (m = new Map()));
    m.set(day, (m.get(day) ?? 0) + n);
  };
  for (const r of rows) add(r.pid, r.d, r.delta);
  // from the day before the first assignment (nobody yet): a new set's flow shows where it started
  const days: string[] = [];
  for (let d = Math.min(first, last) - DAY_MS; d <= last; d += DAY_MS) days.push(isoDay(d));
  return {
    days,
    personas: personaIds.map((personaId) => {
      const m = deltas.get(personaId) ?? new Map<number, number>();
      let running = 0;
      return { personaId, counts: days.map((d) => (running += m.get(Date.parse(d)) ?? 0)) };
    }),
  };
}

/** A date (YYYY-MM-DD: the end of that UTC day) or an ISO timestamp, as the instant it stands for. */
export function parseInstant(value: string, field: string): Date {
  const v = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const t = Date.parse(`${v}T00:00:00Z`);
    // the last millisecond of the day: the state the flow shows for that day
    if (!Number.isNaN(t) && isoDay(t) === v) return new Date(t + DAY_MS - 1);
  } else if (/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})$/.test(v)) {
    const t = Date.parse(v);
    if (!Number.isNaN(t)) return new Date(t);
  }
  throw new ServiceError('invalid', `${field} must be a date (YYYY-MM-DD) or an ISO timestamp`, { [field]: ['Expected YYYY-MM-DD or an ISO timestamp'] });
}

export interface Transitions {
  personaSetId: string;
  from: string;
  to: string;
  personas: { id: string; name: string; position: number; retired: boolean }[];
  /** people per (persona at `from`, persona at `to`); null = not in the set at that instant */
  moves: { from: string | null; to: string | null; count: number }[];
  stayed: number;
  moved: number;
  joined: number;
  left: number;
}

/** Who was where at `from` and at `to`: A → B counts, people who joined (in at `to` only) and left (in at `from` only). */
export async function getTransitions(tenant: Tenant, personaSetId: string, from: Date, to: Date): Promise<Transitions> {
  const { db, accountId } = tenant;
  await getPersonaSetOrThrow(tenant, personaSetId);
  if (!(from.getTime() < to.getTime())) throw new ServiceError('invalid', 'from must be before to', { from: ['Must be before to'] });
  const [moves, personas] = await Promise.all([
    db.query<{ f: string | null; t: string | null; n: number }>(
      `with a as (select person_id, persona_id from assignments
                  where account_id = $1 and persona_set_id = $2 and valid_from <= $3 and (valid_to is null or valid_to > $3)),
            b as (select person_id, persona_id from assignments
                  where account_id = $1 and persona_set_id = $2 and valid_from <= $4 and (valid_to is null or valid_to > $4))
       select a.persona_id::text as f, b.persona_id::text as t, count(*)::int as n
       from a full join b on b.person_id = a.person_id group by 1, 2 order by 3 desc`,
      [accountId, personaSetId, from.toISOString(), to.toISOString()],
    ),
    listSetPersonas(tenant, personaSetId),
  ]);
  const out: Transitions = {
    personaSetId,
    from: from.toISOString(),
    to: to.toISOString(),
    personas,
    moves: moves.rows.map((r) => ({ from: r.f, to: r.t, count: r.n })),
    stayed: 0,
    moved: 0,
    joined: 0,
    left: 0,
  };
  for (const m of out.moves) {
    if (m.from === null) out.joined += m.count;
    else if (m.to === null) out.left += m.count;
    else if (m.from === m.to) out.stayed += m.count;
    else out.moved += m.count;
  }
  return out;
}

/** Every persona the set has had, retired ones last: history rows may point at any of them. */
async function listSetPersonas({ db, accountId }: Tenant, personaSetId: string) {
  const r = await db.query<{ id: string; name: string; position: number; retired: boolean }>(
    `select id::text, name, position, retired_at is not null as retired from personas
     where account_id = $1 and persona_set_id = $2 order by retired_at is not null, position`,
    [accountId, personaSetId],
  );
  return r.rows;
}

export interface PersonMatch {
  personId: number;
  email: string | null;
  name: string | null;
  externalId: string | null;
}

/** People of the account by id, external id or email (case and spaces ignored); at most 10. */
export async function findPeople({ db, accountId }: Tenant, query: string): Promise<PersonMatch[]> {
  const q = query.trim();
  if (!q || q.length > 320) throw new ServiceError('invalid', 'Enter an email or a person id', { q: ['Enter an email or a person id'] });
  const asId = /^\d{1,15}$/.test(q) ? Number(q) : null;
  const r = await db.query<{ id: number; email: string | null; first_name: string | null; last_name: string | null; external_id: string | null }>(
    `select id::float8 as id, email, first_name, last_name, external_id from people
     where account_id = $1 and (id = $2 or external_id = $3 or email_norm = lower($3)) order by id limit 10`,
    [accountId, asId, q],
  );
  return r.rows.map((p) => ({
    personId: Number(p.id),
    email: p.email,
    name: [p.first_name, p.last_name].filter(Boolean).join(' ') || null,
    externalId: p.external_id,
  }));
}

export interface PersonHistory {
  personaSetId: string;
  person: PersonMatch;
  /** oldest first; validTo null = the current assignment */
  stays: { personaId: string; personaName: string; validFrom: string; validTo: string | null; distance: number; scoringRunId: string | null }[];
}

/** One person's personas in a set over time. */
export async function getPersonHistory(tenant: Tenant, personaSetId: string, personId: number): Promise<PersonHistory> {
  const { db, accountId } = tenant;
  await getPersonaSetOrThrow(tenant, personaSetId);
  if (!Number.isSafeInteger(personId) || personId <= 0) throw notFound('Person');
  const person = (await findPeople(tenant, String(personId))).find((p) => p.personId === personId);
  if (!person) throw notFound('Person');
  const r = await db.query<{ persona_id: string; name: string; valid_from: Date; valid_to: Date | null; distance: number; scoring_run_id: string | null }>(
    // current and closed stays are indexed apart (assignments_current_uq, assignments_closed_idx)
    `select a.persona_id::text, p.name, a.valid_from, a.valid_to, a.distance, a.scoring_run_id::text
     from (select * from assignments where account_id = $1 and persona_set_id = $2 and person_id = $3 and valid_to is not null
           union all
           select * from assignments where account_id = $1 and persona_set_id = $2 and person_id = $3 and valid_to is null) a
     join personas p on p.id = a.persona_id and p.account_id = $1
     order by a.valid_from, a.valid_to nulls last`,
    [accountId, personaSetId, personId],
  );
  return {
    personaSetId,
    person,
    stays: r.rows.map((s) => ({
      personaId: s.persona_id,
      personaName: s.name,
      validFrom: new Date(s.valid_from).toISOString(),
      validTo: s.valid_to ? new Date(s.valid_to).toISOString() : null,
      distance: Number(s.distance),
      scoringRunId: s.scoring_run_id,
    })),
  };
}
