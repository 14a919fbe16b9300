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
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
});
console.log('built .next/facet-server.mjs');
