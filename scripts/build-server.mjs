// Bundles Facet's production processes (and the Facet modules they call) into .next/; packages stay external:
//  scripts/server.ts → .next/facet-server.mjs (the web server), scripts/worker.ts → .next/facet-worker.mjs (the job worker).
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  tsconfig: 'tsconfig.json',
  // the services they bundle are marked server-only, which these processes are: Next's own empty stand-in, as in its bundles
  // (with its .js extension, as Node's ESM loader needs for a deep import)
  alias: { 'server-only': 'next/dist/compiled/server-only/empty.js' },
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
};

await Promise.all([
  build({ ...common, entryPoints: ['scripts/server.ts'], outfile: '.next/facet-server.mjs' }),
  build({ ...common, entryPoints: ['scripts/worker.ts'], outfile: '.next/facet-worker.mjs' }),
]);
console.log('built .next/facet-server.mjs and .next/facet-worker.mjs');
