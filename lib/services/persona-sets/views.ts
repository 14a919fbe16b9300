// Read models of the persona-set screens and Explore: cohort and trait options, assignment confidence, and the
// sets shown in Explore. Every query is scoped by the tenant's account.
import 'server-only';
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import { parseGeoAnalysis } from '@/db/json';
import { cohorts, personaSetAnalyses, personaSets, personas, traits } from '@/db/schema';
import { GRAPH_TRAITS } from '@/lib/identity-graph/catalog';
import type { Tenant } from '../tenant';
import { getPersonaSetOrThrow } from './sets';
import type { CohortOption, ExploreSet, PersonaConfidence, TraitOption } from './types';

export async function listCohortOptions({ db, accountId }: Tenant): Promise<CohortOption[]> {
  return db.db
    .select({ id: cohorts.id, name: cohorts.name, members: cohorts.memberCount })
    .from(cohorts)
    .where(eq(cohorts.accountId, accountId))
    .orderBy(asc(cohorts.name));
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
export async function listTraitOptions({ db, accountId }: Tenant): Promise<TraitOption[]> {
  const custom = await db.db
    .select({ key: traits.key, label: traits.label, category: traits.category, type: traits.type, description: traits.description, unit: traits.unit })
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

export async function getAssignmentConfidence(tenant: Tenant, personaSetId: string): Promise<PersonaConfidence[]> {
  await getPersonaSetOrThrow(tenant, personaSetId);
  const { rows } = await tenant.db.query<{
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
    [tenant.accountId, personaSetId],
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

/** The sets an account shows in Explore, with their personas and member counts by state. */
export async function getExploreSets({ db, accountId }: Tenant): Promise<ExploreSet[]> {
  const sets = await db.db
    .select({ id: personaSets.id, name: personaSets.name, cohortName: cohorts.name })
    .from(personaSets)
    .innerJoin(cohorts, eq(cohorts.id, personaSets.cohortId))
    .where(and(eq(personaSets.accountId, accountId), eq(personaSets.showInExplore, true), isNull(personaSets.archivedAt)))
    .orderBy(asc(personaSets.name));
  if (!sets.length) return [];
  const ids = sets.map((s) => s.id);
  const [plist, geos] = await Promise.all([
    db.db
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
    db.db
      .select({ setId: personaSetAnalyses.personaSetId, data: personaSetAnalyses.data })
      .from(personaSetAnalyses)
      .where(and(inArray(personaSetAnalyses.personaSetId, ids), eq(personaSetAnalyses.kind, 'geo'), eq(personaSetAnalyses.key, 'state'))),
  ]);
  return sets.map((s) => {
    const geo = geos.find((g) => g.setId === s.id);
    return {
      ...s,
      personas: plist.filter((p) => p.setId === s.id).map(({ setId: _setId, ...p }) => p),
      geo: geo ? parseGeoAnalysis(geo.data) : null,
    };
  });
}
