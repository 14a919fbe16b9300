// The embedded PostgreSQL server (db/server.ts): folders it refuses, a server left running by a killed run,
// and committed data surviving a stop and a SIGKILL of the server.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedDatabaseError, freePort, prepareServer, runningServer, startEmbeddedServer } from '@/db/server';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'facet-server-test-'));
// as root the server runs as the OS user postgres, which must reach the folders inside
fs.chmodSync(root, 0o755);
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function query<T extends Record<string, unknown>>(url: string, text: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text)).rows;
  } finally {
    await c.end();
  }
}

describe('embedded PostgreSQL server', () => {
  it('refuses a folder holding another major version (an earlier Facet kept PGlite there), saying so', async () => {
    const dir = path.join(root, 'old');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'PG_VERSION'), '17\n');
    const err = await prepareServer({ dataDir: dir, port: await freePort() }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(EmbeddedDatabaseError);
    expect((err as Error).message).toMatch(/holds a PostgreSQL 17 database .* move it away, or set FACET_DATA_DIR/);
  });

  it('refuses a folder with other files in it', async () => {
    const dir = path.join(root, 'busy');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    await expect(prepareServer({ dataDir: dir, port: await freePort() })).rejects.toThrow(/is not empty and holds no database/);
    expect(fs.readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('keeps committed rows across a stop and a SIGKILL of the server, and stops a server left running', async () => {
    const dir = path.join(root, 'data');
    let server = await startEmbeddedServer({ dataDir: dir });
    await query(server.url, 'create table kept (n int); insert into kept values (1)');
    await server.stop();
    expect(runningServer(dir)).toBeUndefined();

    server = await startEmbeddedServer({ dataDir: dir });
    await query(server.url, 'insert into kept values (2)');
    // as after kill -9 of `npm start`: the server is gone without a shutdown; crash recovery replays the WAL
    process.kill(server.pid, 'SIGKILL');
    for (let i = 0; i < 100 && runningServer(dir); i++) await new Promise((r) => setTimeout(r, 50));
    // its backends notice and exit; until then they hold its shared memory (npm start waits 1 s too)
    await new Promise((r) => setTimeout(r, 1000));
    server = await startEmbeddedServer({ dataDir: dir });
    expect(await query(server.url, 'select n from kept order by n')).toEqual([{ n: 1 }, { n: 2 }]);

    // a server still running on the folder: refused unless the caller may stop it (the supervisor's lock says so)
    await expect(prepareServer({ dataDir: dir, port: await freePort() })).rejects.toThrow(`a database server (pid ${server.pid}) already runs on`);
    await prepareServer({ dataDir: dir, port: await freePort(), stopStale: true });
    expect(runningServer(dir)).toBeUndefined();
    await server.stop();
  }, 60_000);
});
