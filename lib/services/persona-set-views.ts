// Read models for the persona set screens and Explore: cohort and trait options, on-demand dimension analyses,
// assignment confidence. Every function takes the account id first and scopes every query by it.
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { Database } from '@/db/client';
import { cohorts, personaSetAnalyses, personaSets, personas, traits } from '@/db/schema';
import { GRAPH_TRAITS, GRAPH_TRAIT_INDEX } from '@/lib/identity-graph/catalog';
import { notFound } from './errors';
import { getPersonaSetOrThrow, type DimensionAnalysis, type GeoAnalysis } from './persona-sets';

export interface CohortOption {
  id: string;
  name: string;
  members: number;
}

export async function listCohortOptions(database: Database, accountId: string): Promise<CohortOption[]> {
  const rows = await database.db
    .select({ id: cohorts.id, name: cohorts.name, members: cohorts.memberCount })
    .from(cohorts)
    .where(eq(cohorts.accountId, accountId))
    .orderBy(asc(cohorts.name));
  return rows;
}

export interface TraitOption {
  key: string;
  label: string;
  category: string;
  type: 'numeric' | 'ordinal' | 'categorical' | 'boolean';
  description: string;
  unit?: string;
  source: 'graph' | 'custom';
}

/** Clustering traits the picker starts from; left untouched, the engine chooses for the cohort itself. */
export const DEFAULT_CLUSTERING_TRAITS = [
  'age',
  'gender',
  'income',
  'net_worth',
  'education',
  'marital_status',
  'has_children',
  'homeowner',
  'urbanicity',
  'dwelling_type',
  'shopper_type',
  'spend_quintile',
  'online_buyer',
] as const;

/** Every trait an analyst may cluster on or analyse: the graph catalog, then the account's own. */
export async function listTraitOptions(database: Database, accountId: string): Promise<TraitOption[]> {
  const custom = await database.db
    .select({
      key: traits.key,
      label: traits.label,
      category: traits.category,
      type: traits.type,
      description: traits.description,
      unit: traits.unit,
    })
    .from(traits)
    .where(eq(traits.accountId, accountId))
    .orderBy(asc(traits.label));
  return [
    ...GRAPH_TRAITS.map((t) => ({
      key: t.key,
      label: t.label,
      category: t.category,
      type: t.type,
      description: t.description,
      unit: t.unit,
      source: 'graph' as const,
    })),
    ...custom.map((t) => ({ ...t, unit: t.unit ?? undefined, category: t.category || 'custom', source: 'custom' as const })),
  ];
}

/* ---------- dimension analysis on demand ---------- */

interface TraitDef {
  key: string;
  label: string;
  type: TraitOption['type'];
  unit?: string;
  categories?: string[];
  /** 1-based position in people.graph_traits, or null for a custom trait */
  position: number | null;
}

async function resolveTrait(database: Database, accountId: string, key: string): Promise<TraitDef> {
  const i = GRAPH_TRAIT_INDEX[key];
  if (i !== undefined) {
    const t = GRAPH_TRAITS[i];
    return { key, label: t.label, type: t.type, unit: t.unit, categories: t.categories, position: i + 1 };
  }
  const rows = await database.db
    .select({ label: traits.label, type: traits.type, unit: traits.unit, categories: traits.categories })
    .from(traits)
    .where(and(eq(traits.accountId, accountId), eq(traits.key, key)))
    .limit(1);
  if (!rows.length) throw notFound('Trait');
  const t = rows[0];
  return { key, label: t.label, type: t.type, unit: t.unit ?? undefined, categories: t.categories ?? undefined, position: null };
}

interface BinRow {
  pid: string;
  bin: string | null;
  n: number;
  s: number | null;
  ss: number | null;
  edges: number[] | null;
}

const CURRENT_MEMBERS = `
  from assignments a
  join people p on p.id = a.person_id and p.account_id = $1
  where a.account_id = $1 and a.persona_set_id = $2 and a.valid_to is null`;

/** The value expression of a trait for one person row `p`, as float8 (numeric-like) or text (custom categorical). */
function valueSql(t: TraitDef): { expr: string; numeric: boolean } {
  if (t.position !== null) return { expr: `nullif(p.graph_traits[${t.position}]::float8, 'NaN'::float8)`, numeric: true };
  const raw = `p.custom_traits -> $3`;
  if (t.type === 'numeric' || t.type === 'ordinal')
    return {
      expr: `case when jsonb_typeof(${raw}) = 'number' then (${raw})::text::float8
        when jsonb_typeof(${raw}) = 'string' and (p.custom_traits ->> $3) ~ '^-?[0-9]+(\\.[0-9]+)?$' then (p.custom_traits ->> $3)::float8 end`,
      numeric: true,
    };
  if (t.type === 'boolean')
    return {
      expr: `case when jsonb_typeof(${raw}) = 'boolean' then (case when (${raw})::text = 'true' then 1.0 else 0.0 end)
        when lower(p.custom_traits ->> $3) in ('true','yes','1','y') then 1.0
        when lower(p.custom_traits ->> $3) in ('false','no','0','n') then 0.0 end`,
      numeric: true,
    };
  return { expr: `nullif(p.custom_traits ->> $3, '')`, numeric: false };
}

function compactNumber(v: number, unit?: string): string {
  const abs = Math.abs(v);
  const s =
    abs >= 1e6 ? `${+(v / 1e6).toFixed(1)}M` : abs >= 1e4 ? `${Math.round(v / 1e3)}k` : abs >= 1e3 ? `${+(v / 1e3).toFixed(1)}k` : `${+v.toFixed(abs < 10 ? 1 : 0)}`;
  return unit === 'USD' ? `$${s}` : s;
}

/** Labels for the buckets width_bucket(v, edges) gives: 0 = below edges[0], i = [edges[i-1], edges[i]), last = at or above. */
export function numericBinLabels(edges: number[], unit?: string): { label: string; lo?: number; hi?: number }[] {
  if (!edges.length) return [{ label: 'All' }];
  const ints = edges.every((e) => Number.isInteger(e));
  const out: { label: string; lo?: number; hi?: number }[] = [{ label: `Under ${compactNumber(edges[0], unit)}`, hi: edges[0] }];
  for (let i = 1; i < edges.length; i++) {
    const lo = edges[i - 1];
    const hi = edges[i];
    const label = ints && hi === lo + 1 ? compactNumber(lo, unit) : `${compactNumber(lo, unit)}–${compactNumber(hi, unit)}`;
    out.push({ label, lo, hi });
  }
  out.push({ label: `${compactNumber(edges[edges.length - 1], unit)}+`, lo: edges[edges.length - 1] });
  return out;
}

/** Turns per persona × bin counts into a DimensionAnalysis (pure; exported for tests). */
export function dimensionFromCounts(
  t: Pick<TraitDef, 'key' | 'label' | 'type' | 'unit'>,
  bins: { label: string; lo?: number; hi?: number }[],
  personaIds: string[],
  counts: Map<string, number[]>,
  missing: Map<string, number>,
  moments: Map<string, { n: number; s: number; ss: number }>,
): DimensionAnalysis {
  const cohortCounts = bins.map((_, b) => personaIds.reduce((acc, pid) => acc + (counts.get(pid)?.[b] ?? 0), 0));
  // drop bins nobody is in (duplicate quantile edges)
  const keep = bins.map((_, b) => cohortCounts[b] > 0 || bins.length <= 2);
  const kept = bins.filter((_, b) => keep[b]);
  const pick = (arr: number[]) => arr.filter((_, b) => keep[b]);
  const cohortKnown = cohortCounts.reduce((a, b) => a + b, 0);
  const cohortMissing = personaIds.reduce((acc, pid) => acc + (missing.get(pid) ?? 0), 0);
  const cohortShares = pick(cohortCounts).map((c) => (cohortKnown ? c / cohortKnown : 0));
  const all = { n: 0, s: 0, ss: 0 };
  for (const m of moments.values()) {
    all.n += m.n;
    all.s += m.s;
    all.ss += m.ss;
  }
  const hasMean = t.type !== 'categorical' && all.n > 0;
  const cohortMean = hasMean ? all.s / all.n : undefined;
  const sd = hasMean ? Math.sqrt(Math.max(0, all.ss / all.n - (all.s / all.n) ** 2)) : 0;
  return {
    key: t.key,
    label: t.label,
    type: t.type,
    unit: t.unit,
    clustering: false,
    coverage: cohortKnown + cohortMissing ? cohortKnown / (cohortKnown + cohortMissing) : 0,
    bins: kept,
    cohort: cohortShares,
    cohortMean,
    personas: personaIds.map((pid) => {
      const c = pick(counts.get(pid) ?? bins.map(() => 0));
      const known = c.reduce((a, b) => a + b, 0);
      const shares = c.map((x) => (known ? x / known : 0));
      const index = shares.map((s, b) => (cohortShares[b] > 0 ? Math.round((s / cohortShares[b]) * 100) : 0));
      const m = moments.get(pid);
      const mean = hasMean && m && m.n ? m.s / m.n : undefined;
      const z = mean !== undefined && cohortMean !== undefined && sd > 0 ? (mean - cohortMean) / sd : undefined;
      const salient =
        z !== undefined ? Math.abs(z) >= 0.5 : shares.some((s, b) => s >= 0.1 && cohortShares[b] > 0 && (s / cohortShares[b] >= 1.5 || s / cohortShares[b] <= 0.5));
      return { personaId: pid, shares, index, mean, z, salient };
    }),
  };
}

/**
 * Compares one trait across a ready set's personas from the current assignments, in one aggregate query.
 * Numbers are cut at the cohort's quintiles; categories, levels and yes/no are counted as they are.
 */
export async function computeDimensionAnalysis(
  database: Database,
  accountId: string,
  personaSetId: string,
  traitKey: string,
): Promise<DimensionAnalysis> {
  await getPersonaSetOrThrow(database, accountId, personaSetId);
  const [t, list] = await Promise.all([
    resolveTrait(database, accountId, traitKey),
    database.db
      .select({ id: personas.id })
      .from(personas)
      .where(and(eq(personas.accountId, accountId), eq(personas.personaSetId, personaSetId), isNull(personas.retiredAt)))
      .orderBy(asc(personas.position)),
  ]);
  const personaIds = list.map((p) => p.id);
  const { expr, numeric } = valueSql(t);
  const params: unknown[] = [accountId, personaSetId];
  if (t.position === null) params.push(traitKey);
  let sqlText: string;
  if (t.type === 'numeric') {
    sqlText = `
      with m as materialized (select a.persona_id::text as pid, ${expr} as v ${CURRENT_MEMBERS}),
      q as materialized (select percentile_cont(array[0.2, 0.4, 0.6, 0.8]) within group (order by v) as qs from m where v is not null),
      e as materialized (select coalesce((select array_agg(distinct x order by x) from unnest(q.qs) as x where x is not null), '{}'::float8[]) as edges from q)
      select m.pid, case when m.v is null then null else width_bucket(m.v, e.edges)::text end as bin,
        count(*)::int as n, sum(m.v)::float8 as s, sum(m.v * m.v)::float8 as ss, e.edges
      from m cross join e group by m.pid, 2, e.edges`;
  } else {
    const binExpr = numeric ? `case when v is null then null else round(v)::int::text end` : `v`;
    sqlText = `
      with m as (select a.persona_id::text as pid, ${expr} as v ${CURRENT_MEMBERS})
      select pid, ${binExpr} as bin, count(*)::int as n, ${numeric ? 'sum(v)::float8' : 'null::float8'} as s,
        ${numeric ? 'sum(v * v)::float8' : 'null::float8'} as ss, null::float8[] as edges
      from m group by pid, 2`;
  }
  const { rows } = await database.query<BinRow>(sqlText, params);

  let bins: { label: string; lo?: number; hi?: number }[];
  let binIndex: (bin: string) => number;
  if (t.type === 'numeric') {
    const edges = (rows.find((r) => r.edges)?.edges ?? []).map(Number);
    bins = numericBinLabels(edges, t.unit);
    binIndex = (b) => Number(b);
  } else if (t.type === 'boolean') {
    bins = [{ label: 'No' }, { label: 'Yes' }];
    binIndex = (b) => (Number(b) >= 1 ? 1 : 0);
  } else if (numeric && t.categories?.length) {
    bins = t.categories.map((label) => ({ label }));
    binIndex = (b) => Number(b);
  } else {
    // custom categorical: the values found, most common first, the tail grouped
    const totals = new Map<string, number>();
    for (const r of rows) if (r.bin !== null) totals.set(r.bin, (totals.get(r.bin) ?? 0) + r.n);
    const ordered = [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([v]) => v);
    const top = ordered.slice(0, 11);
    const other = ordered.length > top.length;
    bins = [...top.map((label) => ({ label })), ...(other ? [{ label: 'Other' }] : [])];
    binIndex = (b) => {
      const i = top.indexOf(b);
      return i >= 0 ? i : top.length;
    };
  }
  const counts = new Map<string, number[]>();
  const missing = new Map<string, number>();
  const moments = new Map<string, { n: number; s: number; ss: number }>();
  for (const r of rows) {
    if (r.bin === null) {
      missing.set(r.pid, (missing.get(r.pid) ?? 0) + r.n);
      continue;
    }
    const b = binIndex(r.bin);
    if (!(b >= 0 && b < bins.length)) continue;
    const arr = counts.get(r.pid) ?? bins.map(() => 0);
    arr[b] += r.n;
    counts.set(r.pid, arr);
    const m = moments.get(r.pid) ?? { n: 0, s: 0, ss: 0 };
    m.n += r.n;
    m.s += Number(r.s ?? 0);
    m.ss += Number(r.ss ?? 0);
    moments.set(r.pid, m);
  }
  return dimensionFromCounts(t, bins, personaIds, counts, missing, moments);
}

/** The analyses to show for these trait keys: precomputed when the build wrote one, computed otherwise. */
export async function getDimensionAnalyses(
  database: Database,
  accountId: string,
  personaSetId: string,
  keys: string[],
): Promise<DimensionAnalysis[]> {
  await getPersonaSetOrThrow(database, accountId, personaSetId);
  if (!keys.length) return [];
  const stored = await database.db
    .select({ key: personaSetAnalyses.key, data: personaSetAnalyses.data })
    .from(personaSetAnalyses)
    .where(
      and(
        eq(personaSetAnalyses.personaSetId, personaSetId),
        eq(personaSetAnalyses.kind, 'dimension'),
        inArray(personaSetAnalyses.key, keys),
      ),
    );
  const byKey = new Map(stored.map((r) => [r.key, r.data as DimensionAnalysis]));
  return Promise.all(keys.map((k) => byKey.get(k) ?? computeDimensionAnalysis(database, accountId, personaSetId, k)));
}

/* ---------- assignment confidence ---------- */

export interface PersonaConfidence {
  personaId: string;
  members: number;
  /** median of (runner-up distance − distance) / runner-up distance: 0 = on the border, 1 = at the centre */
  medianMargin: number;
  /** share of members clearly closer to this persona than to any other (relative margin ≥ 0.15) */
  clearShare: number;
  /** the persona most members would otherwise belong to */
  runnerUpPersonaId: string | null;
  runnerUpShare: number;
}

export async function getAssignmentConfidence(
  database: Database,
  accountId: string,
  personaSetId: string,
): Promise<PersonaConfidence[]> {
  await getPersonaSetOrThrow(database, accountId, personaSetId);
  const { rows } = await database.query<{
    pid: string;
    members: number;
    median_margin: number | null;
    clear_share: number | null;
    runner: string | null;
    runner_n: number | null;
  }>(
    `with a as (
       select persona_id::text as pid, runner_up_persona_id::text as runner,
         case when coalesce(margin, 0) + distance > 0 then coalesce(margin, 0) / (coalesce(margin, 0) + distance) end as rel
       from assignments where account_id = $1 and persona_set_id = $2 and valid_to is null),
     r as (select pid, runner, count(*)::int as n, row_number() over (partition by pid order by count(*) desc) as rk
           from a where runner is not null group by pid, runner)
     select s.pid, s.members, s.median_margin, s.clear_share, r.runner, r.n as runner_n
     from (select pid, count(*)::int as members,
             percentile_cont(0.5) within group (order by least(rel, 1))::float8 as median_margin,
             avg(case when rel >= 0.15 then 1.0 else 0.0 end)::float8 as clear_share
           from a group by pid) s
     left join r on r.pid = s.pid and r.rk = 1`,
    [accountId, personaSetId],
  );
  return rows.map((r) => ({
    personaId: r.pid,
    members: r.members,
    medianMargin: Number(r.median_margin ?? 0),
    clearShare: Number(r.clear_share ?? 0),
    runnerUpPersonaId: r.runner,
    runnerUpShare: r.members && r.runner_n ? r.runner_n / r.members : 0,
  }));
}

/* ---------- Explore ---------- */

export interface ExplorePersona {
  id: string;
  name: string;
  position: number;
  size: number;
  share: number;
  avatar: Record<string, unknown>;
}

export interface ExploreSet {
  id: string;
  name: string;
  cohortName: string;
  personas: ExplorePersona[];
  geo: GeoAnalysis | null;
}

/** The ready sets an account shows in Explore, with their personas and member counts by state. */
export async function getExploreSets(database: Database, accountId: string): Promise<ExploreSet[]> {
  const sets = await database.db
    .select({ id: personaSets.id, name: personaSets.name, cohortName: cohorts.name })
    .from(personaSets)
    .innerJoin(cohorts, eq(cohorts.id, personaSets.cohortId))
    .where(and(eq(personaSets.accountId, accountId), eq(personaSets.showInExplore, true), isNull(personaSets.archivedAt)))
    .orderBy(asc(personaSets.name));
  if (!sets.length) return [];
  const ids = sets.map((s) => s.id);
  const [plist, geos] = await Promise.all([
    database.db
      .select({
        id: personas.id,
        setId: personas.personaSetId,
        name: personas.name,
        position: personas.position,
        size: personas.size,
        share: personas.share,
        avatar: personas.avatar,
      })
      .from(personas)
      .where(and(eq(personas.accountId, accountId), inArray(personas.personaSetId, ids), isNull(personas.retiredAt)))
      .orderBy(asc(personas.position)),
    database.db
      .select({ setId: personaSetAnalyses.personaSetId, data: personaSetAnalyses.data })
      .from(personaSetAnalyses)
      .where(
        and(inArray(personaSetAnalyses.personaSetId, ids), eq(personaSetAnalyses.kind, 'geo'), eq(personaSetAnalyses.key, 'state')),
      ),
  ]);
  return sets.map((s) => ({
    ...s,
    personas: plist.filter((p) => p.setId === s.id).map(({ setId: _setId, ...p }) => p),
    geo: (geos.find((g) => g.setId === s.id)?.data as GeoAnalysis | undefined) ?? null,
  }));
}
