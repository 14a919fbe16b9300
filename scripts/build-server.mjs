// Bundles scripts/server.ts (and the Facet modules it calls) into .next/facet-server.mjs; packages stay external.
import { build } from 'esbuild';

await build({
  entryPoints: ['scripts/server.ts'],
  outfile: '.next/facet-server.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  tsconfig: 'tsconfig.json',
  // the services it bundles are marked server-only, which this server is: Next's own empty stand-in, as in its bundles
  alias: { 'server-only': 'next/dist/compiled/server-only/empty.js' },
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
});
console.log('built .next/facet-server.mjs');
