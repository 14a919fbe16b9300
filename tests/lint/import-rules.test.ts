import path from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

// Lints small in-memory files, placed (by path only) inside each zone of eslint.config.mjs, with the repository's
// own config: a rule that stops resolving or matching fails here instead of letting imports drift.

const root = path.resolve(import.meta.dirname, '../..');
const RULES = new Set(['import/no-restricted-paths', '@typescript-eslint/no-restricted-imports']);
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

async function lint(file: string, code: string) {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result;
}

/** The import-rule errors of `code` as if it were `file`. */
async function importErrors(file: string, code: string): Promise<string[]> {
  const result = await lint(file, code);
  const fatal = result.messages.filter((m) => m.fatal);
  if (fatal.length) throw new Error(`could not parse the probe: ${fatal[0].message}`);
  return result.messages.filter((m) => m.severity === 2 && m.ruleId && RULES.has(m.ruleId)).map((m) => m.message);
}

const violations: [zone: string, file: string, code: string][] = [
  ['clustering → db', 'lib/clustering/lint-probe.ts', `import { getDatabase } from '@/db/client';\nexport const x = getDatabase;\n`],
  ['clustering → services (relative)', 'lib/clustering/lint-probe.ts', `import { ServiceError } from '../services/errors';\nexport const x = ServiceError;\n`],
  ['clustering → inngest', 'lib/clustering/lint-probe.ts', `export { inngest } from '@/inngest/client';\n`],
  ['identity-graph → components', 'lib/identity-graph/lint-probe.ts', `import { Button } from '@/components/ui/button';\nexport const x = Button;\n`],
  ['identity-graph → app', 'lib/identity-graph/lint-probe.ts', `import type RootLayout from '@/app/layout';\nexport type X = typeof RootLayout;\n`],
  ['identity-graph → app-side lib', 'lib/identity-graph/lint-probe.ts', `import { env } from '@/lib/env';\nexport const x = env;\n`],
  ['components → db (even a type)', 'components/lint-probe.tsx', `import type { Dataset } from '@/db/schema';\nexport type X = Dataset;\n`],
  ['components → app', 'components/personas/lint-probe.tsx', `import RootLayout from '@/app/layout';\nexport const x = RootLayout;\n`],
  ['components → inngest', 'components/lint-probe.tsx', `import { inngest } from '@/inngest/client';\nexport const x = inngest;\n`],
  ['components → a service value', 'components/lint-probe.tsx', `import { ServiceError } from '@/lib/services/errors';\nexport const x = ServiceError;\n`],
  ['components → a service value (relative)', 'components/charts/lint-probe.tsx', `import { ServiceError } from '../../lib/services/errors';\nexport const x = ServiceError;\n`],
  ['services → app', 'lib/services/lint-probe.ts', `import RootLayout from '@/app/layout';\nexport const x = RootLayout;\n`],
  ['services → inngest', 'lib/services/lint-probe.ts', `import { inngest } from '../../inngest/client';\nexport const x = inngest;\n`],
  ['db → services', 'db/lint-probe.ts', `import { ServiceError } from '@/lib/services/errors';\nexport const x = ServiceError;\n`],
  ['db → app', 'db/lint-probe.ts', `import RootLayout from '@/app/layout';\nexport const x = RootLayout;\n`],
];

describe('import rules (eslint.config.mjs)', () => {
  it.each(violations)('rejects %s', async (_zone, file, code) => {
    expect(await importErrors(file, code)).toHaveLength(1);
  });

  it('accepts what each zone may import, with no lint error of any rule', async () => {
    const clean: [string, string][] = [
      ['lib/clustering/lint-probe.ts', `import { sum } from 'simple-statistics';\nimport type { TraitTable } from './types';\nimport { parseCsv } from '../csv';\nimport { GRAPH_TRAITS } from '@/lib/identity-graph/catalog';\nexport const x = [sum, parseCsv, GRAPH_TRAITS];\nexport type T = TraitTable;\n`],
      ['components/lint-probe.tsx', `import type { ServiceError } from '@/lib/services/errors';\nimport { Button } from '@/components/ui/button';\nimport { GRAPH_TRAITS } from '@/lib/identity-graph/catalog';\nexport type E = ServiceError;\nexport const x = [Button, GRAPH_TRAITS];\n`],
      ['lib/services/lint-probe.ts', `import { getDatabase } from '@/db/client';\nimport { personaSets } from '@/db/schema';\nimport { buildPersonaSet } from '@/lib/clustering';\nexport const x = [getDatabase, personaSets, buildPersonaSet];\n`],
      ['db/lint-probe.ts', `import type { PersonaModel } from '@/lib/clustering/types';\nimport { GRAPH_TRAITS } from '@/lib/identity-graph/catalog';\nexport type M = PersonaModel;\nexport const x = GRAPH_TRAITS;\n`],
      ['app/lint-probe.tsx', `import { Button } from '@/components/ui/button';\nimport { getDatabase } from '@/db/client';\nimport { ServiceError } from '@/lib/services/errors';\nexport const x = [Button, getDatabase, ServiceError];\n`],
    ];
    for (const [file, code] of clean) {
      const result = await lint(file, code);
      expect(result.messages, file).toEqual([]);
    }
  });
});
