// Failure reasons people read (a build's error, its email, a scoring run's or a dataset's error) are product
// sentences: a ServiceError's message (also as a job step carries it), a known failure's sentence, or a fallback.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ServiceError } from '@/lib/services/errors';
import { explainBuildError } from '@/lib/services/persona-sets/build';
import { explainScoringError } from '@/lib/services/persona-sets/scoring';
import { explainDatasetError } from '@/lib/services/datasets';

vi.mock('server-only', () => ({}));

const pgError = Object.assign(new Error('duplicate key value violates unique constraint "assignments_current_uq"'), { code: '23505', detail: 'Key (person_id)=(42) already exists.' });

describe('failure reasons', () => {
  afterEach(() => vi.restoreAllMocks());

  it("passes a ServiceError's message on, as thrown and as a job step serialized it", () => {
    const msg = 'The cohort has only 7 members; a persona set needs at least 20.';
    expect(explainBuildError(new ServiceError('invalid', msg))).toBe(msg);
    expect(explainBuildError({ name: 'NonRetriableError', message: msg, cause: { name: 'ServiceError', message: msg } })).toBe(msg);
    expect(explainScoringError({ name: 'ServiceError', message: 'This persona set has not been built yet' })).toBe('This persona set has not been built yet');
  });

  it("never repeats the driver's or the engine's words; logs them on the server", () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const reasons = [
      explainBuildError(pgError),
      explainBuildError({ name: 'Error', message: 'invalid input syntax for type uuid: "x"', stack: 'at query (/app/node_modules/pg/lib/client.js:1:1)' }),
      explainScoringError(pgError),
      explainDatasetError(pgError),
      explainBuildError('kmeans: k = 9 exceeds the number of rows (3)'),
      explainBuildError(new Error('no usable traits: every trait is missing, constant or unknown')),
      explainBuildError(new Error('connect ECONNREFUSED 127.0.0.1:5432')),
    ];
    for (const r of reasons) expect(r).not.toMatch(/constraint|uuid|kmeans|node_modules|ECONNREFUSED|5432|person_id|unique/);
    expect(reasons[0]).toBe('The build stopped on an unexpected error. Retry; if it fails again, contact support.');
    expect(reasons[4]).toBe('The cohort has too few members for this many personas. Choose fewer personas or a larger cohort.');
    expect(reasons[5]).toMatch(/^The chosen traits carry no information/);
    expect(reasons[6]).toBe('The database could not be reached. Retry in a moment.');
    expect(logged).toHaveBeenCalledTimes(reasons.length);
    expect(logged.mock.calls[0][1]).toBe(pgError);
  });
});
