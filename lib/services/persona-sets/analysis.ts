// What the Analysis, Flow and Explore views read: computed by builds and scoring runs and stored per set
// (persona_set_analyses), or, for a trait the build did not store, computed on demand the same way.
import 'server-only';
import { and, eq, inArray } from 'drizzle-orm';
import { bulkColumns, bulkInsert } from '@/db/bulk';
import { parseAnalysis, parseDimensionAnalysis, type AnalysisKind, type AnalysisOf, type DimensionAnalysis, type GeoAnalysis, type RevenueAnalysis } from '@/db/json';
import { personaSetAnalyses } from '@/db/schema';
import { assignRows, encodeTable, type PersonaModel } from '@/lib/clustering';
import { STATES } from '@/lib/identity-graph/catalog';
import type { Tenant } from '../tenant';
import { resolveTraitColumns } from '../trait-reader';
import { getBuildSet, setProgress } from './build';
import { recordBuildTimings, type BuildTiming } from './build-progress';
import { dimensionOf } from './dimension';
import { flowFromHistory } from './history';
import { loadMemberMatrix, matrixKeys, rememberedAssignment, snapshotMatrix, type MemberMatrix } from './member-matrix';
import { clusteringTraitKeys, getPersonaSetOrThrow } from './sets';
import type { BuildRef } from './types';

/** Location traits are shown on the map, not as bars. */
const MAPPED = new Set(['state', 'latitude', 'longitude']);

async function currentPersonaIds({ db, accountId }: Tenant, personaSetId: string): Promise<string[]> {
  const r = await db.query<{ id: string }>(
    'select id from personas where persona_set_id = $1 and account_id = $2 and retired_at is null order by position',
    [personaSetId, accountId],
  );
  return r.rows.map((p) => p.id);
}

/** Each member's persona index: the published assignments (the source of truth), else the model's answer. */
async function labelsOf(mt: MemberMatrix, personaIds: string[], model: PersonaModel | null, build: BuildRef | null): Promise<Int32Array> {
  // publishing the build's snapshot assigned each member under this model (labels in the personas' position order)
  const published = build && model ? rememberedAssignment(build, model, mt.table.n) : null;
  if (published && published.labels.every((l) => l < personaIds.length)) return published.labels;
  const pos = new Map(personaIds.map((id, i) => [id, i]));
  if (!model || mt.currentPersona.every((p) => p !== null && pos.has(p))) return Int32Array.from(mt.currentPersona, (p) => (p === null ? -1 : (pos.get(p) ?? -1)));
  const { matrix } = encodeTable(model.encoder, mt.table);
  return (await assignRows(model, matrix, mt.table.n)).labels;
}

function geoOf(mt: MemberMatrix, labels: Int32Array, personaIds: string[]): GeoAnalysis {
  const stateCol = mt.columns.findIndex((c) => c.key === 'state');
  if (stateCol < 0) return { states: [] };
  const codes = mt.columns[stateCol].spec.categories ?? STATES.map((s) => s.code);
  const per = new Map<string, { total: number; counts: Record<string, number> }>();
  const col = mt.table.columns[stateCol];
  for (let i = 0; i < mt.table.n; i++) {
    const code = codes[col[i]];
    const pid = personaIds[labels[i]];
    if (!code || !pid) continue;
    let e = per.get(code);
    if (!e) per.set(code, (e = { total: 0, counts: {} }));
    e.total++;
    e.counts[pid] = (e.counts[pid] ?? 0) + 1;
  }
  return { states: [...per.entries()].map(([state, e]) => ({ state, ...e })).sort((a, b) => a.state.localeCompare(b.state)) };
}

async function revenueOf({ db, accountId }: Tenant, personaSetId: string, personaIds: string[]): Promise<RevenueAnalysis> {
  const r = await db.query<{ persona_id: string; members: string; customers: string; orders: string; revenue: string }>(
    `with cur as (select person_id, persona_id from assignments where persona_set_id = $1 and valid_to is null),
          spend as (select person_id, count(*) as orders, sum(amount) as revenue from orders where account_id = $2 group by person_id)
     select c.persona_id, count(*)::text as members, count(s.person_id)::text as customers,
            coalesce(sum(s.orders), 0)::text as orders, coalesce(sum(s.revenue), 0)::text as revenue
     from cur c left join spend s on s.person_id = c.person_id group by c.persona_id`,
    [personaSetId, accountId],
  );
  const top = await db.query<{ persona_id: string; product: string; category: string | null; revenue: string; orders: string }>(
    `with cur as (select person_id, persona_id from assignments where persona_set_id = $1 and valid_to is null)
     select c.persona_id, o.product, max(o.category) as category, sum(o.amount)::text as revenue, count(*)::text as orders
     from cur c join orders o on o.person_id = c.person_id and o.account_id = $2 where o.product is not null
     group by c.persona_id, o.product`,
    [personaSetId, accountId],
  );
  const byPersona = new Map(r.rows.map((x) => [x.persona_id, x]));
  const totalRevenue = r.rows.reduce((s, x) => s + Number(x.revenue), 0);
  return {
    totalRevenue,
    totalOrders: r.rows.reduce((s, x) => s + Number(x.orders), 0),
    customers: r.rows.reduce((s, x) => s + Number(x.customers), 0),
    personas: personaIds.map((personaId) => {
      const x = byPersona.get(personaId);
      const revenue = Number(x?.revenue ?? 0), orders = Number(x?.orders ?? 0), customers = Number(x?.customers ?? 0);
      const topProducts = top.rows
        .filter((t) => t.persona_id === personaId)
        .map((t) => ({ product: t.product, category: t.category, revenue: Number(t.revenue), orders: Number(t.orders), share: 0 }))
        .sort((a, b) => b.revenue - a.revenue)
        .slice(0, 5)
        .map((t) => ({ ...t, share: revenue ? t.revenue / revenue : 0 }));
      return {
        personaId,
        revenue,
        revenueShare: totalRevenue ? revenue / totalRevenue : 0,
        orders,
        customers,
        members: Number(x?.members ?? 0),
        aov: orders ? revenue / orders : 0,
        ordersPerCustomer: customers ? orders / customers : 0,
        revenuePerCustomer: customers ? revenue / customers : 0,
        topProducts,
      };
    }),
  };
}

/** Computes and stores what the Analysis, Flow and Explore views read, over the build's snapshot or the cohort today. */
export async function computeAnalysis(tenant: Tenant, build: BuildRef, source: 'snapshot' | 'cohort' = 'snapshot'): Promise<{ dimensions: number; days: number }> {
  const set = await getBuildSet(tenant, build.personaSetId);
  if (!set.model) throw new Error('the set has no published model');
  if (source === 'snapshot') await setProgress(tenant, build, 0.86, 'Computing analysis');
  const personaIds = await currentPersonaIds(tenant, build.personaSetId);
  const clusteringKeys = set.model.encoder.specs.map((s) => s.key);
  const keys = matrixKeys(clusteringKeys);
  const mt =
    source === 'snapshot'
      ? await snapshotMatrix(tenant, build, keys)
      : await loadMemberMatrix(tenant, await resolveTraitColumns(tenant, keys), { kind: 'cohort', personaSetId: build.personaSetId, cohortId: set.cohortId });
  const phases: BuildTiming[] = [];
  let lap = performance.now();
  const mark = (name: string) => {
    const now = performance.now();
    phases.push({ name: `Computing analysis › ${name}`, kind: 'phase', ms: now - lap });
    lap = now;
  };
  mark('load');
  const labels = await labelsOf(mt, personaIds, set.model, source === 'snapshot' ? build : null);
  const dims = mt.columns
    .map((c, j) => ({ c, j }))
    .filter(({ c }) => !MAPPED.has(c.key))
    .map(({ c, j }) => dimensionOf(c.spec, mt.table.columns[j], labels, personaIds, clusteringKeys.includes(c.key)));
  const geo = geoOf(mt, labels, personaIds);
  mark('traits and map');
  const revenue = await revenueOf(tenant, build.personaSetId, personaIds);
  mark('revenue');
  // read from the assignment history (who was in which persona each day), written by builds, runs and real time
  const flow = await flowFromHistory(tenant, build.personaSetId, personaIds);
  mark('flow');
  await tenant.db.transaction(async (tx) => {
    await tx.query('delete from persona_set_analyses where persona_set_id = $1', [build.personaSetId]);
    await bulkInsert(
      tx,
      'persona_set_analyses',
      bulkColumns({ persona_set_id: 'uuid', kind: 'text', key: 'text', data: 'jsonb' }),
      [
        ...dims.map((d) => [build.personaSetId, 'dimension', d.key, d]),
        [build.personaSetId, 'revenue', 'summary', revenue],
        [build.personaSetId, 'flow', 'daily', flow],
        [build.personaSetId, 'geo', 'state', geo],
      ],
    );
  });
  mark('store');
  if (source === 'snapshot') await recordBuildTimings(tenant, build, phases);
  return { dimensions: dims.length, days: flow.days.length };
}

/* ---------- reads ---------- */

export async function getAnalysis<K extends AnalysisKind>(tenant: Tenant, personaSetId: string, kind: K, key: string): Promise<AnalysisOf<K> | null> {
  await getPersonaSetOrThrow(tenant, personaSetId);
  const rows = await tenant.db.db
    .select({ data: personaSetAnalyses.data })
    .from(personaSetAnalyses)
    .where(and(eq(personaSetAnalyses.personaSetId, personaSetId), eq(personaSetAnalyses.kind, kind), eq(personaSetAnalyses.key, key)))
    .limit(1);
  return rows.length ? parseAnalysis(kind, rows[0].data) : null;
}

export async function listDimensionAnalyses(tenant: Tenant, personaSetId: string): Promise<DimensionAnalysis[]> {
  await getPersonaSetOrThrow(tenant, personaSetId);
  const rows = await tenant.db.db
    .select({ data: personaSetAnalyses.data })
    .from(personaSetAnalyses)
    .where(and(eq(personaSetAnalyses.personaSetId, personaSetId), eq(personaSetAnalyses.kind, 'dimension')));
  return rows.map((r) => parseDimensionAnalysis(r.data));
}

/** Compares one trait across a set's personas from its current assignments, the way a build does. */
export async function computeDimensionAnalysis(tenant: Tenant, personaSetId: string, traitKey: string): Promise<DimensionAnalysis> {
  const set = await getPersonaSetOrThrow(tenant, personaSetId);
  const [columns, personaIds] = await Promise.all([resolveTraitColumns(tenant, [traitKey]), currentPersonaIds(tenant, personaSetId)]);
  const mt = await loadMemberMatrix(tenant, columns, { kind: 'assigned', personaSetId });
  const labels = await labelsOf(mt, personaIds, null, null);
  return dimensionOf(columns[0].spec, mt.table.columns[0], labels, personaIds, clusteringTraitKeys(set).includes(traitKey));
}

/** The analyses to show for these trait keys: stored when the build wrote one, computed otherwise. */
export async function getDimensionAnalyses(tenant: Tenant, personaSetId: string, keys: string[]): Promise<DimensionAnalysis[]> {
  await getPersonaSetOrThrow(tenant, personaSetId);
  if (!keys.length) return [];
  const stored = await tenant.db.db
    .select({ key: personaSetAnalyses.key, data: personaSetAnalyses.data })
    .from(personaSetAnalyses)
    .where(and(eq(personaSetAnalyses.personaSetId, personaSetId), eq(personaSetAnalyses.kind, 'dimension'), inArray(personaSetAnalyses.key, keys)));
  const byKey = new Map(stored.map((r) => [r.key, parseDimensionAnalysis(r.data)]));
  return Promise.all(keys.map((k) => byKey.get(k) ?? computeDimensionAnalysis(tenant, personaSetId, k)));
}
