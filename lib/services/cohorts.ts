import 'server-only';
import { and, asc, eq } from 'drizzle-orm';
import { bulkColumns, bulkInsert, refreshStatistics } from '@/db/bulk';
import { cohorts, type Cohort } from '@/db/schema';
import { cohortDefinitionSchema, definitionDependsOnTime, type CohortDefinition } from '@/lib/cohorts/definition';
import {
  cohortStays,
  dayToIso,
  toDay,
  traitConditionHolds,
  type Day,
  type PersonOrders,
  type Stay,
} from '@/lib/cohorts/timeline';
import { assertNotReadOnlyDemo } from './account-guards';
import { ServiceError, isUniqueViolation, notFound } from './errors';
import { isUuid } from './ids';
import type { Tenant } from './tenant';
import { resolveTraitColumns } from './trait-reader';

const PEOPLE_BATCH = 25_000;

export async function getCohortOrThrow({ db, accountId }: Tenant, cohortId: string): Promise<Cohort> {
  if (!isUuid(cohortId)) throw notFound('Cohort');
  const rows = await db.db
    .select()
    .from(cohorts)
    .where(and(eq(cohorts.accountId, accountId), eq(cohorts.id, cohortId)))
    .limit(1);
  if (!rows.length) throw notFound('Cohort');
  return rows[0];
}

interface EvaluatedBatch {
  personIds: number[];
  stays: Stay[][];
}

/** Streams the account's people in id ranges and computes each person's stays in the cohort up to `today`. */
async function* evaluateCohort(tenant: Tenant, def: CohortDefinition, today: Day): AsyncGenerator<EvaluatedBatch> {
  const { db: database, accountId } = tenant;
  // a condition may name a custom column no upload declared: it is compared as stored
  const columns = await resolveTraitColumns(tenant, def.traits.map((t) => t.key), { undeclared: 'as-stored' });
  const readers = def.traits.map((t, i) => ({ cond: t, sql: columns[i].sql, decode: columns[i].value }));
  const traitCols = readers.map((r, i) => `, ${r.sql} as t${i}`).join('');
  let after = 0;
  for (;;) {
    const people = await database.query<Record<string, unknown> & { id: string; created_at: Date | string }>(
      `select p.id::text as id, p.created_at${traitCols} from people p
       where p.account_id = $1 and p.id > $2 order by p.id limit ${PEOPLE_BATCH}`,
      [accountId, after],
    );
    if (!people.rows.length) return;
    const lo = Number(people.rows[0].id);
    const hi = Number(people.rows[people.rows.length - 1].id);
    after = hi;
    const ord = await database.query<{ person_id: string; day: number; amount: number; product: string | null; category: string | null }>(
      `select person_id::text as person_id, floor(extract(epoch from ordered_at) / 86400)::int as day, amount, product, category
       from orders where account_id = $1 and person_id between $2 and $3 order by person_id, ordered_at`,
      [accountId, lo, hi],
    );
    const byPerson = new Map<string, PersonOrders & { products: (string | null)[]; categories: (string | null)[] }>();
    for (const o of ord.rows) {
      let e = byPerson.get(o.person_id);
      if (!e) byPerson.set(o.person_id, (e = { days: [], amounts: [], products: [], categories: [] }));
      (e.days as number[]).push(Number(o.day));
      (e.amounts as number[]).push(Number(o.amount));
      e.products.push(o.product);
      e.categories.push(o.category);
    }
    const empty: PersonOrders = { days: [], amounts: [] };
    const batch: EvaluatedBatch = { personIds: [], stays: [] };
    for (const p of people.rows) {
      const traitsOk = readers.every((r, i) => traitConditionHolds(r.cond, r.decode(p[`t${i}`])));
      if (!traitsOk) continue;
      const o = byPerson.get(p.id) ?? empty;
      const created = toDay(p.created_at);
      // a person's known history starts at their first order when that came before they were loaded
      const start = Math.min(created, o.days.length ? o.days[0] : created);
      const stays = cohortStays(def, o, start, today);
      if (stays.length) {
        batch.personIds.push(Number(p.id));
        batch.stays.push(stays);
      }
    }
    yield batch;
  }
}

/** The number of people who would be in a cohort with this definition today (live preview before saving). */
export async function previewCohortSize(tenant: Tenant, definition: unknown, today = new Date()) {
  const def = cohortDefinitionSchema.parse(definition);
  const d = toDay(today);
  let count = 0;
  for await (const b of evaluateCohort(tenant, def, d))
    for (const stays of b.stays) if (stays[stays.length - 1].exited === null) count++;
  return count;
}

/** Recomputes a cohort's membership history from the account's data, replacing the old history atomically. */
export async function recomputeCohort(
  tenant: Tenant,
  cohortId: string,
  opts: { today?: Date } = {},
): Promise<{ members: number; stays: number }> {
  const { db: database, accountId } = tenant;
  const cohort = await getCohortOrThrow(tenant, cohortId);
  const def = cohortDefinitionSchema.parse(cohort.definition);
  const today = toDay(opts.today ?? new Date());
  return database.transaction(async (tx) => {
    await tx.query('delete from cohort_memberships where cohort_id = $1', [cohortId]);
    let members = 0;
    let stays = 0;
    for await (const b of evaluateCohort({ ...tenant, db: tx }, def, today)) {
      const rows: unknown[][] = [];
      b.personIds.forEach((pid, i) => {
        for (const s of b.stays[i]) {
          rows.push([accountId, cohortId, pid, dayToIso(s.entered), s.exited === null ? null : dayToIso(s.exited)]);
          stays++;
        }
        if (b.stays[i][b.stays[i].length - 1].exited === null) members++;
      });
      await bulkInsert(
        tx,
        'cohort_memberships',
        bulkColumns({ account_id: 'uuid', cohort_id: 'uuid', person_id: 'int8', entered_on: 'date', exited_on: 'date' }),
        rows,
      );
    }
    await tx.query('update cohorts set member_count = $1, computed_at = now(), updated_at = now() where id = $2', [
      members,
      cohortId,
    ]);
    await refreshStatistics(tx, 'cohort_memberships', stays);
    return { members, stays };
  });
}

export async function createCohort(
  tenant: Tenant,
  input: { name: string; description?: string; definition: unknown },
): Promise<Cohort> {
  await assertNotReadOnlyDemo(tenant, 'cohorts');
  const { db: database, accountId } = tenant;
  const def = cohortDefinitionSchema.parse(input.definition);
  let created: Cohort;
  try {
    [created] = await database.db
      .insert(cohorts)
      .values({ accountId, name: input.name.trim(), description: input.description ?? '', definition: def })
      .returning();
  } catch (err) {
    if (isUniqueViolation(err))
      throw new ServiceError('conflict', 'A cohort with this name already exists', { name: ['This name is taken'] });
    throw err;
  }
  await recomputeCohort(tenant, created.id);
  return getCohortOrThrow(tenant, created.id);
}

export async function updateCohort(
  tenant: Tenant,
  cohortId: string,
  input: { name?: string; description?: string; definition?: unknown },
): Promise<Cohort> {
  await assertNotReadOnlyDemo(tenant, 'cohorts');
  const { db: database, accountId } = tenant;
  await getCohortOrThrow(tenant, cohortId);
  const patch: Partial<typeof cohorts.$inferInsert> = {};
  if (input.name !== undefined) patch.name = input.name.trim();
  if (input.description !== undefined) patch.description = input.description;
  if (input.definition !== undefined) patch.definition = cohortDefinitionSchema.parse(input.definition);
  try {
    await database.db.update(cohorts).set(patch).where(and(eq(cohorts.accountId, accountId), eq(cohorts.id, cohortId)));
  } catch (err) {
    if (isUniqueViolation(err))
      throw new ServiceError('conflict', 'A cohort with this name already exists', { name: ['This name is taken'] });
    throw err;
  }
  if (input.definition !== undefined) await recomputeCohort(tenant, cohortId);
  return getCohortOrThrow(tenant, cohortId);
}

/** Members of a cohort at the end of a given day. */
export async function cohortMembersAt({ db: database, accountId }: Tenant, cohortId: string, day: Date | string) {
  const iso = typeof day === 'string' ? day : day.toISOString().slice(0, 10);
  const r = await database.query<{ n: string }>(
    `select count(*)::text as n from cohort_memberships
     where account_id = $1 and cohort_id = $2 and entered_on <= $3::date and (exited_on is null or exited_on > $3::date)`,
    [accountId, cohortId, iso],
  );
  return Number(r.rows[0].n);
}

/** Daily member counts of cohorts over [from, to], from entry and exit deltas (one pass, no per-day scans). */
export async function cohortHistory(
  { db: database, accountId }: Tenant,
  cohortIds: string[],
  opts: { from?: string; to?: string } = {},
): Promise<Map<string, { day: string; members: number }[]>> {
  const out = new Map<string, { day: string; members: number }[]>();
  if (!cohortIds.length) return out;
  const r = await database.query<{ cohort_id: string; d: string; delta: string }>(
    `select cohort_id, to_char(d, 'YYYY-MM-DD') as d, sum(delta)::text as delta from (
       select cohort_id, entered_on as d, 1 as delta from cohort_memberships where account_id = $1 and cohort_id = any($2::uuid[])
       union all
       select cohort_id, exited_on, -1 from cohort_memberships where account_id = $1 and cohort_id = any($2::uuid[]) and exited_on is not null
     ) x group by cohort_id, d order by cohort_id, d`,
    [accountId, cohortIds],
  );
  const deltas = new Map<string, Map<number, number>>();
  let minDay = Infinity;
  for (const row of r.rows) {
    const day = toDay(row.d);
    minDay = Math.min(minDay, day);
    let m = deltas.get(row.cohort_id);
    if (!m) deltas.set(row.cohort_id, (m = new Map()));
    m.set(day, Number(row.delta));
  }
  const to = toDay(opts.to ?? new Date());
  const from = opts.from ? toDay(opts.from) : Number.isFinite(minDay) ? minDay : to;
  for (const id of cohortIds) {
    const m = deltas.get(id) ?? new Map<number, number>();
    let running = 0;
    for (const [day, delta] of m) if (day < from) running += delta;
    const series: { day: string; members: number }[] = [];
    for (let d = from; d <= to; d++) {
      running += m.get(d) ?? 0;
      series.push({ day: dayToIso(d), members: running });
    }
    out.set(id, series);
  }
  return out;
}

export interface CohortListItem {
  id: string;
  name: string;
  description: string;
  definition: CohortDefinition;
  members: number;
  change30d: number;
  sparkline: number[];
  computedAt: Date | null;
}

export async function listCohorts(tenant: Tenant): Promise<CohortListItem[]> {
  const rows = await tenant.db.db.select().from(cohorts).where(eq(cohorts.accountId, tenant.accountId)).orderBy(asc(cohorts.name));
  const today = toDay(new Date());
  const history = await cohortHistory(
    tenant,
    rows.map((r) => r.id),
    { from: dayToIso(today - 180) },
  );
  return rows.map((c) => {
    const series = history.get(c.id) ?? [];
    const now = series.at(-1)?.members ?? c.memberCount;
    const before = series.at(-31)?.members ?? now;
    const sparkline = series.filter((_, i) => (series.length - 1 - i) % 7 === 0).map((p) => p.members);
    return {
      id: c.id,
      name: c.name,
      description: c.description,
      definition: cohortDefinitionSchema.parse(c.definition),
      members: now,
      change30d: now - before,
      sparkline,
      computedAt: c.computedAt,
    };
  });
}

/** Every account's cohorts whose membership moves with the calendar (the daily recompute's list). */
export async function listTimeDependentCohorts({ db }: Pick<Tenant, 'db'>): Promise<{ accountId: string; cohortId: string }[]> {
  const r = await db.query<{ account_id: string; id: string; definition: unknown }>('select account_id, id, definition from cohorts order by account_id, id');
  return r.rows
    .filter((c) => {
      const def = cohortDefinitionSchema.safeParse(c.definition);
      return def.success && definitionDependsOnTime(def.data);
    })
    .map((c) => ({ accountId: c.account_id, cohortId: c.id }));
}
