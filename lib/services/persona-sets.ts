import { and, asc, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '@/db/client';
import {
  cohorts,
  personaSetAnalyses,
  personaSets,
  personas,
  scoringRuns,
  type Persona,
  type PersonaSet,
} from '@/db/schema';
import { sendEvent } from '@/inngest/client';
import { GRAPH_TRAIT_INDEX } from '@/lib/identity-graph/catalog';
import { getCohortOrThrow } from './cohorts';
import { ServiceError, isUniqueViolation, notFound } from './errors';
import { slugify } from './accounts';

export type PersonaSetStatus = PersonaSet['status'];

/* ---------- analysis shapes (persona_set_analyses.data), written by the build, read by UI and API ---------- */

export interface DimensionAnalysis {
  key: string;
  label: string;
  type: 'numeric' | 'ordinal' | 'categorical' | 'boolean';
  unit?: string;
  /** used to cluster this set */
  clustering: boolean;
  coverage: number;
  bins: { label: string; lo?: number; hi?: number }[];
  /** share of the whole cohort per bin (sums to 1 over known values) */
  cohort: number[];
  cohortMean?: number;
  personas: {
    personaId: string;
    shares: number[];
    /** share / cohort share × 100 per bin */
    index: number[];
    mean?: number;
    /** standardized difference of the persona from the cohort (numeric/ordinal/boolean) */
    z?: number;
    salient: boolean;
  }[];
}

export interface RevenueAnalysis {
  totalRevenue: number;
  totalOrders: number;
  customers: number;
  personas: {
    personaId: string;
    revenue: number;
    revenueShare: number;
    orders: number;
    customers: number;
    members: number;
    aov: number;
    ordersPerCustomer: number;
    revenuePerCustomer: number;
    topProducts: { product: string; category: string | null; revenue: number; orders: number; share: number }[];
  }[];
}

export interface FlowAnalysis {
  days: string[];
  personas: { personaId: string; counts: number[] }[];
}

export interface GeoAnalysis {
  states: { state: string; total: number; counts: Record<string, number> }[];
}

/* ---------- reads ---------- */

export async function getPersonaSetOrThrow(database: Database, accountId: string, id: string): Promise<PersonaSet> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('Persona set');
  const rows = await database.db
    .select()
    .from(personaSets)
    .where(and(eq(personaSets.accountId, accountId), eq(personaSets.id, id)))
    .limit(1);
  if (!rows.length) throw notFound('Persona set');
  return rows[0];
}

export interface PersonaSetListItem {
  id: string;
  name: string;
  slug: string;
  status: PersonaSetStatus;
  progress: number;
  currentStep: string | null;
  error: string | null;
  k: number | null;
  memberCount: number | null;
  showInExplore: boolean;
  archived: boolean;
  cohortId: string;
  cohortName: string;
  cohortMembers: number;
  builtAt: Date | null;
  createdAt: Date;
}

export async function listPersonaSets(
  database: Database,
  accountId: string,
  opts: { includeArchived?: boolean } = {},
): Promise<PersonaSetListItem[]> {
  const where = opts.includeArchived
    ? eq(personaSets.accountId, accountId)
    : and(eq(personaSets.accountId, accountId), isNull(personaSets.archivedAt));
  const rows = await database.db
    .select({
      set: personaSets,
      cohortName: cohorts.name,
      cohortMembers: cohorts.memberCount,
    })
    .from(personaSets)
    .innerJoin(cohorts, eq(cohorts.id, personaSets.cohortId))
    .where(where)
    .orderBy(desc(personaSets.createdAt));
  return rows.map(({ set, cohortName, cohortMembers }) => ({
    id: set.id,
    name: set.name,
    slug: set.slug,
    status: set.status,
    progress: set.progress,
    currentStep: set.currentStep,
    error: set.error,
    k: set.k,
    memberCount: set.memberCount,
    showInExplore: set.showInExplore,
    archived: set.archivedAt !== null,
    cohortId: set.cohortId,
    cohortName,
    cohortMembers,
    builtAt: set.builtAt,
    createdAt: set.createdAt,
  }));
}

export async function listPersonas(database: Database, accountId: string, personaSetId: string): Promise<Persona[]> {
  return database.db
    .select()
    .from(personas)
    .where(and(eq(personas.accountId, accountId), eq(personas.personaSetId, personaSetId), isNull(personas.retiredAt)))
    .orderBy(asc(personas.position));
}

export async function getPersonaSetDetail(database: Database, accountId: string, id: string) {
  const set = await getPersonaSetOrThrow(database, accountId, id);
  const [cohort, list] = await Promise.all([
    getCohortOrThrow(database, accountId, set.cohortId),
    listPersonas(database, accountId, id),
  ]);
  return { set, cohort, personas: list };
}

export async function getAnalysis<T>(
  database: Database,
  accountId: string,
  personaSetId: string,
  kind: 'dimension' | 'revenue' | 'flow' | 'geo',
  key: string,
): Promise<T | null> {
  await getPersonaSetOrThrow(database, accountId, personaSetId);
  const rows = await database.db
    .select({ data: personaSetAnalyses.data })
    .from(personaSetAnalyses)
    .where(
      and(
        eq(personaSetAnalyses.personaSetId, personaSetId),
        eq(personaSetAnalyses.kind, kind),
        eq(personaSetAnalyses.key, key),
      ),
    )
    .limit(1);
  return rows.length ? (rows[0].data as T) : null;
}

export async function listDimensionAnalyses(database: Database, accountId: string, personaSetId: string) {
  await getPersonaSetOrThrow(database, accountId, personaSetId);
  const rows = await database.db
    .select({ key: personaSetAnalyses.key, data: personaSetAnalyses.data })
    .from(personaSetAnalyses)
    .where(and(eq(personaSetAnalyses.personaSetId, personaSetId), eq(personaSetAnalyses.kind, 'dimension')));
  return rows.map((r) => r.data as DimensionAnalysis);
}

/* ---------- writes ---------- */

async function checkTraitKeys(database: Database, accountId: string, keys: string[]): Promise<void> {
  const custom = await database.query<{ key: string }>(
    `select key from traits where account_id = $1 and key = any($2::text[])`,
    [accountId, keys],
  );
  const known = new Set(custom.rows.map((r) => r.key));
  const unknown = keys.filter((k) => GRAPH_TRAIT_INDEX[k] === undefined && !known.has(k));
  if (unknown.length) throw new ServiceError('invalid', `Unknown traits: ${unknown.join(', ')}`, { traitKeys: [`Unknown traits: ${unknown.join(', ')}`] });
}

/** Queues a build of the set's current version; the event id makes repeated sends start one build. */
async function enqueueBuild(database: Database, set: PersonaSet, requestedBy?: string): Promise<void> {
  try {
    await sendEvent(
      'persona-set/requested',
      { accountId: set.accountId, personaSetId: set.id, buildVersion: set.buildVersion, requestedBy },
      { id: `persona-set-build-${set.id}-v${set.buildVersion}` },
    );
  } catch (err) {
    const reason = 'The build could not be queued. Try again in a moment.';
    await database.db
      .update(personaSets)
      .set({ status: 'errored', error: reason })
      .where(eq(personaSets.id, set.id));
    console.error('[facet] enqueue build failed:', err);
    throw new ServiceError('unavailable', reason);
  }
}

export interface CreatePersonaSetInput {
  name: string;
  cohortId: string;
  traitKeys?: string[] | null;
  k?: number | null;
}

export async function createPersonaSet(
  database: Database,
  accountId: string,
  userId: string | null,
  input: CreatePersonaSetInput,
): Promise<PersonaSet> {
  const name = input.name.trim();
  if (!name) throw new ServiceError('invalid', 'Give the persona set a name', { name: ['Enter a name'] });
  await getCohortOrThrow(database, accountId, input.cohortId).catch(() => {
    throw new ServiceError('invalid', 'Choose one of your cohorts', { cohortId: ['Choose a cohort'] });
  });
  const traitKeys = input.traitKeys?.length ? [...new Set(input.traitKeys)] : null;
  if (traitKeys) {
    if (traitKeys.length < 2) throw new ServiceError('invalid', 'Choose at least two traits', { traitKeys: ['Choose at least two traits'] });
    await checkTraitKeys(database, accountId, traitKeys);
  }
  if (input.k != null && (input.k < 2 || input.k > 20))
    throw new ServiceError('invalid', 'The number of personas must be between 2 and 20', { k: ['Between 2 and 20'] });
  let set: PersonaSet;
  try {
    [set] = await database.db
      .insert(personaSets)
      .values({
        accountId,
        cohortId: input.cohortId,
        name,
        slug: slugify(name),
        traitKeys,
        requestedK: input.k ?? null,
        createdBy: userId,
        status: 'queued',
        buildVersion: 1,
        currentStep: 'Queued',
      })
      .returning();
  } catch (err) {
    if (isUniqueViolation(err))
      throw new ServiceError('conflict', 'A persona set with this name already exists', {
        name: ['This name is already used by another persona set'],
      });
    throw err;
  }
  await enqueueBuild(database, set, userId ?? undefined);
  return set;
}

/** Rebuild (or retry after an error): a new build version, queued. */
export async function requestRebuild(
  database: Database,
  accountId: string,
  id: string,
  userId?: string,
  changes: { traitKeys?: string[] | null; k?: number | null } = {},
): Promise<PersonaSet> {
  await getPersonaSetOrThrow(database, accountId, id);
  if (changes.traitKeys?.length) await checkTraitKeys(database, accountId, changes.traitKeys);
  const [set] = await database.db
    .update(personaSets)
    .set({
      status: 'queued',
      progress: 0,
      currentStep: 'Queued',
      error: null,
      buildVersion: sql`${personaSets.buildVersion} + 1`,
      ...(changes.traitKeys !== undefined ? { traitKeys: changes.traitKeys?.length ? changes.traitKeys : null } : {}),
      ...(changes.k !== undefined ? { requestedK: changes.k } : {}),
    })
    .where(and(eq(personaSets.accountId, accountId), eq(personaSets.id, id)))
    .returning();
  await enqueueBuild(database, set, userId);
  return set;
}

export async function updatePersonaSet(
  database: Database,
  accountId: string,
  id: string,
  patch: { name?: string; showInExplore?: boolean; schedule?: 'off' | 'daily' | 'weekly' },
): Promise<PersonaSet> {
  const current = await getPersonaSetOrThrow(database, accountId, id);
  const values: Partial<typeof personaSets.$inferInsert> = {};
  if (patch.name !== undefined) {
    const name = patch.name.trim();
    if (!name) throw new ServiceError('invalid', 'Enter a name', { name: ['Enter a name'] });
    values.name = name;
    values.slug = slugify(name);
  }
  if (patch.showInExplore !== undefined) {
    if (patch.showInExplore && current.status !== 'ready' && !current.builtAt)
      throw new ServiceError('invalid', 'Only a built persona set can be shown in Explore');
    values.showInExplore = patch.showInExplore;
  }
  if (patch.schedule !== undefined) values.schedule = patch.schedule;
  if (!Object.keys(values).length) return current;
  try {
    const [set] = await database.db
      .update(personaSets)
      .set(values)
      .where(and(eq(personaSets.accountId, accountId), eq(personaSets.id, id)))
      .returning();
    return set;
  } catch (err) {
    if (isUniqueViolation(err))
      throw new ServiceError('conflict', 'A persona set with this name already exists', {
        name: ['This name is already used by another persona set'],
      });
    throw err;
  }
}

export async function setPersonaSetArchived(database: Database, accountId: string, id: string, archived: boolean) {
  await getPersonaSetOrThrow(database, accountId, id);
  const [set] = await database.db
    .update(personaSets)
    .set({ archivedAt: archived ? new Date() : null, ...(archived ? { showInExplore: false } : {}) })
    .where(and(eq(personaSets.accountId, accountId), eq(personaSets.id, id)))
    .returning();
  return set;
}

export async function deletePersonaSet(database: Database, accountId: string, id: string): Promise<void> {
  await getPersonaSetOrThrow(database, accountId, id);
  await database.transaction(async (tx) => {
    await tx.query('delete from assignments where persona_set_id = $1 and account_id = $2', [id, accountId]);
    await tx.query('delete from persona_sets where id = $1 and account_id = $2', [id, accountId]);
  });
}

export async function renamePersona(database: Database, accountId: string, personaId: string, name: string): Promise<Persona> {
  const clean = name.trim();
  if (!clean || clean.length > 80) throw new ServiceError('invalid', 'A persona name has 1 to 80 characters', { name: ['1 to 80 characters'] });
  if (!/^[0-9a-f-]{36}$/i.test(personaId)) throw notFound('Persona');
  const rows = await database.db
    .update(personas)
    .set({ name: clean, nameEdited: true })
    .where(and(eq(personas.accountId, accountId), eq(personas.id, personaId)))
    .returning();
  if (!rows.length) throw notFound('Persona');
  return rows[0];
}

/** Queues an ad hoc (or API) scoring run of a ready set; answers the run to poll. */
export async function requestScoring(
  database: Database,
  accountId: string,
  personaSetId: string,
  trigger: 'adhoc' | 'scheduled' | 'api',
) {
  const set = await getPersonaSetOrThrow(database, accountId, personaSetId);
  if (!set.model) throw new ServiceError('invalid', 'This persona set has not been built yet');
  const [run] = await database.db
    .insert(scoringRuns)
    .values({ accountId, personaSetId, trigger, status: 'queued' })
    .returning();
  try {
    await sendEvent('persona-set/scoring-requested', { accountId, personaSetId, scoringRunId: run.id, trigger }, { id: `scoring-${run.id}` });
  } catch (err) {
    await database.db.update(scoringRuns).set({ status: 'errored', error: 'could not be queued' }).where(eq(scoringRuns.id, run.id));
    console.error('[facet] enqueue scoring failed:', err);
    throw new ServiceError('unavailable', 'The scoring run could not be queued. Try again in a moment.');
  }
  return run;
}

export async function getScoringRunOrThrow(database: Database, accountId: string, runId: string) {
  if (!/^[0-9a-f-]{36}$/i.test(runId)) throw notFound('Scoring run');
  const rows = await database.db
    .select()
    .from(scoringRuns)
    .where(and(eq(scoringRuns.accountId, accountId), eq(scoringRuns.id, runId)))
    .limit(1);
  if (!rows.length) throw notFound('Scoring run');
  return rows[0];
}
