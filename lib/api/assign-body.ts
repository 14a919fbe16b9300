// The bodies of real-time assignment, read on the hot path. A hand-written check accepts the usual valid body in
// a fraction of zod's time and gives exactly what AssignBody.parse gives for it; anything it does not accept
// (an invalid body, or one it leaves to zod, such as a "__proto__" trait) goes through zod, so errors are zod's.
import type { z } from 'zod';
import { fieldErrorsOfZod } from './errors';
import { AssignBody, BatchAssignEnvelope, IDENTITY_MAX, MAX_EXTERNAL_ID, MAX_TRAIT_TEXT, TRAIT_KEY } from './schemas';

export type AssignBodyData = z.infer<typeof AssignBody>;

/** what an operation's body reader answers: zod's safeParse shape */
export type BodyReading<T> = { success: true; data: T } | { success: false; error: z.ZodError };

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const IDENTITY_KEYS = Object.keys(IDENTITY_MAX) as (keyof typeof IDENTITY_MAX)[];

function fastIdentity(v: unknown): AssignBodyData['identity'] | null {
  if (!isPlainObject(v)) return null;
  const out: NonNullable<AssignBodyData['identity']> = {};
  for (const k of IDENTITY_KEYS) {
    const s = v[k];
    if (s === undefined) continue;
    if (typeof s !== 'string' || s.length > IDENTITY_MAX[k]) return null;
    out[k] = s;
  }
  return out;
}

/** trait keys seen to match TRAIT_KEY: a set lookup instead of a regular expression per key (bounded) */
const knownKeys = new Set<string>();
const MAX_KNOWN_KEYS = 4096;

function isTraitKey(k: string): boolean {
  if (knownKeys.has(k)) return true;
  // "__proto__" matches the pattern but would set a prototype where zod builds its record: zod decides it
  if (k === '__proto__' || !TRAIT_KEY.test(k)) return false;
  if (knownKeys.size < MAX_KNOWN_KEYS) knownKeys.add(k);
  return true;
}

/** The traits themselves when they are valid as they stand (the parsed body is the call's own), else null. */
function fastTraits(v: unknown): AssignBodyData['traits'] | null {
  if (!isPlainObject(v) || Object.getPrototypeOf(v) !== Object.prototype) return null;
  for (const k in v) {
    if (!Object.hasOwn(v, k) || !isTraitKey(k)) return null;
    const x = v[k];
    if (!(x === null || typeof x === 'boolean' || (typeof x === 'number' && Number.isFinite(x)) || (typeof x === 'string' && x.length <= MAX_TRAIT_TEXT))) return null;
  }
  return v as NonNullable<AssignBodyData['traits']>;
}

/** The body as AssignBody.parse would give it, when it is valid and plainly so; null otherwise (zod decides). */
export function fastAssignBody(json: unknown): AssignBodyData | null {
  if (!isPlainObject(json)) return null;
  const { identity, traits, record, externalId } = json;
  const out: AssignBodyData = { record: false };
  if (identity !== undefined) {
    const id = fastIdentity(identity);
    if (!id) return null;
    out.identity = id;
  }
  if (traits !== undefined) {
    const t = fastTraits(traits);
    if (!t) return null;
    out.traits = t;
  }
  if (record !== undefined) {
    if (typeof record !== 'boolean') return null;
    out.record = record;
  }
  if (externalId !== undefined) {
    if (typeof externalId !== 'string' || externalId.length > MAX_EXTERNAL_ID) return null;
    out.externalId = externalId;
  }
  if (out.identity === undefined && out.traits === undefined) return null;
  return out;
}

/** An assignment's body: the fast reading, else zod's. */
export function readAssignBody(json: unknown): BodyReading<AssignBodyData> {
  const fast = fastAssignBody(json);
  return fast ? { success: true, data: fast } : AssignBody.safeParse(json);
}

/** One contact of a batch: its body, or the errors of its own fields. */
export type BatchContact = { ok: true; input: AssignBodyData } | { ok: false; fieldErrors: Record<string, string[]> };

/** A batch's body: the envelope by zod (its errors are the call's), then every contact on its own. */
export function readBatchAssignBody(json: unknown): BodyReading<{ contacts: BatchContact[] }> {
  const envelope = BatchAssignEnvelope.safeParse(json);
  if (!envelope.success) return envelope;
  const contacts = envelope.data.contacts.map((c): BatchContact => {
    const r = readAssignBody(c);
    return r.success ? { ok: true, input: r.data } : { ok: false, fieldErrors: fieldErrorsOfZod(r.error) };
  });
  return { success: true, data: { contacts } };
}
