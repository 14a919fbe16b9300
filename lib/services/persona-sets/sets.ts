// Persona sets and their personas: reads, and the writes an analyst makes (create, rebuild, rename, archive,
// delete, scoring requests). A write that calls for a job first makes sure the account's queue has room for it
// (else nothing is written: QueueFullError), then puts its event in the outbox in the same transaction.
import 'server-only';
import { and, asc, desc, eq, isNull, sql } from 'drizzle-orm';
import { parsePersonaModel, parseTraitSelection } from '@/db/json';
import { cohorts, personaSets, personas, scoringRuns, type Persona, type PersonaSet, type ScoringRun } from '@/db/schema';
import { GRAPH_TRAIT_INDEX } from '@/lib/identity-graph/catalog';
import { slugify } from '../accounts';
import { getCohortOrThrow } from '../cohorts';
import { ServiceError, isUniqueViolation, notFound } from '../errors';
import { isUuid } from '../ids';
import { deliverOutbox, reserveQueueRoom, writeOutbox, type OutboxEvent } from '../outbox';
import type { Tenant } from '../tenant';
import type { BuildProgress, CreatePersonaSetInput, PersonaSetListItem } from './types';

const MAX_PROGRESS_IDS = 100;

/* ---------- reads ---------- */

export async function getPersonaSetOrThrow({ db, accountId }: Tenant, id: string): Promise<PersonaSet> {
  if (!isUuid(id)) throw notFound('Persona set');
  const rows = await db.db
    .select()
    .from(personaSets)
    .where(and(eq(personaSets.accountId, accountId), eq(personaSets.id, id)))
    .limit(1);
  if (!rows.length) throw notFound('Persona set');
  return rows[0];
}

export async function listPersonaSets({ db, accountId }: Tenant, opts: { includeArchived?: boolean } = {}): Promise<PersonaSetListItem[]> {
  const where = opts.includeArchived
    ? eq(personaSets.accountId, accountId)
    : and(eq(personaSets.accountId, accountId), isNull(personaSets.archivedAt));
  // the columns the list shows, not the whole row: a built set's model (its encoder, centres and means) is
  // JSON the list page would otherwise read and parse for every set on every request
  const set = {
    id: personaSets.id,
    name: personaSets.name,
    slug: personaSets.slug,
    status: personaSets.status,
    progress: personaSets.progress,
    currentStep: personaSets.currentStep,
    stepDetail: personaSets.stepDetail,
    error: personaSets.error,
    k: personaSets.k,
    memberCount: personaSets.memberCount,
    showInExplore: personaSets.showInExplore,
    archivedAt: personaSets.archivedAt,
    cohortId: personaSets.cohortId,
    builtAt: personaSets.builtAt,
    schedule: personaSets.schedule,
    createdAt: personaSets.createdAt,
  };
  const rows = await db.db
    .select({ set, cohortName: cohorts.name, cohortMembers: cohorts.memberCount })
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
    stepDetail: set.stepDetail,
    error: set.error,
    k: set.k,
    memberCount: set.memberCount,
    showInExplore: set.showInExplore,
    archived: set.archivedAt !== null,
    cohortId: set.cohortId,
    cohortName,
    cohortMembers,
    builtAt: set.builtAt,
    schedule: set.schedule,
    createdAt: set.createdAt,
  }));
}

/** Where the builds of these sets are (the pages poll it while a set is queued or building); others' ids are left out. */
export async function getBuildProgress({ db, accountId }: Tenant, ids: string[]): Promise<BuildProgress[]> {
  const wanted = [...new Set(ids)].filter((id) => isUuid(id));
  if (wanted.length > MAX_PROGRESS_IDS) throw new ServiceError('invalid', `Ask for at most ${MAX_PROGRESS_IDS} persona sets at a time`);
  if (!wanted.length) return [];
  const r = await db.query<{ id: string; status: BuildProgress['status']; progress: number; current_step: string | null; step_detail: string | null; error: string | null }>(
    `select id, status, progress, current_step, step_detail, error from persona_sets where account_id = $1 and id = any($2::uuid[])`,
    [accountId, wanted],
  );
  return r.rows.map((x) => ({ id: x.id, status: x.status, progress: x.progress, currentStep: x.current_step, stepDetail: x.step_detail, error: x.error }));
}

/** The set's current personas, in order (no ownership check of the set: callers have made it). */
export async function listPersonas({ db, accountId }: Tenant, personaSetId: string): Promise<Persona[]> {
  return db.db
    .select()
    .from(personas)
    .where(and(eq(personas.accountId, accountId), eq(personas.personaSetId, personaSetId), isNull(personas.retiredAt)))
    .orderBy(asc(personas.position));
}

export async function getPersonaSetDetail(tenant: Tenant, id: string) {
  const set = await getPersonaSetOrThrow(tenant, id);
  const [cohort, list] = await Promise.all([getCohortOrThrow(tenant, set.cohortId), listPersonas(tenant, id)]);
  return { set, cohort, personas: list };
}

/** The traits a set was clustered on: the model's, else the last build's selection, else the analyst's choice. */
export function clusteringTraitKeys(set: Pick<PersonaSet, 'model' | 'selection' | 'traitKeys'>): string[] {
  if (set.model) return parsePersonaModel(set.model).encoder.specs.map((s) => s.key);
  if (set.selection) return parseTraitSelection(set.selection).traits;
  return set.traitKeys ?? [];
}

/* ---------- writes ---------- */

async function checkTraitKeys({ db, accountId }: Tenant, keys: string[]): Promise<void> {
  const custom = await db.query<{ key: string }>(`select key from traits where account_id = $1 and key = any($2::text[])`, [accountId, keys]);
  const known = new Set(custom.rows.map((r) => r.key));
  const unknown = keys.filter((k) => GRAPH_TRAIT_INDEX[k] === undefined && !known.has(k));
  if (unknown.length) throw new ServiceError('invalid', `Unknown traits: ${unknown.join(', ')}`, { traitKeys: [`Unknown traits: ${unknown.join(', ')}`] });
}

/** The build request of the set's current version; its id makes repeated sends start one build. */
function buildRequested(set: PersonaSet, requestedBy: string | null): OutboxEvent {
  return {
    id: `persona-set-build-${set.id}-v${set.buildVersion}`,
    name: 'persona-set/requested',
    accountId: set.accountId,
    data: { accountId: set.accountId, personaSetId: set.id, buildVersion: set.buildVersion, ...(requestedBy ? { requestedBy } : {}) },
  };
}

const nameTaken = () =>
  new ServiceError('conflict', 'A persona set with this name already exists', { name: ['This name is already used by another persona set'] });

/** Saves a new set and queues its build (the outbox row commits with the set). */
export async function createPersonaSet(tenant: Tenant, input: CreatePersonaSetInput): Promise<PersonaSet> {
  const name = input.name.trim();
  if (!name) throw new ServiceError('invalid', 'Give the persona set a name', { name: ['Enter a name'] });
  await getCohortOrThrow(tenant, input.cohortId).catch(() => {
    throw new ServiceError('invalid', 'Choose one of your cohorts', { cohortId: ['Choose a cohort'] });
  });
  const traitKeys = input.traitKeys?.length ? [...new Set(input.traitKeys)] : null;
  if (traitKeys) {
    if (traitKeys.length < 2) throw new ServiceError('invalid', 'Choose at least two traits', { traitKeys: ['Choose at least two traits'] });
    await checkTraitKeys(tenant, traitKeys);
  }
  if (input.k != null && (input.k < 2 || input.k > 20))
    throw new ServiceError('invalid', 'The number of personas must be between 2 and 20', { k: ['Between 2 and 20'] });
  let created: { set: PersonaSet; event: OutboxEvent };
  try {
    created = await tenant.db.transaction(async (tx) => {
      await reserveQueueRoom(tx, tenant.accountId);
      const [set] = await tx.db
        .insert(personaSets)
        .values({
          accountId: tenant.accountId,
          cohortId: input.cohortId,
          name,
          slug: slugify(name),
          traitKeys,
          requestedK: input.k ?? null,
          createdBy: tenant.userId,
          createdVia: input.via ?? 'app',
          status: 'queued',
          buildVersion: 1,
          currentStep: 'Queued',
        })
        .returning();
      const event = buildRequested(set, tenant.userId);
      await writeOutbox(tx, [event]);
      return { set, event };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken();
    throw err;
  }
  await deliverOutbox(tenant.db, [created.event.id]);
  return created.set;
}

/** Rebuild (or retry after an error): a new build version, queued. */
export async function requestRebuild(
  tenant: Tenant,
  id: string,
  changes: { traitKeys?: string[] | null; k?: number | null } = {},
): Promise<PersonaSet> {
  await getPersonaSetOrThrow(tenant, id);
  if (changes.traitKeys?.length) await checkTraitKeys(tenant, changes.traitKeys);
  const { set, event } = await tenant.db.transaction(async (tx) => {
    await reserveQueueRoom(tx, tenant.accountId);
    const [set] = await tx.db
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
      .where(and(eq(personaSets.accountId, tenant.accountId), eq(personaSets.id, id)))
      .returning();
    const event = buildRequested(set, tenant.userId);
    await writeOutbox(tx, [event]);
    return { set, event };
  });
  await deliverOutbox(tenant.db, [event.id]);
  return set;
}

export async function updatePersonaSet(
  tenant: Tenant,
  id: string,
  patch: { name?: string; showInExplore?: boolean; schedule?: 'off' | 'daily' | 'weekly' },
): Promise<PersonaSet> {
  const current = await getPersonaSetOrThrow(tenant, id);
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
    const [set] = await tenant.db.db
      .update(personaSets)
      .set(values)
      .where(and(eq(personaSets.accountId, tenant.accountId), eq(personaSets.id, id)))
      .returning();
    return set;
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken();
    throw err;
  }
}

export async function setPersonaSetArchived(tenant: Tenant, id: string, archived: boolean): Promise<PersonaSet> {
  await getPersonaSetOrThrow(tenant, id);
  const [set] = await tenant.db.db
    .update(personaSets)
    .set({ archivedAt: archived ? new Date() : null, ...(archived ? { showInExplore: false } : {}) })
    .where(and(eq(personaSets.accountId, tenant.accountId), eq(personaSets.id, id)))
    .returning();
  return set;
}

export async function deletePersonaSet(tenant: Tenant, id: string): Promise<void> {
  await getPersonaSetOrThrow(tenant, id);
  await tenant.db.transaction(async (tx) => {
    await tx.query('delete from assignments where persona_set_id = $1 and account_id = $2', [id, tenant.accountId]);
    await tx.query('delete from build_snapshots where persona_set_id = $1', [id]);
    await tx.query('delete from persona_sets where id = $1 and account_id = $2', [id, tenant.accountId]);
  });
}

/** Renames a persona of the set; a persona of another set (or account) is not found, and nothing is saved. */
export async function renamePersona({ db, accountId }: Tenant, personaSetId: string, personaId: string, name: string): Promise<Persona> {
  const clean = name.trim();
  if (!clean || clean.length > 80) throw new ServiceError('invalid', 'A persona name has 1 to 80 characters', { name: ['1 to 80 characters'] });
  if (!isUuid(personaSetId) || !isUuid(personaId)) throw notFound('Persona');
  const rows = await db.db
    .update(personas)
    .set({ name: clean, nameEdited: true })
    .where(and(eq(personas.accountId, accountId), eq(personas.personaSetId, personaSetId), eq(personas.id, personaId)))
    .returning();
  if (!rows.length) throw notFound('Persona');
  return rows[0];
}

/** Queues an ad hoc, scheduled or API scoring run of a built set; answers the run to poll. */
export async function requestScoring(tenant: Tenant, personaSetId: string, trigger: 'adhoc' | 'scheduled' | 'api' | 'changes'): Promise<ScoringRun> {
  const set = await getPersonaSetOrThrow(tenant, personaSetId);
  if (!set.model) throw new ServiceError('invalid', 'This persona set has not been built yet');
  const { run, event } = await tenant.db.transaction(async (tx) => {
    // a person or an API client is told to come back later; scheduled and change-driven runs wait in the outbox
    if (trigger === 'adhoc' || trigger === 'api') await reserveQueueRoom(tx, tenant.accountId);
    const [run] = await tx.db
      .insert(scoringRuns)
      .values({ accountId: tenant.accountId, personaSetId, trigger, status: 'queued' })
      .returning();
    const event: OutboxEvent = {
      id: `scoring-${run.id}`,
      name: 'persona-set/scoring-requested',
      accountId: tenant.accountId,
      data: { accountId: tenant.accountId, personaSetId, scoringRunId: run.id, trigger },
    };
    await writeOutbox(tx, [event]);
    return { run, event };
  });
  await deliverOutbox(tenant.db, [event.id]);
  return run;
}

export async function getScoringRunOrThrow({ db, accountId }: Tenant, runId: string): Promise<ScoringRun> {
  if (!isUuid(runId)) throw notFound('Scoring run');
  const rows = await db.db
    .select()
    .from(scoringRuns)
    .where(and(eq(scoringRuns.accountId, accountId), eq(scoringRuns.id, runId)))
    .limit(1);
  if (!rows.length) throw notFound('Scoring run');
  return rows[0];
}
