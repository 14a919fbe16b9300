import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrateDatabase, openPg, type Database } from '@/db/client';
import { startEmbeddedServer } from '@/db/server';

/** Peak resident memory of this process so far, in MB. */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export const serverUrl = () => process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * A fresh, migrated database on the PostgreSQL server, or on an embedded server of its own in a temporary
 * folder (what `npm start` runs by default); dispose drops it.
 */
export async function freshDatabase(
  driver: 'pg' | 'embedded',
  name: string,
): Promise<{ database: Database; url?: string; dispose: () => Promise<void> }> {
  if (driver !== 'pg') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `facet-${name}-`));
    const server = await startEmbeddedServer({ dataDir: dir });
    const database = await openPg(server.url);
    await migrateDatabase(database);
    return {
      database,
      url: server.url,
      dispose: async () => {
        await database.close();
        await server.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const base = serverUrl();
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  const database = await openPg(u.toString());
  await migrateDatabase(database);
  return {
    database,
    url: u.toString(),
    dispose: async () => {
      await database.close();
      const a = new pg.Client({ connectionString: base });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

export function table(rows: Record<string, string | number>[]): string {
  if (!rows.length) return '';
  const cols = Object.keys(rows[0]);
  const cell = (v: string | number) => (typeof v === 'number' ? v.toLocaleString('en-US', { maximumFractionDigits: 2 }) : v);
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(cell(r[c] ?? '')).length)));
  const line = (vals: string[]) => '| ' + vals.map((v, i) => v.padEnd(widths[i])).join(' | ') + ' |';
  return [line(cols), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.map((r) => line(cols.map((c) => String(cell(r[c] ?? '')))))].join('\n');
}
