// What an ingest knows in memory about the account's rows before it writes: the ids of its people by customer id and
// by email (so that each order finds its person without an index probe on the server), and which keys are certainly
// new (so that their rows are plain inserts, not upserts). Both are bounded; past their limits the server decides.
import type { Database } from '@/db/client';

/** Past this many people the keys are not held in memory (about 60 MB per million keys). */
export const PERSON_KEYS_LIMIT = 500_000;
/** Past this many rows already in the account, an ingest upserts every row rather than reading their keys first. */
export const KEY_FILTER_LIMIT = 200_000;

type KeyColumn = { table: 'people'; column: 'external_id' | 'email_norm' } | { table: 'orders'; column: 'external_order_id' };

/**
 * Reads the account's values of a key column with their row ids, `page` rows at a time through a cursor (no sort, so
 * no plan that stale statistics could make expensive); answers false when the account has more than `limit` of them.
 */
async function readAccountKeys(
  database: Database,
  accountId: string,
  key: KeyColumn,
  limit: number,
  page: number,
  onRow: (key: string, id: number) => void,
): Promise<boolean> {
  const where = `from ${key.table} where account_id = $1 and ${key.column} is not null`;
  // counted first: an account past the limit is told apart without sending its keys
  const over = await database.query<{ n: number }>(`select count(*)::int as n from (select 1 ${where} limit $2) x`, [accountId, limit + 1]);
  if (Number(over.rows[0]?.n ?? 0) > limit) return false;
  return database.transaction(async (tx) => {
    await tx.query(
      `declare facet_account_keys no scroll cursor for
       select ${key.column}, id ${where}`,
      [accountId],
    );
    let read = 0;
    for (;;) {
      const rows = await tx.queryArrays(`fetch ${page} from facet_account_keys`);
      read += rows.length;
      if (read > limit) return false;
      for (const [k, id] of rows) onRow(k as string, Number(id));
      if (rows.length < page) return true;
    }
  });
}

export class PersonKeys {
  private constructor(
    private readonly byExternalId: Map<string, number> | null,
    private readonly byEmail: Map<string, number> | null,
  ) {}

  /** Reads the keys an orders file needs; null when the account has more than `limit` people with such a key. */
  static async load(
    database: Database,
    accountId: string,
    need: { externalId: boolean; email: boolean },
    limit = PERSON_KEYS_LIMIT,
    page = 20_000,
  ): Promise<PersonKeys | null> {
    const read = async (column: 'external_id' | 'email_norm') => {
      const map = new Map<string, number>();
      // an email shared by several people stands for the one with the lowest id
      const ok = await readAccountKeys(database, accountId, { table: 'people', column }, limit, page, (k, id) => {
        const seen = map.get(k);
        if (seen === undefined || id < seen) map.set(k, id);
      });
      return ok ? map : null;
    };
    const byExternalId = need.externalId ? await read('external_id') : null;
    if (need.externalId && !byExternalId) return null;
    const byEmail = need.email ? await read('email_norm') : null;
    if (need.email && !byEmail) return null;
    return new PersonKeys(byExternalId, byEmail);
  }

  /** The person of an order: by customer id when the order has one, else by email; undefined when not known here. */
  idOf(externalId: string | null, emailNorm: string | null): number | undefined {
    if (externalId) return this.byExternalId?.get(externalId);
    return emailNorm ? this.byEmail?.get(emailNorm) : undefined;
  }
}

const HASHES = 4;
const BLOCK_BITS = 512; // a cache line: one memory access a key
const MAX_FILTER_BITS = 256 * 1024 * 1024; // 32 MB

/**
 * The keys of the account's rows and of the rows staged so far, as a blocked Bloom filter: `claim` answers true only
 * for a key that is certainly in neither. A false "maybe" merely sends its row through the upsert: at 10 bits a key,
 * fewer than 4 new keys in 1,000 get one while the filter fills.
 */
export class KeyFilter {
  private readonly bits: Uint32Array;
  private readonly blocks: number;

  private constructor(expectedKeys: number) {
    this.blocks = Math.max(64, Math.ceil(Math.min(MAX_FILTER_BITS, expectedKeys * 10) / BLOCK_BITS));
    this.bits = new Uint32Array((this.blocks * BLOCK_BITS) / 32);
  }

  /**
   * Reads the account's keys of the ingested table into a filter with room for `fileKeys` more; null when the account
   * has more than `limit` rows with a key.
   */
  static async load(
    database: Database,
    accountId: string,
    key: KeyColumn,
    fileKeys: number,
    limit = KEY_FILTER_LIMIT,
    page = 20_000,
  ): Promise<KeyFilter | null> {
    const filter = new KeyFilter(limit + fileKeys);
    const ok = await readAccountKeys(database, accountId, key, limit, page, (k) => void filter.claim(k));
    return ok ? filter : null;
  }

  /** Adds a key; true when it was certainly not there before. */
  claim(key: string): boolean {
    // two 32-bit FNV-1a style hashes of the UTF-16 units: one picks the block, the other the bits in it
    let h1 = 0x811c9dc5;
    let h2 = 0x27d4eb2f;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 0x85ebca6b);
    h1 ^= h1 >>> 13;
    h2 = Math.imul(h2 ^ (h2 >>> 15), 0xc2b2ae35);
    h2 ^= h2 >>> 16;
    const step = (Math.imul(h1 ^ (h1 >>> 7), 0x2c1b3c6d) ^ (h2 >>> 9)) | 1;
    const base = ((h1 >>> 0) % this.blocks) * (BLOCK_BITS / 32);
    let fresh = false;
    for (let i = 0; i < HASHES; i++) {
      const bit = (h2 + Math.imul(i, step)) & (BLOCK_BITS - 1);
      const word = base + (bit >>> 5);
      const mask = 1 << (bit & 31);
      if (!(this.bits[word] & mask)) {
        fresh = true;
        this.bits[word] |= mask;
      }
    }
    return fresh;
  }
}
