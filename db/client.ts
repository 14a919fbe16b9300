// Facet talks to PostgreSQL only, through `pg`: a server of its own (DATABASE_URL) or the embedded one that
// `npm run dev` / `npm start` run in their [db] process (db/server.ts) and hand over as DATABASE_URL.
import os from 'node:os';
import path from 'node:path';
import { drizzle as drizzlePg, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import * as schema from './schema';

export type Db = NodePgDatabase<typeof schema>;
export type Driver = 'pg';

/** A database handle: drizzle for typed queries, `query` for raw SQL. */
export interface Database {
  driver: Driver;
  db: Db;
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /** Raw SQL answering rows as arrays (cheaper than objects for wide, long results). */
  queryArrays(text: string, params?: unknown[]): Promise<unknown[][]>;
  /** COPY ... FROM STDIN with the given data (CSV, COPY text or binary, as the SQL says), whole or in chunks; `source` is `stdin`. */
  copyIn(copySql: (source: string) => string, data: CopyData): Promise<void>;
  /** COPY ... TO STDOUT: the bytes as the server sends them, holding one connection until they are read. */
  copyOut(copySql: string): AsyncIterable<Buffer>;
  /** Runs fn in one transaction; the Database it receives routes every query through that transaction. */
  transaction<T>(fn: (tx: Database) => Promise<T>): Promise<T>;
  /** The pg pool (for dedicated connections such as LISTEN or cursors). */
  pool?: pg.Pool;
  close(): Promise<void>;
}

type PgQueryable = pg.Pool | pg.PoolClient;
export type CopyData = string | Uint8Array<ArrayBuffer> | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

async function pgCopyIn(c: pg.PoolClient, sqlText: string, data: CopyData) {
  await pipeline(Readable.from(typeof data === 'string' || data instanceof Uint8Array ? [data] : data), c.query(copyFrom(sqlText)));
}

async function* pgCopyOut(c: pg.PoolClient, sqlText: string): AsyncGenerator<Buffer> {
  const stream = c.query(copyTo(sqlText));
  for await (const chunk of stream) yield chunk as Buffer;
}

function pgDatabase(q: PgQueryable, pool: pg.Pool, inTx: boolean): Database {
  const self: Database = {
    driver: 'pg',
    db: drizzlePg(q as pg.Pool, { schema }),
    pool,
    query: async (text, params) => {
      const r = await q.query(text, params as unknown[]);
      return { rows: r.rows };
    },
    queryArrays: async (text, params) => {
      const r = await q.query({ text, values: params as unknown[], rowMode: 'array' });
      return r.rows as unknown[][];
    },
    copyIn: async (copySql, csv) => {
      if (inTx) return pgCopyIn(q as pg.PoolClient, copySql('stdin'), csv);
      const c = await pool.connect();
      try {
        await pgCopyIn(c, copySql('stdin'), csv);
      } finally {
        c.release();
      }
    },
    copyOut: async function* (copySql) {
      if (inTx) return yield* pgCopyOut(q as pg.PoolClient, copySql);
      const c = await pool.connect();
      let read = false;
      try {
        yield* pgCopyOut(c, copySql);
        read = true;
      } finally {
        // a COPY failed or abandoned half-read leaves the connection mid-protocol: it goes, not back to the pool
        c.release(read ? undefined : true);
      }
    },
    transaction: async (fn) => {
      if (inTx) return fn(self);
      const c = await pool.connect();
      try {
        await c.query('begin');
        const out = await fn(pgDatabase(c, pool, true));
        await c.query('commit');
        return out;
      } catch (err) {
        await c.query('rollback').catch(() => {});
        throw err;
      } finally {
        c.release();
      }
    },
    close: () => (inTx ? Promise.resolve() : pool.end()),
  };
  return self;
}

export class DatabaseConfigError extends Error {}

export const MIGRATIONS_FOLDER = path.join(process.cwd(), 'db', 'migrations');

/** Checks DATABASE_URL and says in one line what is wrong with it. */
export function parseDatabaseUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DatabaseConfigError(`DATABASE_URL is not a valid URL (expected postgres://user:password@host:5432/database)`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new DatabaseConfigError(`DATABASE_URL must start with postgres:// or postgresql:// (got ${parsed.protocol}//)`);
  }
  if (!parsed.hostname) throw new DatabaseConfigError('DATABASE_URL has no host name');
  if (!parsed.pathname || parsed.pathname === '/') throw new DatabaseConfigError('DATABASE_URL names no database');
  return parsed;
}

/**
 * The job worker's sessions on the embedded server (same machine, our own processes) run at a lower CPU
 * priority, so that the web server's queries come first while a build's run. Elsewhere it does nothing.
 */
async function lowerBackendPriority(client: pg.PoolClient, nice: number): Promise<void> {
  try {
    const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    os.setPriority(rows[0].pid, nice);
  } catch {
    // a server on another machine, or one we may not renice
  }
}

export async function openPg(url: string, opts: { max?: number } = {}): Promise<Database> {
  const parsed = parseDatabaseUrl(url);
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, connectionTimeoutMillis: 5000 });
  // A lost connection (server restart) must not crash the process: the pool reports idle clients' errors, and
  // a client checked out at that moment reports it here (its query fails on its own; the pool then drops it).
  const report = (err: Error) => console.error(`[facet] database connection error: ${err.message}`);
  pool.on('error', report);
  pool.on('connect', (client) => client.on('error', report));
  const nice = Number(process.env.FACET_DB_BACKEND_NICE);
  if (nice) pool.on('connect', (client) => void lowerBackendPriority(client, nice));
  try {
    const c = await pool.connect();
    c.release();
  } catch (err) {
    await pool.end().catch(() => {});
    const reason = err instanceof Error ? err.message : String(err);
    throw new DatabaseConfigError(
      `cannot connect to the database at ${parsed.hostname}:${parsed.port || 5432}${parsed.pathname} (${reason})`,
    );
  }
  return pgDatabase(pool, pool, false);
}

export async function migrateDatabase(database: Database): Promise<void> {
  // one server, several app processes: serialize migrations with an advisory lock
  const client = await database.pool!.connect();
  try {
    await client.query('select pg_advisory_lock(727274)');
    await migratePg(drizzlePg(client, { schema }), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await client.query('select pg_advisory_unlock(727274)').catch(() => {});
    client.release();
  }
}

/**
 * Opens the configured database (DATABASE_URL) and migrates it, unless FACET_MIGRATED says the
 * process that started this one already did (npm run dev / npm start migrate once, before web and worker).
 */
export async function openConfiguredDatabase(): Promise<Database> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new DatabaseConfigError(
      'DATABASE_URL is not set: start Facet with `npm run dev` or `npm start` (they run the embedded database), or point DATABASE_URL at a PostgreSQL server',
    );
  }
  const database = await openPg(url);
  if (process.env.FACET_MIGRATED !== '1') await migrateDatabase(database);
  return database;
}

const globalForDb = globalThis as unknown as { __facetDb?: Promise<Database> };

/** The process-wide database, opened once and kept across hot reloads. */
export function getDatabase(): Promise<Database> {
  if (!globalForDb.__facetDb) {
    globalForDb.__facetDb = openConfiguredDatabase().catch((err) => {
      globalForDb.__facetDb = undefined;
      throw err;
    });
  }
  return globalForDb.__facetDb;
}

/** Replaces the process-wide database (tests, scripts that open their own). */
export function setDatabase(database: Database | undefined): void {
  globalForDb.__facetDb = database ? Promise.resolve(database) : undefined;
}

export async function getDb(): Promise<Db> {
  return (await getDatabase()).db;
}

/** The process-wide database for a server process: a configuration problem is one line and exit code 1. */
export async function getDatabaseOrExit(): Promise<Database> {
  try {
    return await getDatabase();
  } catch (err) {
    if (!(err instanceof DatabaseConfigError)) throw err;
    console.error(`facet: ${err.message}`);
    process.exit(1);
  }
}
