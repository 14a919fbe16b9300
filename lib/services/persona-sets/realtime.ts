// Real-time assignment of contacts to a ready persona set: the model and persona names are cached in
// memory per set and revalidated at most once a second (reloaded when the build version or the set's rows
// change), so a request with raw traits touches the database only to revalidate. Concurrent requests share one
// revalidation, started a little ahead of time, so that under load a request almost never waits for one; such a
// request is answered without a promise (assignContactNow), its whole cost the encoding and k distances.
import 'server-only';
import type { Database } from '@/db/client';
import { parsePersonaModel } from '@/db/json';
import { assignRecord, type PersonaModel, type RecordValue } from '@/lib/clustering';
import { GRAPH_TRAITS, GRAPH_TRAIT_INDEX, parseBooleanWord } from '@/lib/identity-graph/catalog';
import { nameKey, normalizeEmail, normalizePostcode, normalizeStreet, normalizeText } from '@/lib/identity-graph/normalize';
import { ServiceError, notFound } from '../errors';
import { isUuid } from '../ids';
import { scoreCandidate } from '../matching';
import type { Tenant } from '../tenant';
import { graphTraitColumn } from '../trait-reader';

/** a cached model is never used longer than this after its set was last checked */
const REVALIDATE_MS = 1000;
/** past this age the next request starts the check in the background and still uses the cached model */
const REVALIDATE_AHEAD_MS = 750;

interface CachedSet {
  accountId: string;
  setId: string;
  fingerprint: string;
  model: PersonaModel;
  /** persona id and name by model cluster index */
  personas: { id: string; name: string }[];
  /** the model's traits, with the graph position of graph traits */
  traits: { key: string; graphPos: number | undefined }[];
  /** when the check that confirmed this entry started */
  checkedAt: number;
  /** the check in flight, shared by every request that needs it */
  revalidating: Promise<CachedSet> | null;
}

const g = globalThis as unknown as { __facetModelCache?: Map<string, CachedSet>; __facetModelLoads?: Map<string, Promise<CachedSet>> };
const cache = (g.__facetModelCache ??= new Map());
/** first loads in flight, by account and set */
const loads = (g.__facetModelLoads ??= new Map());

/** Drops a set's cached model (after a rename or rebuild in this process). */
export function forgetPersonaSetModel(setId: string): void {
  cache.delete(setId);
}

export function resetModelCache(): void {
  cache.clear();
}

// changes when the set is rebuilt or republished, or a persona renamed
const FINGERPRINT = `s.build_version || ':' || s.updated_at::text || ':' || coalesce((select max(updated_at)::text from personas where persona_set_id = s.id), '')`;
const FINGERPRINT_SQL = `select ${FINGERPRINT} as fp from persona_sets s where s.id = $1 and s.account_id = $2`;

/** The set's cached model when it may be used as is, else the promise of it (a first load or a due check). */
function loadSet(tenant: Tenant, setId: string): CachedSet | Promise<CachedSet> {
  const { db: database, accountId } = tenant;
  if (!isUuid(setId)) throw notFound('Persona set');
  const hit = cache.get(setId);
  if (hit && hit.accountId === accountId) {
    const age = Date.now() - hit.checkedAt;
    if (age < REVALIDATE_AHEAD_MS) return hit;
    const check = (hit.revalidating ??= revalidate(database, hit));
    if (age < REVALIDATE_MS) return hit;
    return check;
  }
  const loadKey = `${accountId}:${setId}`;
  let load = loads.get(loadKey);
  if (!load) {
    load = readSet(tenant, setId, Date.now()).finally(() => loads.delete(loadKey));
    loads.set(loadKey, load);
  }
  return load;
}

/** Confirms a cached set by its fingerprint, or reloads it; settles once for every request waiting on it. */
function revalidate(database: Database, hit: CachedSet): Promise<CachedSet> {
  const startedAt = Date.now();
  const check = (async () => {
    const r = await database.query<{ fp: string }>(FINGERPRINT_SQL, [hit.setId, hit.accountId]);
    if (!r.rows.length) {
      if (cache.get(hit.setId) === hit) cache.delete(hit.setId);
      throw notFound('Persona set');
    }
    if (r.rows[0].fp === hit.fingerprint && cache.get(hit.setId) === hit) {
      hit.checkedAt = startedAt;
      return hit;
    }
    return readSet({ db: database, accountId: hit.accountId, userId: null }, hit.setId, startedAt);
  })();
  const done = () => {
    hit.revalidating = null;
  };
  check.then(done, done); // a failed background check is retried by the next request
  return check;
}

async function readSet({ db: database, accountId }: Tenant, setId: string, now: number): Promise<CachedSet> {
  const r = await database.query<{ fp: string; model: unknown }>(
    `select ${FINGERPRINT} as fp, s.model from persona_sets s where s.id = $1 and s.account_id = $2`,
    [setId, accountId],
  );
  if (!r.rows.length) throw notFound('Persona set');
  if (!r.rows[0].model) throw new ServiceError('invalid', 'This persona set has not been built yet');
  const p = await database.query<{ id: string; name: string }>(
    'select id, name from personas where persona_set_id = $1 and account_id = $2 and retired_at is null order by position',
    [setId, accountId],
  );
  const model = parsePersonaModel(r.rows[0].model);
  if (p.rows.length !== model.k) throw new ServiceError('unavailable', 'This persona set is being rebuilt; try again in a moment');
  const entry: CachedSet = {
    accountId,
    setId,
    fingerprint: r.rows[0].fp,
    model,
    personas: p.rows,
    traits: model.encoder.specs.map((s) => ({ key: s.key, graphPos: GRAPH_TRAIT_INDEX[s.key] })),
    checkedAt: now,
    revalidating: null,
  };
  cache.set(setId, entry);
  return entry;
}

export interface ContactIdentity {
  email?: string;
  firstName?: string;
  lastName?: string;
  street?: string;
  postcode?: string;
}

export interface AssignContactInput {
  identity?: ContactIdentity;
  traits?: Record<string, RecordValue>;
  record?: boolean;
  externalId?: string;
}

export interface AssignContactResult {
  personaSetId: string;
  persona: { id: string; name: string };
  confidence: number;
  distance: number;
  runnerUp: { id: string; name: string } | null;
  margin: number;
  match: { method: 'traits' | 'account_person' | 'email' | 'name_address'; personId: number | null; graphId: number | null };
  missingTraits: string[];
  recorded: { personId: number; changed: boolean } | null;
}

interface Matched {
  method: 'account_person' | 'email' | 'name_address';
  personId: number | null;
  graphId: number | null;
  graphTraits: (number | null)[] | null;
  customTraits: Record<string, RecordValue> | null;
}

const squash = (s: string) => normalizeText(s).replace(/ /g, '');

/** Finds the contact: the account's own person by email, else the identity graph (email, or name + address). */
async function matchIdentity({ db: database, accountId }: Tenant, id: ContactIdentity): Promise<Matched | null> {
  if (id.email) {
    const email = normalizeEmail(id.email);
    const own = await database.query<{ id: string; graph_id: number | null; graph_traits: (number | null)[] | null; custom_traits: Record<string, RecordValue> | null }>(
      'select id::text, graph_id, graph_traits, custom_traits from people where account_id = $1 and email_norm = $2 order by id limit 1',
      [accountId, email],
    );
    if (own.rows.length) {
      const o = own.rows[0];
      return { method: 'account_person', personId: Number(o.id), graphId: o.graph_id, graphTraits: o.graph_traits, customTraits: o.custom_traits };
    }
    const gr = await database.query<{ id: number; first_name: string; last_name: string; traits: number[] }>(
      'select id, first_name, last_name, traits from graph_persons where email_norm = $1 limit 5',
      [email],
    );
    if (gr.rows.length === 1 || (gr.rows.length > 1 && id.firstName && id.lastName)) {
      const pick =
        gr.rows.length === 1
          ? gr.rows[0]
          : (gr.rows.find((c) => squash(c.first_name) === squash(id.firstName!) && squash(c.last_name) === squash(id.lastName!)) ?? gr.rows[0]);
      return { method: 'email', personId: null, graphId: pick.id, graphTraits: pick.traits, customTraits: null };
    }
    if (gr.rows.length > 1) return { method: 'email', personId: null, graphId: gr.rows[0].id, graphTraits: gr.rows[0].traits, customTraits: null };
  }
  if (id.firstName && id.lastName && (id.postcode || id.street)) {
    const street = normalizeStreet(id.street ?? '');
    const house = /^\d+/.test(street) ? street.split(' ')[0] : '';
    const postcode = normalizePostcode(id.postcode ?? '');
    const person = {
      id: 0,
      emailNorm: '',
      first: squash(id.firstName),
      last: squash(id.lastName),
      street,
      house,
      postcode,
      nameKey: nameKey(id.firstName, id.lastName),
    };
    const cands =
      postcode.length === 5
        ? await database.query<{ id: number; first_name: string; last_name: string; street: string; postcode: string; traits: number[] }>(
            `select id, first_name, last_name, street, postcode, traits from graph_persons
             where postcode = $1 and (name_key = $2 or ($3 <> '' and split_part(street, ' ', 1) = $3)) limit 200`,
            [postcode, person.nameKey, house],
          )
        : house
          ? await database.query<{ id: number; first_name: string; last_name: string; street: string; postcode: string; traits: number[] }>(
              `select id, first_name, last_name, street, postcode, traits from graph_persons where name_key = $1 and split_part(street, ' ', 1) = $2 limit 200`,
              [person.nameKey, house],
            )
          : { rows: [] };
    let best = 0;
    let bestRow: (typeof cands.rows)[number] | null = null;
    let tie = false;
    for (const c of cands.rows) {
      const s = scoreCandidate(person, { id: c.id, first: c.first_name, last: c.last_name, street: c.street, postcode: c.postcode });
      if (s > best) {
        best = s;
        bestRow = c;
        tie = false;
      } else if (s === best && s > 0 && bestRow && c.id !== bestRow.id) tie = true;
    }
    if (bestRow && !tie) return { method: 'name_address', personId: null, graphId: bestRow.id, graphTraits: bestRow.traits, customTraits: null };
  }
  return null;
}

function recordFrom(set: CachedSet, m: Matched | null, traits: Record<string, RecordValue> | undefined) {
  const rec: Record<string, RecordValue> = {};
  const missing: string[] = [];
  for (const t of set.traits) {
    let v: RecordValue = undefined;
    if (traits && traits[t.key] !== undefined) v = traits[t.key];
    else if (m) {
      if (t.graphPos !== undefined) {
        const raw = m.graphTraits?.[t.graphPos];
        const n = raw === null || raw === undefined ? NaN : Number(raw);
        v = Number.isFinite(n) ? n : undefined;
      } else v = m.customTraits?.[t.key] ?? undefined;
    }
    if (v === undefined || v === null || (typeof v === 'number' && !Number.isFinite(v))) missing.push(t.key);
    else rec[t.key] = v;
  }
  return { rec, missing };
}

const hasIdentityOf = (input: AssignContactInput) => {
  const id = input.identity;
  if (!id) return false;
  for (const v of [id.email, id.firstName, id.lastName, id.street, id.postcode]) if (typeof v === 'string' && v.trim() !== '') return true;
  return false;
};

/** One contact against a loaded set: at once when it carries traits only, else after matching and recording. */
function assignTo(tenant: Tenant, set: CachedSet, input: AssignContactInput): AssignContactResult | Promise<AssignContactResult> {
  const hasIdentity = hasIdentityOf(input);
  if (!hasIdentity && !input.traits) throw new ServiceError('invalid', 'Send an identity (email, or name with address and postcode) or traits');
  if (!hasIdentity) return assignMatched(tenant, set, input, null);
  return matchIdentity(tenant, input.identity!).then((matched) => {
    if (!matched && !input.traits) throw new ServiceError('not_found', 'Nobody in the identity graph matches this identity');
    return assignMatched(tenant, set, input, matched);
  });
}

function assignMatched(tenant: Tenant, set: CachedSet, input: AssignContactInput, matched: Matched | null): AssignContactResult | Promise<AssignContactResult> {
  const { rec, missing } = recordFrom(set, matched, input.traits);
  if (missing.length === set.traits.length)
    throw new ServiceError('invalid', `None of the set's traits were given (${set.traits.map((t) => t.key).join(', ')})`, {
      traits: ['None of the persona set traits'],
    });
  const a = assignRecord(set.model, rec);
  const persona = set.personas[a.persona];
  const runnerUp = a.runnerUp >= 0 ? set.personas[a.runnerUp] : null;
  const answer = (recorded: AssignContactResult['recorded']): AssignContactResult => ({
    personaSetId: set.setId,
    persona: { id: persona.id, name: persona.name },
    confidence: round(a.confidence),
    distance: round(a.distance),
    runnerUp: runnerUp ? { id: runnerUp.id, name: runnerUp.name } : null,
    margin: round(a.margin),
    match: { method: matched?.method ?? 'traits', personId: matched?.personId ?? null, graphId: matched?.graphId ?? null },
    missingTraits: missing,
    recorded,
  });
  if (!input.record) return answer(null);
  return recordContact(tenant, set.setId, input, matched, persona.id, runnerUp?.id ?? null, a).then(answer);
}

/**
 * Assigns one contact to a ready persona set, optionally recording the contact and its assignment: the answer
 * itself when the set's model is cached and the contact needs no database (raw traits, not recorded), else its
 * promise. Throws (or rejects) a ServiceError.
 */
export function assignContactNow(tenant: Tenant, setId: string, input: AssignContactInput): AssignContactResult | Promise<AssignContactResult> {
  const set = loadSet(tenant, setId);
  return set instanceof Promise ? set.then((s) => assignTo(tenant, s, input)) : assignTo(tenant, set, input);
}

/** assignContactNow, always as a promise. */
export async function assignContact(tenant: Tenant, setId: string, input: AssignContactInput): Promise<AssignContactResult> {
  return assignContactNow(tenant, setId, input);
}

/** What became of one contact of a batch: its assignment, or why it has none. */
export type BatchContactResult = ({ ok: true } & Omit<AssignContactResult, 'personaSetId'>) | { ok: false; error: ServiceError };

/**
 * Assigns many contacts to one ready persona set, in order: the set is loaded once, contacts with raw traits are
 * assigned in memory, and those with an identity or asked to be recorded reach the database one after another
 * (each recorded in its own transaction, as a single call would). One contact's error is its own result; an
 * error of the set (unknown, not built, being republished) throws.
 */
export async function assignContacts(tenant: Tenant, setId: string, inputs: readonly AssignContactInput[]): Promise<BatchContactResult[]> {
  const set = await loadSet(tenant, setId);
  const out: BatchContactResult[] = [];
  for (const input of inputs) {
    try {
      const r = assignTo(tenant, set, input);
      const { personaSetId: _, ...rest } = r instanceof Promise ? await r : r;
      out.push({ ok: true, ...rest });
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
      out.push({ ok: false, error: err });
    }
  }
  return out;
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

/** A graph trait given in its own form (a label, a yes / no, a number) as the code people.graph_traits holds; NaN if unreadable. */
function graphTraitCode(key: string, v: RecordValue): number {
  const spec = GRAPH_TRAITS[GRAPH_TRAIT_INDEX[key]];
  if (typeof v === 'number') return Number.isFinite(v) ? v : NaN;
  if (typeof v === 'boolean') return spec.type === 'boolean' ? (v ? 1 : 0) : NaN;
  if (typeof v !== 'string' || !v.trim()) return NaN;
  if (spec.type === 'boolean') {
    const b = parseBooleanWord(v);
    return b === null ? NaN : b ? 1 : 0;
  }
  const label = v.trim().toLowerCase();
  const i = spec.categories?.findIndex((c) => c.toLowerCase() === label) ?? -1;
  if (i >= 0) return i;
  return spec.type === 'numeric' || spec.type === 'ordinal' ? Number(v) : NaN;
}

/**
 * The graph traits a new person is stored with: the identity graph's, with the graph traits the call gave in place of
 * them, so that a later re-scoring (a rebuild) reads what this assignment was made from. Null when there are none.
 */
function storedGraphTraits(matched: (number | null)[] | null, given: Record<string, RecordValue> | undefined): string | null {
  const out: number[] = GRAPH_TRAITS.map((_, i) => {
    const v = matched?.[i];
    return v === null || v === undefined || !Number.isFinite(Number(v)) ? NaN : Number(v);
  });
  let any = !!matched;
  for (const [k, v] of Object.entries(given ?? {})) {
    if (GRAPH_TRAIT_INDEX[k] === undefined || v === undefined || v === null) continue;
    const code = graphTraitCode(k, v);
    if (Number.isNaN(code)) continue;
    out[GRAPH_TRAIT_INDEX[k]] = code;
    any = true;
  }
  return any ? `{${out.map((v) => (Number.isNaN(v) ? 'NaN' : v)).join(',')}}` : null;
}

/** Upserts the contact as one of the account's people and opens (or keeps) its current assignment, in one transaction. */
async function recordContact(
  { db: database, accountId }: Tenant,
  setId: string,
  input: AssignContactInput,
  matched: Matched | null,
  personaId: string,
  runnerUpId: string | null,
  a: { distance: number; margin: number },
): Promise<{ personId: number; changed: boolean }> {
  const id = input.identity ?? {};
  return database.transaction(async (tx) => {
    let personId = matched?.personId ?? null;
    if (personId === null && input.externalId) {
      const r = await tx.query<{ id: string }>('select id::text from people where account_id = $1 and external_id = $2', [accountId, input.externalId]);
      if (r.rows.length) personId = Number(r.rows[0].id);
    }
    if (personId === null) {
      const custom: Record<string, RecordValue> = {};
      for (const [k, v] of Object.entries(input.traits ?? {})) if (GRAPH_TRAIT_INDEX[k] === undefined) custom[k] = v;
      const r = await tx.query<{ id: string }>(
        `insert into people (account_id, external_id, email, email_norm, first_name, last_name, street, postcode, graph_id, match_method, graph_traits, custom_traits)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::real[], $12::jsonb) returning id::text`,
        [
          accountId,
          input.externalId ?? null,
          id.email ?? null,
          id.email ? normalizeEmail(id.email) : null,
          id.firstName ?? null,
          id.lastName ?? null,
          id.street ?? null,
          id.postcode ?? null,
          matched?.graphId ?? null,
          matched ? matched.method === 'account_person' ? null : matched.method : 'none',
          storedGraphTraits(matched?.graphTraits ?? null, input.traits),
          Object.keys(custom).length ? JSON.stringify(custom) : null,
        ],
      );
      personId = Number(r.rows[0].id);
    }
    const cur = await tx.query<{ persona_id: string }>(
      'select persona_id from assignments where persona_set_id = $1 and person_id = $2 and valid_to is null and account_id = $3 for update',
      [setId, personId, accountId],
    );
    if (cur.rows.length && cur.rows[0].persona_id === personaId) return { personId, changed: false };
    if (cur.rows.length)
      await tx.query('update assignments set valid_to = now() where persona_set_id = $1 and person_id = $2 and valid_to is null and account_id = $3', [
        setId,
        personId,
        accountId,
      ]);
    await tx.query(
      `insert into assignments (account_id, persona_set_id, person_id, persona_id, distance, runner_up_persona_id, margin)
       values ($1, $2, $3, $4, $5, $6, $7)`,
      [accountId, setId, personId, personaId, a.distance, runnerUpId, a.margin],
    );
    return { personId, changed: true };
  });
}

/** The original-form traits of one of the account's people, as the API's raw-traits input takes them (tests, tools). */
export function decodeGraphTraits(graphTraits: (number | null)[], keys: string[]): Record<string, RecordValue> {
  const out: Record<string, RecordValue> = {};
  for (const k of keys) {
    const column = graphTraitColumn(k);
    if (!column) continue;
    const v = column.value(graphTraits[GRAPH_TRAIT_INDEX[k]]);
    if (v === null || v === undefined) continue;
    // an ordinal level is written as its label there, as a person would send it
    out[k] = column.spec.type === 'ordinal' && typeof v === 'number' ? (column.spec.categories?.[v] ?? v) : v;
  }
  return out;
}
