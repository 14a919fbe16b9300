// Two built persona sets side by side (same or different cohorts): who is in both, persona by persona (members in
// both and Jaccard), the clustering traits each used, and for each persona of the first set the persona of the
// second it overlaps most with and the traits on which the two differ.
import 'server-only';
import { GRAPH_TRAITS } from '@/lib/identity-graph/catalog';
import { ServiceError, notFound } from '../errors';
import { isUuid } from '../ids';
import { getPersonaSetOrThrow } from './sets';
import type { Tenant } from '../tenant';

interface Salient {
  key: string;
  label: string;
  z: number;
  category?: string;
}

export interface ComparedSet {
  id: string;
  name: string;
  cohortName: string;
  members: number;
  traits: { key: string; label: string }[];
  personas: { id: string; name: string; position: number; size: number }[];
}

export interface SetComparison {
  a: ComparedSet;
  b: ComparedSet;
  /** people currently in both sets */
  shared: number;
  /** every persona pair with members in both */
  overlap: { aPersonaId: string; bPersonaId: string; members: number; jaccard: number }[];
  traits: { shared: string[]; onlyA: string[]; onlyB: string[] };
  /** for each persona of A: its closest persona of B (highest Jaccard) and the traits that tell them apart */
  /** differences: standardized difference from its cohort in each persona; null where the trait is not salient there */
  pairs: { aPersonaId: string; bPersonaId: string | null; jaccard: number; differences: { label: string; a: number | null; b: number | null }[] }[];
}

const LABELS = new Map(GRAPH_TRAITS.map((t) => [t.key, t.label]));

async function loadSide(tenant: Tenant, id: string): Promise<ComparedSet & { salient: Map<string, Salient[]> }> {
  const { db, accountId } = tenant;
  const set = await getPersonaSetOrThrow(tenant, id);
  const model = set.model as { encoder?: { specs?: { key: string; label?: string }[] } } | null;
  if (!model || !set.builtAt) throw new ServiceError('invalid', `“${set.name}” has not been built yet: compare two ready sets`, { b: ['Choose a ready set'] });
  const [cohort, personas] = await Promise.all([
    db.query<{ name: string }>('select name from cohorts where id = $1 and account_id = $2', [set.cohortId, accountId]),
    db.query<{ id: string; name: string; position: number; size: number; salient: Salient[] }>(
      `select p.id::text, p.name, p.position, p.salient,
         (select count(*)::int from assignments a where a.account_id = $1 and a.persona_set_id = $2 and a.valid_to is null and a.persona_id = p.id) as size
       from personas p where p.account_id = $1 and p.persona_set_id = $2 and p.retired_at is null order by p.position`,
      [accountId, id],
    ),
  ]);
  return {
    id,
    name: set.name,
    cohortName: cohort.rows[0]?.name ?? '',
    members: personas.rows.reduce((s, p) => s + p.size, 0),
    traits: (model.encoder?.specs ?? []).map((s) => ({ key: s.key, label: s.label ?? LABELS.get(s.key) ?? s.key })),
    personas: personas.rows.map(({ salient: _s, ...p }) => p),
    salient: new Map(personas.rows.map((p) => [p.id, p.salient ?? []])),
  };
}

const gap = (d: { a: number | null; b: number | null }) => Math.abs((d.a ?? 0) - (d.b ?? 0));

/** Traits salient in either persona whose standardized difference from its cohort differs by half a unit or more. */
function differences(a: Salient[], b: Salient[]): { label: string; a: number | null; b: number | null }[] {
  const id = (s: Salient) => (s.category ? `${s.key}=${s.category}` : s.key);
  const all = new Map<string, { label: string; a: number | null; b: number | null }>();
  for (const s of a) all.set(id(s), { label: s.category ? `${s.label}: ${s.category}` : s.label, a: s.z, b: null });
  for (const s of b) {
    const e = all.get(id(s));
    if (e) e.b = s.z;
    else all.set(id(s), { label: s.category ? `${s.label}: ${s.category}` : s.label, a: null, b: s.z });
  }
  return [...all.values()]
    .filter((d) => gap(d) >= 0.5)
    .sort((x, y) => gap(y) - gap(x))
    .slice(0, 5);
}

export async function comparePersonaSets(tenant: Tenant, aId: string, bId: string): Promise<SetComparison> {
  if (!isUuid(aId) || !isUuid(bId)) throw notFound('Persona set');
  if (aId.toLowerCase() === bId.toLowerCase()) throw new ServiceError('invalid', 'Choose two different persona sets', { b: ['Choose another set'] });
  const [a, b] = await Promise.all([loadSide(tenant, aId), loadSide(tenant, bId)]);
  const { rows } = await tenant.db.query<{ pa: string; pb: string; n: number }>(
    `with x as (select person_id, persona_id from assignments where account_id = $1 and persona_set_id = $2 and valid_to is null),
          y as (select person_id, persona_id from assignments where account_id = $1 and persona_set_id = $3 and valid_to is null)
     select x.persona_id::text as pa, y.persona_id::text as pb, count(*)::int as n
     from x join y on y.person_id = x.person_id group by 1, 2`,
    [tenant.accountId, aId, bId],
  );
  const sizeA = new Map(a.personas.map((p) => [p.id, p.size]));
  const sizeB = new Map(b.personas.map((p) => [p.id, p.size]));
  const overlap = rows
    .filter((r) => sizeA.has(r.pa) && sizeB.has(r.pb))
    .map((r) => ({ aPersonaId: r.pa, bPersonaId: r.pb, members: r.n, jaccard: r.n / (sizeA.get(r.pa)! + sizeB.get(r.pb)! - r.n) }));
  const keysA = new Set(a.traits.map((t) => t.key));
  const keysB = new Set(b.traits.map((t) => t.key));
  const pairs = a.personas.map((p) => {
    const best = overlap.filter((o) => o.aPersonaId === p.id).sort((x, y) => y.jaccard - x.jaccard)[0];
    return {
      aPersonaId: p.id,
      bPersonaId: best?.bPersonaId ?? null,
      jaccard: best?.jaccard ?? 0,
      differences: best ? differences(a.salient.get(p.id) ?? [], b.salient.get(best.bPersonaId) ?? []) : [],
    };
  });
  const strip = ({ salient: _s, ...side }: typeof a): ComparedSet => side;
  return {
    a: strip(a),
    b: strip(b),
    shared: overlap.reduce((s, o) => s + o.members, 0),
    overlap,
    traits: {
      shared: [...keysA].filter((k) => keysB.has(k)),
      onlyA: [...keysA].filter((k) => !keysB.has(k)),
      onlyB: [...keysB].filter((k) => !keysA.has(k)),
    },
    pairs,
  };
}

/** The account's sets that can be compared (built, not archived), by name. */
export async function listComparableSets({ db, accountId }: Tenant): Promise<{ id: string; name: string; cohortName: string }[]> {
  const r = await db.query<{ id: string; name: string; cohort_name: string }>(
    `select s.id::text, s.name, c.name as cohort_name from persona_sets s join cohorts c on c.id = s.cohort_id
     where s.account_id = $1 and s.archived_at is null and s.model is not null and s.built_at is not null order by s.name`,
    [accountId],
  );
  return r.rows.map((x) => ({ id: x.id, name: x.name, cohortName: x.cohort_name }));
}
