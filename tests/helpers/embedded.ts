// The embedded engine for tests: a server from db/server.ts with a migrated template database.
import pg from 'pg';
import { migrateDatabase, openPg } from '@/db/client';
import { startEmbeddedServer, type EmbeddedServer } from '@/db/server';

export const TEMPLATE_DATABASE = 'facet_template';

/** Starts a server in `dataDir` and migrates its template database once. */
export async function startEmbeddedTestServer(dataDir: string): Promise<EmbeddedServer> {
  const server = await startEmbeddedServer({ dataDir });
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  await admin.query(`create database ${TEMPLATE_DATABASE}`);
  await admin.end();
  const u = new URL(server.adminUrl);
  u.pathname = `/${TEMPLATE_DATABASE}`;
  const template = await openPg(u.toString(), { max: 1 });
  await migrateDatabase(template);
  await template.close();
  return server;
}
