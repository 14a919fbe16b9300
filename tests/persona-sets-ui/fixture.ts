// Test and dev fixture: builds a real persona set for a cohort with the clustering library and writes the rows
// the build job writes (personas, assignments, analyses) in the documented shapes. Not the build job itself.
import { and, eq, isNull } from 'drizzle-orm';
import type { Database } from '@/db/client';
import { cohortMemberships, personaSetAnalyses, personaSets, personas } from '@/db/schema';
import { buildPersonaSet } from '@/lib/clustering';
import type { TraitTable } from '@/lib/clustering';
import { ANALYSIS_TRAIT_KEYS, GRAPH_TRAITS } from '@/lib/identity-graph/catalog';
import type { AnalysisData } from '@/db/json';
import { computeDimensionAnalysis, draftPersona, qualityOf, type FlowAnalysis, type GeoAnalysis, type RevenueAnalysis } from '@/lib/services/persona-sets';
import { tenantOf } from '@/lib/services/tenant';

const SKIP = new Set(['state', 'latitude', 'longitude']);

export async function seedReadyPersonaSet(
  database: Database,
  accountId: string,
  cohortId: string,
  name: string,
  opts: { traitKeys?: string[]; showInExplore?: boolean; seed?: number } = {},
): Promise<{ setId: string; personaIds: string[] }> {
  const members = await database.db
    .select({ personId: cohortMemberships.personId })
    .from(cohortMemberships)
    .where(and(eq(cohortMemberships.accountId, accountId), eq(cohortMemberships.cohortId, cohortId), isNull(cohortMemberships.exitedOn)));
  const ids = members.map((m) => m.personId);
  const { rows } = await database.query<{ id: number; t: number[] | null }>(
    `select id::int as id, graph_traits as t from people where account_id = $1 and id = any($2::bigint[]) order by id`,
    [accountId, ids],
  );
  const specs = GRAPH_TRAITS.filter((t) => !SKIP.has(t.key));
  const positions = specs.map((s) => GRAPH_TRAITS.indexOf(s));
  const n = rows.length;
  const columns = specs.map(() => new Float64Array(n).fill(NaN));
  rows.forEach((r, i) => {
    if (!r.t) return;
    positions.forEach((p, c) => {
      const v = r.t![p];
      columns[c][i] = v === null || v === undefined ? NaN : Number(v);
    });
  });
  const table: TraitTable = { n, traits: specs, columns };
  const result = await buildPersonaSet(table, { traits: opts.traitKeys, seed: opts.seed ?? 7, threads: 1, sampleSize: 20_000 });

  const [set] = await database.db
    .insert(personaSets)
    .values({
      accountId,
      cohortId,
      name,
      slug: name.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
      status: 'ready',
      progress: 1,
      currentStep: 'Ready',
      k: result.k,
      memberCount: n,
      buildVersion: 1,
      traitKeys: opts.traitKeys ?? null,
      model: result.model,
      // the shape a build stores: the clustered traits, who chose them, and the automatic choice's report
      selection: {
        traits: result.traits,
        chosenBy: result.selection === 'caller-chosen' ? 'analyst' : 'automatic',
        report: result.selection === 'caller-chosen' ? [] : result.selection.report,
      },
      quality: qualityOf(result),
      showInExplore: opts.showInExplore ?? false,
      builtAt: new Date(),
    })
    .returning();
  const inserted = await database.db
    .insert(personas)
    .values(
      result.personas.map((_, j) => ({ accountId, personaSetId: set.id, ...draftPersona(result, j) })),
    )
    .returning({ id: personas.id, position: personas.position });
  const personaIds = inserted.sort((a, b) => a.position - b.position).map((p) => p.id);

  await database.query(
    `insert into assignments (account_id, persona_set_id, person_id, persona_id, distance, runner_up_persona_id, margin)
     select $1, $2, t.pid, ($5::uuid[])[t.lab + 1], t.dist, ($5::uuid[])[t.run + 1], t.mar
     from unnest($3::bigint[], $4::int[], $6::real[], $7::int[], $8::real[]) as t(pid, lab, dist, run, mar)`,
    [
      accountId,
      set.id,
      rows.map((r) => r.id),
      Array.from(result.labels),
      personaIds,
      Array.from(result.distances),
      Array.from(result.runnerUp),
      Array.from(result.margins),
    ],
  );

  const analyses: { kind: 'dimension' | 'revenue' | 'flow' | 'geo'; key: string; data: AnalysisData }[] = [];
  for (const key of new Set([...result.traits, ...ANALYSIS_TRAIT_KEYS])) {
    const d = await computeDimensionAnalysis(tenantOf(database, accountId), set.id, key);
    d.clustering = result.traits.includes(key);
    analyses.push({ kind: 'dimension', key, data: d });
  }
  analyses.push({ kind: 'revenue', key: 'summary', data: await revenue(database, accountId, set.id, personaIds) });
  analyses.push({ kind: 'flow', key: 'daily', data: await flow(database, accountId, set.id, cohortId, personaIds) });
  analyses.push({ kind: 'geo', key: 'state', data: await geo(database, accountId, set.id) });
  await database.db.insert(personaSetAnalyses).values(analyses.map((a) => ({ personaSetId: set.id, ...a })));
  return { setId: set.id, personaIds };
}

async function revenue(database: Database, accountId: string, setId: string, personaIds: string[]): Promise<RevenueAnalysis> {
  const { rows } = await database.query<{ pid: string; revenue: number; orders: number; customers: number; members: number }>(
    `select a.persona_id::text as pid, coalesce(sum(o.amount), 0)::float8 as revenue, count(o.id)::int as orders,
       count(distinct o.person_id)::int as customers, count(distinct a.person_id)::int as members
     from assignments a left join orders o on o.person_id = a.person_id and o.account_id = $1
     where a.account_id = $1 and a.persona_set_id = $2 and a.valid_to is null group by 1`,
    [accountId, setId],
  );
  const products = await database.query<{ pid: string; product: string; category: string | null; revenue: number; orders: number }>(
    `select a.persona_id::text as pid, o.product, max(o.category) as category, sum(o.amount)::float8 as revenue, count(*)::int as orders
     from assignments a join orders o on o.person_id = a.person_id and o.account_id = $1
     where a.account_id = $1 and a.persona_set_id = $2 and a.valid_to is null and o.product is not null group by 1, 2`,
    [accountId, setId],
  );
  const total = rows.reduce((s, r) => s + r.revenue, 0);
  return {
    totalRevenue: total,
    totalOrders: rows.reduce((s, r) => s + r.orders, 0),
    customers: rows.reduce((s, r) => s + r.customers, 0),
    personas: personaIds.map((pid) => {
      const r = rows.find((x) => x.pid === pid) ?? { revenue: 0, orders: 0, customers: 0, members: 0 };
      const mine = products.rows.filter((p) => p.pid === pid).sort((a, b) => b.revenue - a.revenue);
      return {
        personaId: pid,
        revenue: r.revenue,
        revenueShare: total ? r.revenue / total : 0,
        orders: r.orders,
        customers: r.customers,
        members: r.members,
        aov: r.orders ? r.revenue / r.orders : 0,
        ordersPerCustomer: r.customers ? r.orders / r.customers : 0,
        revenuePerCustomer: r.customers ? r.revenue / r.customers : 0,
        topProducts: mine.slice(0, 5).map((p) => ({ ...p, share: r.revenue ? p.revenue / r.revenue : 0 })),
      };
    }),
  };
}

async function flow(database: Database, accountId: string, setId: string, cohortId: string, personaIds: string[]): Promise<FlowAnalysis> {
  const { rows } = await database.query<{ day: string; pid: string; n: number }>(
    `with d as (select generate_series(greatest((select min(entered_on) from cohort_memberships where cohort_id = $3), current_date - 365), current_date, interval '1 day')::date as day)
     select to_char(d.day, 'YYYY-MM-DD') as day, a.persona_id::text as pid, count(*)::int as n
     from d join cohort_memberships m on m.cohort_id = $3 and m.account_id = $1 and m.entered_on <= d.day and (m.exited_on is null or m.exited_on > d.day)
     join assignments a on a.person_id = m.person_id and a.persona_set_id = $2 and a.valid_to is null
     group by 1, 2 order by 1`,
    [accountId, setId, cohortId],
  );
  const days = [...new Set(rows.map((r) => r.day))];
  const at = new Map(days.map((d, i) => [d, i]));
  return {
    days,
    personas: personaIds.map((pid) => {
      const counts = days.map(() => 0);
      for (const r of rows) if (r.pid === pid) counts[at.get(r.day)!] = r.n;
      return { personaId: pid, counts };
    }),
  };
}

async function geo(database: Database, accountId: string, setId: string): Promise<GeoAnalysis> {
  const pos = GRAPH_TRAITS.findIndex((t) => t.key === 'state') + 1;
  const codes = GRAPH_TRAITS[pos - 1].categories!;
  const { rows } = await database.query<{ code: number; pid: string; n: number }>(
    `select round(p.graph_traits[${pos}])::int as code, a.persona_id::text as pid, count(*)::int as n
     from assignments a join people p on p.id = a.person_id and p.account_id = $1
     where a.account_id = $1 and a.persona_set_id = $2 and a.valid_to is null and p.graph_traits[${pos}] <> 'NaN'::real group by 1, 2`,
    [accountId, setId],
  );
  const byState = new Map<string, { state: string; total: number; counts: Record<string, number> }>();
  for (const r of rows) {
    const state = codes[r.code];
    if (!state) continue;
    const s = byState.get(state) ?? { state, total: 0, counts: {} };
    s.total += r.n;
    s.counts[r.pid] = r.n;
    byState.set(state, s);
  }
  return { states: [...byState.values()] };
}
