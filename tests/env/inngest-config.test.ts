import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentProblem } from '@/lib/env';
import { inngestConfigProblem, inngestDevRequested } from '@/lib/inngest-config';

const root = path.resolve(import.meta.dirname, '../..');
const prod = { production: true };
const dev = { production: false };

describe('Inngest settings checked at start', () => {
  it('takes both keys or neither', () => {
    expect(inngestConfigProblem({}, prod)).toBeUndefined();
    expect(inngestConfigProblem({ INNGEST_EVENT_KEY: 'e', INNGEST_SIGNING_KEY: 's', APP_URL: 'https://facet.example' }, prod)).toBeUndefined();
    expect(inngestConfigProblem({ INNGEST_EVENT_KEY: 'e' }, dev)).toMatch(/^INNGEST_EVENT_KEY is set but INNGEST_SIGNING_KEY is not/);
    expect(inngestConfigProblem({ INNGEST_SIGNING_KEY: 's' }, prod)).toMatch(/^INNGEST_SIGNING_KEY is set but INNGEST_EVENT_KEY is not/);
    // an empty variable is unset
    expect(inngestConfigProblem({ INNGEST_EVENT_KEY: 'e', INNGEST_SIGNING_KEY: '' }, dev)).toMatch(/INNGEST_SIGNING_KEY is not/);
  });

  it('refuses INNGEST_DEV in production, with or without keys, and reads it as the SDK does', () => {
    const keys = { INNGEST_EVENT_KEY: 'e', INNGEST_SIGNING_KEY: 's', APP_URL: 'https://facet.example' };
    for (const value of ['1', 'true', 'TRUE', 'http://127.0.0.1:8288']) {
      expect(inngestDevRequested(value)).toBe(true);
      expect(inngestConfigProblem({ ...keys, INNGEST_DEV: value }, prod)).toMatch(/^INNGEST_DEV is set in production/);
      expect(inngestConfigProblem({ INNGEST_DEV: value }, prod)).toMatch(/^INNGEST_DEV is set in production/);
      expect(inngestConfigProblem({ ...keys, INNGEST_DEV: value }, dev)).toBeUndefined();
    }
    for (const value of ['0', 'false', '', undefined]) {
      expect(inngestDevRequested(value)).toBe(false);
      expect(inngestConfigProblem({ ...keys, INNGEST_DEV: value }, prod)).toBeUndefined();
    }
  });

  it('wants APP_URL (the serve origin) in production when an Inngest server is used', () => {
    expect(inngestConfigProblem({ INNGEST_EVENT_KEY: 'e', INNGEST_SIGNING_KEY: 's' }, prod)).toMatch(/^APP_URL is not set/);
    expect(inngestConfigProblem({ INNGEST_EVENT_KEY: 'e', INNGEST_SIGNING_KEY: 's' }, dev)).toBeUndefined();
  });

  it('reports the schema problems and the Inngest ones through one function', () => {
    expect(environmentProblem({ APP_URL: 'not a url' }, dev)).toMatch(/^Invalid environment: APP_URL/);
    expect(environmentProblem({ INNGEST_SIGNING_KEY: 's' }, dev)).toMatch(/INNGEST_EVENT_KEY is not/);
    expect(environmentProblem({}, prod)).toBeUndefined();
  });

  // the processes themselves: one line on stderr, exit code 1, before any database or server starts
  const cases: [string, string[], Record<string, string>, RegExp][] = [
    ['npm start with one key', ['scripts/start.mjs', 'start'], { INNGEST_EVENT_KEY: 'e' }, /^facet: INNGEST_EVENT_KEY is set but INNGEST_SIGNING_KEY is not/],
    ['npm start with INNGEST_DEV', ['scripts/start.mjs', 'start'], { INNGEST_DEV: '1' }, /^facet: INNGEST_DEV is set in production/],
    ['npm run dev with one key', ['scripts/start.mjs', 'dev'], { INNGEST_SIGNING_KEY: 's' }, /^facet: INNGEST_SIGNING_KEY is set but INNGEST_EVENT_KEY is not/],
    [
      'the worker alone with one key',
      ['--conditions=react-server', '--import', 'tsx', 'scripts/worker.ts'],
      { INNGEST_SIGNING_KEY: 's', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
      /^facet: INNGEST_SIGNING_KEY is set but INNGEST_EVENT_KEY is not/,
    ],
  ];
  it.each(cases)('%s: exits 1 with one line', (_name, args, vars, line) => {
    const base = { ...process.env };
    for (const k of ['VITEST', 'VITEST_POOL_ID', 'VITEST_WORKER_ID', 'INNGEST_EVENT_KEY', 'INNGEST_SIGNING_KEY', 'INNGEST_DEV', 'NODE_ENV']) delete base[k];
    // a data folder of its own: the check must come before the start takes the folder's lock
    const r = spawnSync(process.execPath, args, {
      cwd: root,
      env: { ...base, FACET_DATA_DIR: path.join(root, '.data', 'never-created', 'postgres'), ...vars },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
    expect(r.stdout).toBe('');
  });
});
