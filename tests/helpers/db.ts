import pg from 'pg';
import { migrateDatabase, openPg, openPglite, type Database } from '@/db/client';

export interface TestDatabase {
  name: 'pglite' | 'pg';
  open(): Promise<Database>;
  dispose(database: Database): Promise<void>;
  /** the connection URL of a database this target opened (PostgreSQL only) */
  url?(database: Database): string;
}

/** PGlite always; the PostgreSQL server too when TEST_DATABASE_URL is set. Each open() gives a fresh, migrated database. */
export function testDatabases(): TestDatabase[] {
  const list: TestDatabase[] = [
    {
      name: 'pglite',
      open: async () => {
        const database = await openPglite();
        await migrateDatabase(database);
        return database;
      },
      dispose: (database) => database.close(),
    },
  ];
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const created = new Map<Database, string>();
    list.push({
      name: 'pg',
      open: async () => {
        const dbName = `facet_t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        await admin.query(`create database ${dbName}`);
        await admin.end();
        const u = new URL(url);
        u.pathname = `/${dbName}`;
        const database = await openPg(u.toString(), { max: 6 });
        await migrateDatabase(database);
        created.set(database, dbName);
        return database;
      },
      url: (database) => {
        const u = new URL(url);
        u.pathname = `/${created.get(database)}`;
        return u.toString();
      },
      dispose: async (database) => {
        await database.close();
        const dbName = created.get(database);
        if (!dbName) return;
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        await admin.query(`drop database if exists ${dbName} with (force)`);
        await admin.end();
      },
    });
  }
  return list;
}
