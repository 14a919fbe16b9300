import { beforeAll, describe, expect, it } from 'vitest';
import {
  StoredJsonError,
  parseAnalysis,
  parseAvatarSpec,
  parseBuildDraft,
  parseBuildQuality,
  parseCohortDefinition,
  parsePersonaCentre,
  parsePersonaModel,
  parseSalientTraits,
  parseStoredEvent,
  parseTraitSelection,
  type BuildDraft,
} from '@/db/json';
import { buildPersonaSet } from '@/lib/clustering';
import type { PersonaSetResult } from '@/lib/clustering/types';
import { plantedTable } from '../clustering/fixtures';

const pick = <T extends object, K extends keyof T>(o: T, keys: K[]) => Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;
/** What a jsonb column gives back for a value written with JSON.stringify. */
const stored = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

let result: PersonaSetResult;
let draft: BuildDraft;

beforeAll(async () => {
  const { table } = plantedTable(1500, 4, 3);
  result = await buildPersonaSet(table, { seed: 5, threads: 1, sampleSize: 1500 });
  const { inertia, kCandidates, kReason, warnings, timings } = result;
  draft = {
    buildVersion: 2,
    model: result.model,
    traits: result.traits,
    // the fields of a described persona that a draft keeps
    personas: result.personas.map((p) => ({
      ...pick(p, ['name', 'shortName', 'avatar', 'size', 'share', 'centre', 'salient', 'cohesion']),
      id: `00000000-0000-4000-8000-00000000000${p.index}`,
      position: p.index,
      centroid: result.model.centroids[p.index],
    })),
    retiredIds: [],
    quality: { ...result.quality, inertia, kCandidates, kReason, warnings, timings },
    members: 1500,
  };
});

describe('stored JSON parsers read back what a build writes', () => {
  it('a fitted model, unchanged', () => {
    expect(parsePersonaModel(stored(result.model))).toEqual(result.model);
  });

  it('a build draft with its personas, avatars, centres, salient traits and quality', () => {
    expect(parseBuildDraft(stored(draft))).toEqual(stored(draft));
    expect(parseBuildQuality(stored(draft.quality))).toEqual(stored(draft.quality));
    for (const p of result.personas) {
      expect(parseAvatarSpec(stored(p.avatar))).toEqual(p.avatar);
      expect(parsePersonaCentre(stored(p.centre))).toEqual(p.centre);
      expect(parseSalientTraits(stored(p.salient))).toEqual(p.salient);
    }
  });

  it('numbers that JSON turned into null come back as NaN, optional fields written as null as absent', () => {
    const model = structuredClone(result.model);
    model.centroids[0][0] = NaN;
    model.typicalDistance[1] = Infinity;
    const raw = stored(model) as { encoder: { specs: Record<string, unknown>[] } };
    raw.encoder.specs[0].unit = null;
    const back = parsePersonaModel(raw);
    expect(back.centroids[0][0]).toBeNaN();
    expect(back.typicalDistance[1]).toBeNaN();
    expect(back.encoder.specs[0].unit).toBeUndefined();
  });
});

describe('the selection has one shape: the build’s', () => {
  it('reads { traits, chosenBy, report }', () => {
    const selection = { traits: ['age', 'income'], chosenBy: 'automatic', report: [{ key: 'age', chosen: true, reason: 'separates', score: 0.4, coverage: 1 }] };
    expect(parseTraitSelection(selection)).toEqual(selection);
  });

  it('rejects the old { selected, … } shape with an error naming the column and the field', () => {
    let err: unknown;
    try {
      parseTraitSelection({ selected: ['age'], report: [] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StoredJsonError);
    expect((err as StoredJsonError).column).toBe('persona_sets.selection');
    expect((err as Error).message).toMatch(/persona_sets\.selection.*traits/);
  });
});

describe('analyses, events and definitions', () => {
  it('parses each analysis kind with its own shape', () => {
    const flow = { days: ['2026-01-01', '2026-01-02'], personas: [{ personaId: 'p1', counts: [3, 4] }] };
    expect(parseAnalysis('flow', flow)).toEqual(flow);
    const geo = { states: [{ state: 'CA', total: 10, counts: { p1: 6, p2: 4 } }] };
    expect(parseAnalysis('geo', geo)).toEqual(geo);
    expect(() => parseAnalysis('geo', flow)).toThrow(/persona_set_analyses\.data \(geo\)/);
    expect(() => parseAnalysis('nope' as 'geo', geo)).toThrow(/unknown analysis kind/);
  });

  it('a dimension analysis keeps its bins and per-persona figures; missing means stay absent', () => {
    const dim = {
      key: 'gender',
      label: 'Gender',
      type: 'categorical',
      unit: null,
      clustering: true,
      coverage: 0.98,
      bins: [{ label: 'female' }, { label: 'male' }],
      cohort: [0.5, 0.5],
      personas: [{ personaId: 'p1', shares: [0.7, 0.3], index: [140, 60], salient: true }],
    };
    const back = parseAnalysis('dimension', dim);
    expect(back.unit).toBeUndefined();
    expect(back.personas[0]).toEqual(dim.personas[0]);
    expect(back.cohortMean).toBeUndefined();
  });

  it('a stored event keeps the fields the SDK sent beyond the known ones', () => {
    const event = { name: 'persona-set/requested', data: { personaSetId: 'x' }, id: 'e1', ts: 1, user: { id: 'u' } };
    expect(parseStoredEvent(event)).toEqual(event);
    expect(() => parseStoredEvent({ data: {} })).toThrow(/job_runs\.event/);
  });

  it('a cohort definition is read with the schema the cohort builder saves with', () => {
    expect(parseCohortDefinition({})).toEqual({ events: [], traits: [] });
    expect(() => parseCohortDefinition({ events: 'all' })).toThrow(/cohorts\.definition/);
  });
});
