import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { migrateDatabase, openPg, type Database } from '@/db/client';
import { startEmbeddedTestServer, TEMPLATE_DATABASE } from './embedded';

export interface TestDatabase {
  /** embedded: the PostgreSQL Facet runs by default (db/server.ts); pg: the server of TEST_DATABASE_URL */
  name: 'embedded' | 'pg';
  open(): Promise<Database>;
  dispose(database: Database): Promise<void>;
  /** the connection URL of a database this target opened (for tests that start processes of their own) */
  url?(database: Database): string;
}

const withDatabase = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

const freshName = () => `facet_t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;

async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

let ownServer: Promise<string> | undefined;

/** The run's embedded server (vitest globalSetup), or one for this process when run without it. */
function embeddedAdminUrl(): Promise<string> {
  let provided: string | undefined;
  try {
    provided = inject('facetEmbeddedAdminUrl');
  } catch {
    provided = undefined;
  }
  if (provided) return Promise.resolve(provided);
  ownServer ??= (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facet-test-pg-'));
    const server = await startEmbeddedTestServer(dir);
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    return server.adminUrl;
  })();
  return ownServer;
}

/** Drops the databases a target created, on dispose. */
function target(name: TestDatabase['name'], adminUrl: () => Promise<string>, create: (admin: string, db: string) => Promise<void>): TestDatabase {
  const created = new Map<Database, { admin: string; name: string }>();
  return {
    name,
    open: async () => {
      const base = await adminUrl();
      const dbName = freshName();
      await create(base, dbName);
      const database = await openPg(withDatabase(base, dbName), { max: 6 });
      created.set(database, { admin: base, name: dbName });
      return database;
    },
    url: (database) => {
      const c = created.get(database);
      if (!c) throw new Error('this database was not opened by this test target');
      return withDatabase(c.admin, c.name);
    },
    dispose: async (database) => {
      await database.close();
      const c = created.get(database);
      if (!c) return;
      created.delete(database);
      await admin(c.admin, (a) => a.query(`drop database if exists ${c.name} with (force)`));
    },
  };
}

/**
 * The embedded PostgreSQL always; the PostgreSQL server too when TEST_DATABASE_URL is set.
 * Each open() gives a fresh, migrated database.
 */
export function testDatabases(): TestDatabase[] {
  const list: TestDatabase[] = [
    // a copy of the migrated template: migrations run once per test run
    target('embedded', embeddedAdminUrl, (base, db) => admin(base, (a) => copyTemplate(a, db))),
  ];
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    list.push(
      target(
        'pg',
        async () => url,
        async (base, db) => {
          await admin(base, (a) => a.query(`create database ${db}`));
          const database = await openPg(withDatabase(base, db), { max: 1 });
          try {
            await migrateDatabase(database);
          } finally {
            await database.close();
          }
        },
      ),
    );
  }
  return list;
}

async function copyTemplate(a: pg.Client, db: string): Promise<void> {
  // two copies of one template at the same instant can collide ("being accessed by other users"): retry
  for (let i = 0; ; i++) {
    try {
      await a.query(`create database ${db} template ${TEMPLATE_DATABASE}`);
      return;
    } catch (err) {
      if (i >= 20 || !/being accessed by other users/.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
    }
  }
}
