import path from 'node:path';
import next from 'eslint-config-next';

const root = import.meta.dirname;
const at = (p) => path.join(root, p);

/*
 * The direction of imports (docs: ARCHITECTURE.md, "Rules of the house"):
 * app -> components, lib/services, inngest -> lib/services -> db; lib/clustering and lib/identity-graph import
 * nothing of the app. import/no-restricted-paths checks the resolved file, so `@/…` and relative paths count alike,
 * and `import type` counts too. The one allowance: components may take TYPES from lib/services (the shapes the
 * services answer, which pages pass down), never values; that rule is a separate, type-aware one below.
 * tests/lint/import-rules.test.ts lints a violating file in each zone, so these rules cannot silently stop working.
 */
const importZones = [
  {
    target: ['./lib/clustering', './lib/identity-graph'],
    // everything of the repository except the pure libraries themselves and packages
    from: [at('**')],
    except: [at('lib/clustering/**'), at('lib/identity-graph/**'), at('lib/csv/**'), at('node_modules/**')],
    message: 'lib/clustering and lib/identity-graph are pure: they import only each other, lib/csv and packages.',
  },
  {
    target: './components',
    from: ['./app', './db', './inngest'],
    message: 'Components receive data and server actions as props: they never import app/, db/ or inngest/.',
  },
  {
    target: './lib/services',
    from: ['./app', './inngest'],
    message: 'Services never import app/ or inngest/: pages, actions and jobs call services, not the other way round.',
  },
  {
    target: './db',
    from: ['./lib/services', './app', './components', './inngest'],
    message: 'db/ is the bottom layer: it never imports services, routes, components or jobs (the seed lives in scripts/).',
  },
];

const config = [
  { ignores: ['node_modules/**', '.next/**', '.data/**', 'db/migrations/**', 'next-env.d.ts', 'test-results/**', 'playwright-report/**'] },
  ...next,
  {
    files: ['**/*.{js,jsx,mjs,ts,tsx,mts,cts}'],
    rules: { 'import/no-restricted-paths': ['error', { basePath: root, zones: importZones }] },
  },
  {
    files: ['components/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)lib/services(/|$)',
              allowTypeImports: true,
              message: 'Components import only types from lib/services (`import type`); a page passes the data and the actions.',
            },
          ],
        },
      ],
    },
  },
];
export default config;
