import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatabaseConfigError, openPg, parseDatabaseUrl } from '@/db/client';

describe('DATABASE_URL checks', () => {
  it.each([
    ['garbage', /not a valid URL/],
    ['mysql://u@h/db', /must start with postgres:\/\//],
    ['postgres://u@h', /names no database/],
  ])('%s is refused with a clear reason', (url, reason) => {
    expect(() => parseDatabaseUrl(url)).toThrow(DatabaseConfigError);
    expect(() => parseDatabaseUrl(url)).toThrow(reason);
  });

  it('accepts a well-formed URL', () => {
    expect(parseDatabaseUrl('postgresql://u:p@db.example:6543/facet').hostname).toBe('db.example');
  });

  it('an unreachable server is one clear error naming host, port and database', async () => {
    await expect(openPg('postgres://postgres@127.0.0.1:5999/facet')).rejects.toThrow(
      /cannot connect to the database at 127\.0\.0\.1:5999\/facet/,
    );
  });

  it('the seed command stops with one line and exit code 1', () => {
    const r = spawnSync(path.join('node_modules', '.bin', 'tsx'), ['--conditions=react-server', 'scripts/seed-cli.ts'], {
      env: { ...process.env, DATABASE_URL: 'postgres://postgres@127.0.0.1:5999/facet' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual(['facet: cannot connect to the database at 127.0.0.1:5999/facet (connect ECONNREFUSED 127.0.0.1:5999)']);
  });
});
