// The ids of an account's people by customer id and by email, read once per orders file so that each order finds its
// person in memory instead of by an index probe on the server. Bounded: a larger account is left to the server.
import type { Database } from '@/db/client';

/** Past this many people the keys are not held in memory (about 60 MB per million keys). */
export const PERSON_KEYS_LIMIT = 500_000;

export class PersonKeys {
  private constructor(
    private readonly byExternalId: Map<string, number> | null,
    private readonly byEmail: Map<string, number> | null,
  ) {}

  /**
   * Reads the keys the file needs (keyset pages on the account's own indexes); null when the account has more than
   * `limit` people with such a key.
   */
  static async load(
    database: Database,
    accountId: string,
    need: { externalId: boolean; email: boolean },
    limit = PERSON_KEYS_LIMIT,
    page = 20_000,
  ): Promise<PersonKeys | null> {
    const read = async (column: 'external_id' | 'email_norm') => {
      const map = new Map<string, number>();
      let after = '';
      for (;;) {
        // an email shared by several people: the lowest id comes first and is kept (the rest of its group may fall
        // on the next page, which starts past it)
        const rows = await database.queryArrays(
          `select ${column}, id from people where account_id = $1 and ${column} > $2
           order by ${column}${column === 'email_norm' ? ', id' : ''} limit ${page}`,
          [accountId, after],
        );
        for (const [k, id] of rows) if (!map.has(k as string)) map.set(k as string, Number(id));
        if (map.size > limit) return null;
        if (rows.length < page) return map;
        after = rows[rows.length - 1][0] as string;
      }
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
