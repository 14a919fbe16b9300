// API keys: shown once, stored as a SHA-256 hash (the key is 256 random bits, so a fast hash is enough),
// with a visible prefix. Authentication is cached in memory by hash and confirmed against the database at most
// once a second per key, in the background, so that a cached key costs one hash and one map lookup, and a key
// revoked by any process is refused everywhere within a second (at once in the process that revoked it).
import 'server-only';
import crypto from 'node:crypto';
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Database } from '@/db/client';
import { apiKeys, type ApiKey } from '@/db/schema';
import { assertEmailConfirmed, assertNotReadOnlyDemo } from './account-guards';
import { ServiceError, notFound } from './errors';
import { isUuid } from './ids';
import type { Tenant } from './tenant';

/** fct_<8 hex prefix>_<43 base64url characters> */
const KEY_PATTERN = /^fct_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$/;
/** how long a verified key is trusted without asking the database again (revocation elsewhere takes this long) */
export const KEY_CACHE_TTL_MS = 1_000;
/** past this age the next request with the key starts its confirmation in the background, still trusting it */
const KEY_REFRESH_AHEAD_MS = 750;
/** last_used_at is written at most this often per key */
export const LAST_USED_INTERVAL_MS = 60_000;

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface ApiCaller {
  accountId: string;
  keyId: string;
}

const toView = (k: ApiKey): ApiKeyView => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  createdAt: k.createdAt,
  lastUsedAt: k.lastUsedAt,
  revokedAt: k.revokedAt,
});

export function hashApiKey(key: string): string {
  // the one-shot form where Node has it (20.12+): a third of createHash's cost, on every API call
  return typeof crypto.hash === 'function' ? crypto.hash('sha256', key, 'hex') : crypto.createHash('sha256').update(key).digest('hex');
}

/** Creates a key of the tenant's account, made by its user; the secret is in the answer only, never stored. */
export async function createApiKey(tenant: Tenant, input: { name: string }): Promise<{ key: string; apiKey: ApiKeyView }> {
  const { db, accountId, userId } = tenant;
  await assertNotReadOnlyDemo(tenant, 'API keys');
  await assertEmailConfirmed(tenant, 'making API keys');
  const name = input.name.trim();
  if (!name || name.length > 80) throw new ServiceError('invalid', 'A key name has 1 to 80 characters', { name: ['1 to 80 characters'] });
  const prefixHex = crypto.randomBytes(4).toString('hex');
  const key = `fct_${prefixHex}_${crypto.randomBytes(32).toString('base64url')}`;
  const [row] = await db.db
    .insert(apiKeys)
    .values({ accountId, name, prefix: `fct_${prefixHex}`, hash: hashApiKey(key), createdBy: userId })
    .returning();
  return { key, apiKey: toView(row) };
}

export async function listApiKeys({ db, accountId }: Tenant): Promise<ApiKeyView[]> {
  const rows = await db.db.select().from(apiKeys).where(eq(apiKeys.accountId, accountId)).orderBy(desc(apiKeys.createdAt));
  return rows.map(toView);
}

export async function revokeApiKey({ db, accountId }: Tenant, keyId: string): Promise<ApiKeyView> {
  if (!isUuid(keyId)) throw notFound('API key');
  const rows = await db.db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.accountId, accountId), eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)))
    .returning();
  if (!rows.length) {
    const existing = await db.db.select().from(apiKeys).where(and(eq(apiKeys.accountId, accountId), eq(apiKeys.id, keyId)));
    if (!existing.length) throw notFound('API key');
    forgetKey(existing[0].id);
    return toView(existing[0]);
  }
  forgetKey(rows[0].id);
  return toView(rows[0]);
}

/* ---------- authentication ---------- */

interface CacheEntry {
  /** as answered: one object per entry, so that a cached call allocates nothing */
  caller: ApiCaller;
  /** when the lookup that confirmed this entry started */
  checkedAt: number;
}
interface KeyState {
  /** keys by hash, trusted for KEY_CACHE_TTL_MS after their lookup started */
  cache: Map<string, CacheEntry>;
  /** when last_used_at was last written, by key id */
  used: Map<string, number>;
  /** lookups in flight by hash, shared by concurrent requests with the same key */
  lookups: Map<string, { generation: number; lookup: Promise<CacheEntry | null> }>;
  /** bumped by every revocation, so that a lookup that began before it caches nothing */
  generation: number;
}
const g = globalThis as unknown as { __facetKeys?: KeyState };
const keys = (g.__facetKeys ??= { cache: new Map(), used: new Map(), lookups: new Map(), generation: 0 });

function forgetKey(keyId: string) {
  keys.generation++;
  for (const [h, e] of keys.cache) if (e.caller.keyId === keyId) keys.cache.delete(h);
  keys.used.delete(keyId);
}

/** Clears the in-memory caches (tests). */
export function resetApiKeyCache(): void {
  keys.generation++;
  keys.cache.clear();
  keys.used.clear();
}

function lookUpKey(database: Database, hash: string): Promise<CacheEntry | null> {
  const generation = keys.generation;
  const startedAt = Date.now();
  const inFlight = keys.lookups.get(hash);
  if (inFlight && inFlight.generation === generation) return inFlight.lookup;
  const lookup = (async () => {
    const r = await database.query<{ id: string; account_id: string }>('select id, account_id from api_keys where hash = $1 and revoked_at is null', [hash]);
    const current = generation === keys.generation;
    if (!r.rows.length) {
      if (current) keys.cache.delete(hash);
      return null;
    }
    const entry: CacheEntry = { caller: { accountId: r.rows[0].account_id, keyId: r.rows[0].id }, checkedAt: startedAt };
    if (current) keys.cache.set(hash, entry);
    return entry;
  })();
  const mine = { generation, lookup };
  keys.lookups.set(hash, mine);
  const done = () => {
    if (keys.lookups.get(hash) === mine) keys.lookups.delete(hash);
  };
  lookup.then(done, done);
  return lookup;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * The caller of an `Authorization` header value, or null for a missing, malformed, unknown or revoked key
 * (the caller cannot tell which). A key confirmed less than a second ago is answered at once, without a promise;
 * otherwise, or when its last_used_at is due, the answer is a promise. Takes `{ db }` only: the key is what
 * tells the account.
 */
export function authenticateApiKeyNow({ db: database }: Pick<Tenant, 'db'>, authorization: string | null): ApiCaller | null | Promise<ApiCaller | null> {
  if (!authorization) return null;
  const m = BEARER.exec(authorization);
  if (!m || !KEY_PATTERN.test(m[1])) return null;
  const hash = hashApiKey(m[1]);
  const now = Date.now();
  const entry = keys.cache.get(hash);
  if (!entry || now - entry.checkedAt >= KEY_CACHE_TTL_MS) return lookUpKey(database, hash).then((e) => (e ? used(database, e, Date.now()) : null));
  if (now - entry.checkedAt >= KEY_REFRESH_AHEAD_MS && !keys.lookups.has(hash)) lookUpKey(database, hash).catch(() => {}); // retried by the next request
  return used(database, entry, now);
}

/** The entry's caller, once its last_used_at is written when that is due. */
function used(database: Database, entry: CacheEntry, now: number): ApiCaller | Promise<ApiCaller> {
  const { caller } = entry;
  const written = keys.used.get(caller.keyId) ?? 0;
  if (now - written < LAST_USED_INTERVAL_MS) return caller;
  keys.used.set(caller.keyId, now);
  return database.query('update api_keys set last_used_at = now() where id = $1 and account_id = $2', [caller.keyId, caller.accountId]).then(() => caller);
}

/** authenticateApiKeyNow, always as a promise. */
export async function authenticateApiKey(tenant: Pick<Tenant, 'db'>, authorization: string | null): Promise<ApiCaller | null> {
  return authenticateApiKeyNow(tenant, authorization);
}
