import { describe, expect, it } from 'vitest';
import type { Assignment, PersonaModel } from '@/lib/clustering';
import { forgetSnapshotMatrix, rememberAssignment, rememberedAssignment } from '@/lib/services/persona-sets/member-matrix';

const model = (centroids: number[][]) => ({ centroids }) as unknown as PersonaModel;
const assignment = (n: number): Assignment => ({
  labels: new Int32Array(n).fill(1), distances: new Float32Array(n), runnerUp: new Int32Array(n), margins: new Float32Array(n),
});

describe('the assignment a build step leaves for the next', () => {
  const build = { personaSetId: '00000000-0000-4000-8000-000000000001', buildVersion: 3 };
  const fitted = model([[0, 1], [2, 3.5]]);

  it('is handed back only for the same build, the same model and the same number of members', () => {
    const a = assignment(5);
    rememberAssignment(build, fitted, a);
    // the draft's model comes back from JSON: equal centres, another object
    expect(rememberedAssignment(build, JSON.parse(JSON.stringify(fitted)), 5)).toBe(a);
    expect(rememberedAssignment({ ...build, buildVersion: 4 }, fitted, 5)).toBeNull();
    expect(rememberedAssignment({ ...build, personaSetId: '00000000-0000-4000-8000-000000000002' }, fitted, 5)).toBeNull();
    expect(rememberedAssignment(build, model([[0, 1], [2, 3.25]]), 5)).toBeNull();
    expect(rememberedAssignment(build, model([[0, 1]]), 5)).toBeNull();
    expect(rememberedAssignment(build, fitted, 6)).toBeNull();
  });

  it('is forgotten with the build snapshot', () => {
    rememberAssignment(build, fitted, assignment(2));
    forgetSnapshotMatrix(build);
    expect(rememberedAssignment(build, fitted, 2)).toBeNull();
  });
});
