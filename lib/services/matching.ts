// Identity matching: each of an account's people is matched to the identity graph by normalized email,
// else by name + address + postcode with tolerant comparison, and carries the graph's traits when matched.
import 'server-only';
import type { Database } from '@/db/client';
import { nameKey, normalizeEmail, normalizePostcode, normalizeStreet, normalizeText } from '@/lib/identity-graph/normalize';
import type { Tenant } from './tenant';

export const MISS_REASONS = {
  no_identity: 'No email, and no name with a postcode to match on',
  email_unknown_no_address: 'Email not in the identity graph, and no name and postcode to fall back on',
  no_candidate: 'Nobody in the identity graph with this name at this address',
  weak_candidate: 'The closest person in the graph differs too much (name or street)',
  ambiguous: 'Several people in the graph fit equally well',
} as const;
export type MissReason = keyof typeof MISS_REASONS;

export interface MatchSummary {
  people: number;
  matched: number;
  byMethod: { email: number; name_address: number };
  missReasons: Partial<Record<MissReason, number>>;
}

interface PersonIdentity {
  id: number;
  emailNorm: string;
  first: string;
  last: string;
  street: string;
  house: string;
  postcode: string;
  nameKey: string;
}

interface Candidate {
  id: number;
  first: string;
  last: string;
  street: string;
  postcode: string;
}

/** Optimal string alignment distance (Damerau-Levenshtein with adjacent swaps), capped for speed. */
export function editDistance(a: string, b: string, cap = 3): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  const n = a.length;
  const m = b.length;
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= m; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1))
        v = Math.min(v, prev2[j - 2] + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > cap) return cap + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m];
}

const squashName = (s: string) => normalizeText(s).replace(/ /g, '');

function nameSimilarity(a: string, b: string): number {
  if (!a || !b) return 0;
  if (a === b) return 1;
  if (a.length === 1 || b.length === 1) return a[0] === b[0] ? 0.6 : 0;
  const d = editDistance(a, b, 2);
  const allowed = Math.min(a.length, b.length) >= 8 ? 2 : 1;
  return d <= allowed ? 0.8 : 0;
}

function streetSimilarity(p: PersonIdentity, c: Candidate): number | null {
  if (!p.street) return null;
  const cs = normalizeStreet(c.street);
  if (cs === p.street) return 1;
  const [ch, ...crest] = cs.split(' ');
  if (ch !== p.house) return 0;
  const prest = p.street.split(' ').slice(1).join(' ');
  return editDistance(prest, crest.join(' '), 3) <= 2 ? 0.8 : 0.3;
}

/** Scores a candidate for a person (higher is better); 0 = not acceptable. */
export function scoreCandidate(p: PersonIdentity, c: Candidate): number {
  const last = nameSimilarity(p.last, squashName(c.last));
  const first = nameSimilarity(p.first, squashName(c.first));
  if (!last || !first) return 0;
  const street = streetSimilarity(p, c);
  const samePostcode = p.postcode !== '' && p.postcode === c.postcode;
  if (street === null) {
    // no street: only an exact name in the same postcode will do
    return samePostcode && last === 1 && first === 1 ? 3 : 0;
  }
  if (street < 0.8) return 0;
  if (!samePostcode && (last < 1 || first < 1 || street < 1)) return 0;
  return 2 * last + first + 2 * street + (samePostcode ? 1 : 0);
}

function identityOf(row: Record<string, unknown>): PersonIdentity {
  const street = normalizeStreet(row.street as string | null);
  const first = squashName((row.first_name as string) ?? '');
  const last = squashName((row.last_name as string) ?? '');
  return {
    id: Number(row.id),
    emailNorm: row.email_norm ? normalizeEmail(String(row.email_norm)) : '',
    first,
    last,
    street,
    house: /^\d+/.test(street) ? street.split(' ')[0] : '',
    postcode: normalizePostcode(row.postcode as string | null),
    nameKey: first && last ? nameKey(row.first_name as string, row.last_name as string) : '',
  };
}

type Decision = { graphId: number; method: 'email' | 'name_address' } | { miss: MissReason };

function pickBest(p: PersonIdentity, cands: Candidate[]): Decision {
  let best = 0;
  let bestId = -1;
  let tie = false;
  for (const c of cands) {
    const s = scoreCandidate(p, c);
    if (s > best) {
      best = s;
      bestId = c.id;
      tie = false;
    } else if (s === best && s > 0 && c.id !== bestId) tie = true;
  }
  if (bestId < 0) return { miss: cands.length ? 'weak_candidate' : 'no_candidate' };
  if (tie) return { miss: 'ambiguous' };
  return { graphId: bestId, method: 'name_address' };
}

const CHUNK = 5000;

/**
 * Matches people to the identity graph and copies the graph's traits onto matched people.
 * Scope: the account's people of one dataset (or all of the account's people). Only rows of `accountId` are read or written.
 */
export async function matchPeople(
  { db: database, accountId }: Tenant,
  opts: { datasetId?: string; onProgress?: (done: number) => Promise<void> | void } = {},
): Promise<MatchSummary> {
  const summary: MatchSummary = { people: 0, matched: 0, byMethod: { email: 0, name_address: 0 }, missReasons: {} };
  let after = 0;
  for (;;) {
    const params: unknown[] = [accountId, after];
    if (opts.datasetId) params.push(opts.datasetId);
    const res = await database.query<Record<string, unknown>>(
      // order by the column, not the text alias (which would sort "10000" before "9999")
      `select p.id::text as id, p.email_norm, p.first_name, p.last_name, p.street, p.postcode from people p
       where p.account_id = $1 and p.id > $2 ${opts.datasetId ? 'and p.dataset_id = $3' : ''} order by p.id limit ${CHUNK}`,
      params,
    );
    if (!res.rows.length) break;
    after = Number(res.rows[res.rows.length - 1].id);
    const persons = res.rows.map(identityOf);
    const decisions = await decideChunk(database, persons);
    const ids: number[] = [];
    const gids: (number | null)[] = [];
    const methods: string[] = [];
    persons.forEach((p, i) => {
      const d = decisions[i];
      ids.push(p.id);
      if ('graphId' in d) {
        gids.push(d.graphId);
        methods.push(d.method);
        summary.matched++;
        summary.byMethod[d.method]++;
      } else {
        gids.push(null);
        methods.push('none');
        summary.missReasons[d.miss] = (summary.missReasons[d.miss] ?? 0) + 1;
      }
    });
    summary.people += persons.length;
    await database.query(
      // updated_at moves only when the match changed what we know (a person re-sent unchanged is not re-scored)
      `update people p set graph_id = u.gid, match_method = u.m, graph_traits = g.traits,
         updated_at = case when (p.graph_id, p.match_method, p.graph_traits) is distinct from (u.gid, u.m, g.traits) then now() else p.updated_at end
       from unnest($2::int8[], $3::int4[], $4::text[]) as u(pid, gid, m)
       left join graph_persons g on g.id = u.gid
       where p.account_id = $1 and p.id = u.pid`,
      [accountId, ids, gids, methods],
    );
    await opts.onProgress?.(summary.people);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return summary;
}

// reads the identity graph only, which belongs to no account: the database is all it needs
async function decideChunk(database: Database, persons: PersonIdentity[]): Promise<Decision[]> {
  const decisions: (Decision | undefined)[] = new Array(persons.length);
  const idx = new Map<number, number>(persons.map((p, i) => [p.id, i]));

  // 1. normalized email
  const withEmail = persons.filter((p) => p.emailNorm);
  if (withEmail.length) {
    const r = await database.query<{ pid: string; id: number; first_name: string; last_name: string; street: string; postcode: string }>(
      // lateral: index lookups per person whatever the planner's statistics say about graph_persons
      `select u.pid::text as pid, g.id, g.first_name, g.last_name, g.street, g.postcode
       from unnest($1::int8[], $2::text[]) as u(pid, e)
       cross join lateral (select id, first_name, last_name, street, postcode from graph_persons where email_norm = u.e limit 20) g`,
      [withEmail.map((p) => p.id), withEmail.map((p) => p.emailNorm)],
    );
    const byPerson = new Map<number, Candidate[]>();
    for (const row of r.rows) {
      const pid = Number(row.pid);
      let list = byPerson.get(pid);
      if (!list) byPerson.set(pid, (list = []));
      list.push({ id: row.id, first: row.first_name, last: row.last_name, street: row.street, postcode: row.postcode });
    }
    for (const [pid, list] of byPerson) {
      const i = idx.get(pid)!;
      if (list.length === 1) decisions[i] = { graphId: list[0].id, method: 'email' };
      else {
        // a shared address: the name decides
        const p = persons[i];
        const named = list.filter((c) => nameSimilarity(p.last, squashName(c.last)) === 1 && nameSimilarity(p.first, squashName(c.first)) === 1);
        decisions[i] = { graphId: (named[0] ?? list[0]).id, method: 'email' };
      }
    }
  }

  // 2. name + address, blocked on postcode (then on name key + house number when the postcode is off)
  const rest = persons.filter((p, i) => !decisions[i] && p.last && p.first);
  const cands = new Map<number, Map<number, Candidate>>();
  const addCands = (rows: { pid: string; id: number; first_name: string; last_name: string; street: string; postcode: string }[]) => {
    for (const row of rows) {
      const pid = Number(row.pid);
      let m = cands.get(pid);
      if (!m) cands.set(pid, (m = new Map()));
      m.set(row.id, { id: row.id, first: row.first_name, last: row.last_name, street: row.street, postcode: row.postcode });
    }
  };
  const withPc = rest.filter((p) => p.postcode.length === 5);
  if (withPc.length) {
    const r = await database.query<{ pid: string; id: number; first_name: string; last_name: string; street: string; postcode: string }>(
      `select u.pid::text as pid, g.id, g.first_name, g.last_name, g.street, g.postcode
       from unnest($1::int8[], $2::text[], $3::text[], $4::text[]) as u(pid, pc, nk, house)
       cross join lateral (select id, first_name, last_name, street, postcode from graph_persons
         where postcode = u.pc and (name_key = u.nk or (u.house <> '' and split_part(street, ' ', 1) = u.house)) limit 200) g`,
      [withPc.map((p) => p.id), withPc.map((p) => p.postcode), withPc.map((p) => p.nameKey), withPc.map((p) => p.house)],
    );
    addCands(r.rows);
  }
  const noPcMatch = rest.filter((p) => p.house && p.nameKey && !(cands.get(p.id)?.size));
  if (noPcMatch.length) {
    const r = await database.query<{ pid: string; id: number; first_name: string; last_name: string; street: string; postcode: string }>(
      `select u.pid::text as pid, g.id, g.first_name, g.last_name, g.street, g.postcode
       from unnest($1::int8[], $2::text[], $3::text[]) as u(pid, nk, house)
       join graph_persons g on g.name_key = u.nk and split_part(g.street, ' ', 1) = u.house`,
      [noPcMatch.map((p) => p.id), noPcMatch.map((p) => p.nameKey), noPcMatch.map((p) => p.house)],
    );
    addCands(r.rows);
  }
  for (const p of rest) {
    const i = idx.get(p.id)!;
    const list = [...(cands.get(p.id)?.values() ?? [])];
    if (!list.length && !p.postcode && !p.street) {
      decisions[i] = { miss: p.emailNorm ? 'email_unknown_no_address' : 'no_identity' };
      continue;
    }
    decisions[i] = pickBest(p, list);
  }
  return persons.map((p, i) => decisions[i] ?? { miss: p.emailNorm ? 'email_unknown_no_address' : 'no_identity' });
}
