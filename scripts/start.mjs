// `npm run dev` / `npm start`: Facet as one command of three processes, their logs prefixed —
//   [db]     the embedded PostgreSQL server (db/server.ts), unless DATABASE_URL names a server of your own;
//   [web]    Next.js (dev: `next dev`; start: .next/facet-server.mjs), which never runs jobs;
//   [worker] the job worker (scripts/worker.ts), which runs them.
// Migrations and the demo seed run once, after the database is up and before web and worker start.
// Ctrl-C / SIGTERM stops web and worker, then the database. A worker or database that dies is restarted
// (runs resume from their last finished step); more than 5 restarts in a minute, or a web server that dies,
// stops everything with exit code 1.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { tsImport } from 'tsx/esm/api';

const mode = process.argv[2] ?? 'dev';
if (!['dev', 'start'].includes(mode)) {
  console.error(`facet: unknown mode "${mode}" (dev or start)`);
  process.exit(2);
}
const port = process.env.PORT || '3000';
const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const next = path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next');
const say = (line) => console.log(`[facet] ${line}`);
const env = { ...process.env, FACET_SUPERVISOR_PID: String(process.pid) };
// an empty variable means unset (lib/env.ts reads it so too)
if (!env.DATABASE_URL) delete env.DATABASE_URL;
// the services are marked server-only: the worker and the seed are server code
const tsNode = ['--conditions=react-server', '--import', 'tsx'];

/** Spawns a child in its own process group (Ctrl-C reaches only us: we stop the children in order). */
function run(name, command, args, opts = {}) {
  const child = spawn(command, args, { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  for (const stream of [child.stdout, child.stderr]) {
    readline.createInterface({ input: stream }).on('line', (line) => (stream === child.stderr ? process.stderr : process.stdout).write(`[${name}] ${line}\n`));
  }
  return child;
}

const exited = (child) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));

/** Signals a child's process group (Next's own children too); a child in ours (the seed) alone. */
function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

async function stopChild(child, signal, graceMs) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  signalGroup(child, signal);
  const timer = new Promise((r) => setTimeout(r, graceMs, 'timeout'));
  if ((await Promise.race([exited(child), timer])) === 'timeout') {
    signalGroup(child, 'SIGKILL');
    await exited(child);
  }
}

const describeExit = (code, signal) => (signal ? `signal ${signal}` : `exit code ${code}`);

/* ---------- the one Facet per data folder ---------- */

let lockFile;
function takeLock(dataDir) {
  lockFile = path.join(path.dirname(dataDir), 'facet.pid');
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  try {
    const other = Number(fs.readFileSync(lockFile, 'utf8'));
    if (other && other !== process.pid) {
      process.kill(other, 0);
      console.error(`facet: Facet already runs on ${dataDir} (pid ${other}): stop it first, or set FACET_DATA_DIR`);
      process.exit(1);
    }
  } catch (err) {
    if (err.code === 'EPERM') {
      console.error(`facet: another user's Facet runs on ${dataDir}`);
      process.exit(1);
    }
    // no lock, or its process is gone
  }
  fs.writeFileSync(lockFile, String(process.pid));
}
const dropLock = () => {
  try {
    if (lockFile && Number(fs.readFileSync(lockFile, 'utf8')) === process.pid) fs.rmSync(lockFile);
  } catch {
    // gone already
  }
};

/* ---------- the processes ---------- */

const children = { db: undefined, web: undefined, worker: undefined, once: undefined };
let stopping = false;
let dbServer; // { prepared, server: the db/server.ts module } when the database is embedded
const restarts = [];

// resolves once the database accepts connections (a worker restarted meanwhile waits for it)
let dbUp = Promise.resolve();
let markDbUp = () => {};

async function startDb() {
  const { prepared, server } = dbServer;
  const child = run('db', prepared.command, prepared.args, prepared.spawnOptions);
  children.db = child;
  child.on('exit', (code, signal) => void onExit('db', code, signal));
  await server.waitForServer(prepared, { child });
  markDbUp();
}

function startWeb() {
  const child =
    mode === 'start'
      ? run('web', process.execPath, [path.join(root, '.next', 'facet-server.mjs')], { env: { ...env, PORT: port, NODE_ENV: 'production' } })
      : run('web', process.execPath, [next, 'dev', '-p', port], { env: { ...env, PORT: port } });
  children.web = child;
  child.on('exit', (code, signal) => void onExit('web', code, signal));
}

function startWorker() {
  const args = mode === 'start' ? [path.join(root, '.next', 'facet-worker.mjs')] : [...tsNode, path.join(root, 'scripts', 'worker.ts')];
  const nice = Number(env.FACET_WORKER_NICE ?? 10);
  // its sessions on the embedded server too (db/client.ts): their backends are processes of this machine
  const dbNice = dbServer && nice ? { FACET_DB_BACKEND_NICE: String(nice) } : {};
  const child = run('worker', process.execPath, args, { env: { ...env, PORT: port, ...dbNice, ...(mode === 'start' ? { NODE_ENV: 'production' } : {}) } });
  children.worker = child;
  // jobs yield the CPU to the web server: a build's k-means threads (created later) inherit this priority
  try {
    os.setPriority(child.pid, nice);
  } catch (err) {
    say(`could not lower the job worker's priority: ${err.message}`);
  }
  // Linux (with autogroups) shares the CPU between sessions first, and the worker runs in a session of its own
  // (detached): without its group's nice, the worker's threads get half the cores whatever their own nice says
  if (nice && os.platform() === 'linux') {
    try {
      fs.writeFileSync(`/proc/${child.pid}/autogroup`, String(nice));
    } catch {
      // no autogroups on this kernel: the threads' nice is what counts
    }
  }
  child.on('exit', (code, signal) => void onExit('worker', code, signal));
}

const label = { db: 'the database server', web: 'the web server', worker: 'the job worker' };

async function onExit(name, code, signal) {
  if (stopping) return;
  if (name === 'web') {
    say(`${label[name]} exited unexpectedly (${describeExit(code, signal)}): stopping Facet`);
    return shutdown(1);
  }
  const now = Date.now();
  restarts.push(now);
  while (restarts.length && restarts[0] < now - 60_000) restarts.shift();
  if (restarts.length > 5) {
    say(`${label[name]} exited unexpectedly (${describeExit(code, signal)}), the 6th restart within a minute: stopping Facet`);
    return shutdown(1);
  }
  say(`${label[name]} exited unexpectedly (${describeExit(code, signal)}): restarting it in 1 s`);
  if (name === 'db') dbUp = new Promise((resolve) => (markDbUp = resolve));
  await new Promise((r) => setTimeout(r, 1000));
  if (stopping) return;
  try {
    if (name === 'db') {
      await startDb();
      say('the database server is back (web and worker reconnect by themselves)');
    } else {
      await dbUp;
      if (!stopping) startWorker();
    }
  } catch (err) {
    say(`${label[name]} could not be restarted: ${err.message}`);
    shutdown(1);
  }
}

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  // web and worker first (the worker hands its runs back to the queue), then the database
  await Promise.all(['web', 'worker', 'once'].map((name) => stopChild(children[name], 'SIGTERM', 10_000)));
  if (children.db) {
    // fast shutdown: open transactions roll back, everything committed is on disk
    await stopChild(children.db, 'SIGINT', 20_000);
  }
  dropLock();
  process.exit(code);
}

let interrupts = 0;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    if (++interrupts > 1) {
      // a second Ctrl-C: no more waiting
      for (const c of Object.values(children)) if (c) signalGroup(c, 'SIGKILL');
      dropLock();
      process.exit(130);
    }
    say(`${sig}: stopping`);
    void shutdown(0);
  });
}
process.on('exit', dropLock);

/** Runs a one-shot command (migrations, seed) with its output as it is, and fails Facet's start if it fails. */
function once(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, env: { ...env }, stdio: 'inherit' });
    children.once = child;
    child.on('exit', (c, s) => resolve(s ? 1 : (c ?? 1)));
  });
}

async function main() {
  // the environment is checked before anything starts: one line saying what is wrong, exit code 1
  const { environmentProblem } = await tsImport('../lib/env.ts', import.meta.url);
  const problem = environmentProblem(env, { production: mode === 'start' || env.NODE_ENV === 'production' });
  if (problem) {
    console.error(`facet: ${problem}`);
    process.exit(1);
  }
  if (mode === 'start' && !(['BUILD_ID', 'facet-server.mjs', 'facet-worker.mjs'].every((f) => fs.existsSync(path.join(root, '.next', f))))) {
    const code = await new Promise((resolve) => spawn('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' }).on('exit', (c) => resolve(c ?? 1)));
    if (code !== 0) process.exit(code);
  }

  if (!env.DATABASE_URL) {
    const dbModule = await tsImport('../db/server.ts', import.meta.url);
    const dataDir = dbModule.embeddedDataDir();
    takeLock(dataDir);
    const dbPort = env.FACET_DB_PORT ? Number(env.FACET_DB_PORT) : await dbModule.freePort();
    try {
      const prepared = await dbModule.prepareServer({ dataDir, port: dbPort, stopStale: true, log: (l) => console.log(`[db] ${l}`) });
      dbServer = { prepared, server: dbModule };
      const t0 = Date.now();
      await startDb();
      say(`embedded PostgreSQL on 127.0.0.1:${dbPort} (${path.relative(root, dataDir) || dataDir}), ready in ${Date.now() - t0} ms`);
      env.DATABASE_URL = prepared.url;
      env.FACET_EMBEDDED_DB = '1';
    } catch (err) {
      console.error(`facet: ${err.message}`);
      await shutdown(1);
    }
  }

  // migrations once, here: web and worker are told so and skip them
  // the demo account exists in development and with FACET_DEMO=1 (or writable); a production start without it has
  // none, and lib/auth.ts lets nobody sign in to one left from an earlier seed
  const demoWanted = env.FACET_DEMO === '1' || env.FACET_DEMO === 'writable' || (mode === 'dev' && env.FACET_DEMO !== '0');
  const seedDemo = demoWanted && env.FACET_SKIP_SEED !== '1';
  const code = await once(
    seedDemo ? [...tsNode, path.join(root, 'scripts', 'seed-cli.ts'), '--quiet'] : [...tsNode, path.join(root, 'db', 'migrate-cli.ts')],
  );
  if (stopping) return;
  if (code !== 0) return shutdown(code);
  env.FACET_MIGRATED = '1';
  startWeb();
  startWorker();
}

main().catch((err) => {
  console.error(`facet: ${err.stack || err.message}`);
  void shutdown(1);
});
