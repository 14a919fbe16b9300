// Starts Facet: migrates and seeds the database when needed (in its own process, so the embedded
// database is free again when the server opens it), then runs Next.js in the given mode.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const mode = process.argv[2] ?? 'dev';
const port = process.env.PORT ?? '3000';
const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const next = path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next');

if (process.env.FACET_SKIP_SEED !== '1') {
  // react-server: the seed calls services, which are marked server-only
  const seed = spawnSync(tsx, ['--conditions=react-server', path.join(root, 'scripts', 'seed-cli.ts'), '--quiet'], { stdio: 'inherit', cwd: root });
  if (seed.status !== 0) process.exit(seed.status ?? 1);
}

const server = path.join(root, '.next', 'facet-server.mjs');
if (mode === 'start' && !(existsSync(path.join(root, '.next', 'BUILD_ID')) && existsSync(server))) {
  const build = spawnSync('npm', ['run', 'build'], { stdio: 'inherit', cwd: root });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

// production: Next's request handler behind Facet's server (scripts/server.ts); development: next dev
const child =
  mode === 'start'
    ? spawn(process.execPath, [server], { stdio: 'inherit', cwd: root, env: { ...process.env, PORT: port, NODE_ENV: 'production' } })
    : spawn(process.execPath, [next, mode, '-p', port], { stdio: 'inherit', cwd: root });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
