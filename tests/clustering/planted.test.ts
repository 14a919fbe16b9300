import { describe, expect, it } from 'vitest';
import {
  adjustedRandIndex, assignRecord, assignRows, buildPersonaSet, encodeRecord, encodeTable, fitEncoder, forEachEncodedBlock, kmeans, reweightEncoder,
  matchPersonas, selectTraits, type PersonaModel, type TraitTable,
} from '@/lib/clustering';
import { pairwiseDistances, silhouetteFromDistances } from '@/lib/clustering/quality';
import { plantedTable } from './fixtures';

const NOISE = ['noise_gauss', 'noise_unif', 'noise_cat'];

describe('planted mixtures', () => {
  it('recovers 5 planted groups in mixed data with noise columns and missing cells', async () => {
    const { table, truth } = plantedTable(12_000, 5, 5);
    const res = await buildPersonaSet(table, { seed: 7, threads: 2 });
    expect(res.k).toBe(5);
    expect(adjustedRandIndex(truth, res.labels)).toBeGreaterThanOrEqual(0.9);
    for (const key of NOISE) expect(res.traits).not.toContain(key);
    expect(res.quality.silhouette).toBeGreaterThan(0.4);
    expect(res.quality.stability).toBeGreaterThan(0.9);
    expect(res.personas.map((p) => p.size).reduce((a, b) => a + b, 0)).toBe(12_000);
    expect(new Set(res.personas.map((p) => p.name)).size).toBe(5);
    expect(new Set(res.personas.map((p) => p.shortName)).size).toBe(5);
    expect(new Set(res.personas.map((p) => p.avatar.hue)).size).toBe(5);
    for (const p of res.personas) {
      for (const v of Object.values(p.centre)) {
        if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
        else for (const s of Object.values(v)) expect(Number.isFinite(s)).toBe(true);
      }
      expect(p.salient.length).toBeGreaterThan(0);
      expect(p.avatar.badges.length).toBeLessThanOrEqual(3);
    }
    // dog lovers carry the badge
    const dogPersona = res.personas.find((p) => p.salient.some((s) => s.key === 'dog' && s.direction === 'high'));
    expect(dogPersona?.avatar.badges).toContain('dog');
    expect(res.kCandidates.map((c) => c.k)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('finds a different planted number too (k = 3)', async () => {
    const { table, truth } = plantedTable(6_000, 3, 9);
    const res = await buildPersonaSet(table, { seed: 1, threads: 1 });
    expect(res.k).toBe(3);
    expect(adjustedRandIndex(truth, res.labels)).toBeGreaterThanOrEqual(0.9);
  });

  it('selection reports a reason for every trait and rejects noise', () => {
    const { table } = plantedTable(8_000, 4, 2);
    const sel = selectTraits(table);
    expect(sel.report).toHaveLength(table.traits.length);
    for (const r of sel.report) expect(r.reason.length).toBeGreaterThan(5);
    for (const key of NOISE) expect(sel.report.find((r) => r.key === key)!.chosen).toBe(false);
    expect(sel.selected).toContain('region');
  });

  it('keeps one of two redundant traits', () => {
    const { table } = plantedTable(6_000, 4, 2);
    const age = table.columns[0];
    const twin = Float64Array.from(age, (v) => (Number.isFinite(v) ? v * 12 + 3 : NaN));
    const t2: TraitTable = { n: table.n, traits: [...table.traits, { key: 'age_months', label: 'Age in months', type: 'numeric' }], columns: [...(table.columns as Float64Array[]), twin] };
    const sel = selectTraits(t2);
    expect(sel.selected.includes('age') !== sel.selected.includes('age_months')).toBe(true);
    const dropped = sel.report.find((r) => (r.key === 'age' || r.key === 'age_months') && !r.chosen)!;
    expect(dropped.reason).toMatch(/redundant/);
  });

  it('is deterministic for a seed', async () => {
    const { table } = plantedTable(5_000, 4, 3);
    const a = await buildPersonaSet(table, { seed: 11, threads: 1 });
    const b = await buildPersonaSet(table, { seed: 11, threads: 1 });
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(a.model.centroids).toEqual(b.model.centroids);
    expect(a.personas.map((p) => p.name)).toEqual(b.personas.map((p) => p.name));
  });

  it('is scale invariant: a column multiplied by 1000 changes nothing', async () => {
    const { table } = plantedTable(5_000, 4, 4);
    const scaled: TraitTable = { ...table, columns: table.columns.map((c, j) => (table.traits[j].key === 'visits' || table.traits[j].key === 'tenure' ? Float64Array.from(c, (v) => v * 1000) : c)) as Float64Array[] };
    const a = await buildPersonaSet(table, { seed: 3, threads: 1 });
    const b = await buildPersonaSet(scaled, { seed: 3, threads: 1 });
    expect(b.k).toBe(a.k);
    expect(adjustedRandIndex(a.labels, b.labels)).toBe(1);
  });

  it('threaded and single-thread k-means agree exactly', async () => {
    const { table } = plantedTable(60_000, 6, 6);
    const enc = fitEncoder(table, ['age', 'income', 'visits', 'tenure', 'region', 'dog']);
    const { matrix, d } = encodeTable(enc, table);
    const one = await kmeans(matrix, table.n, d, 6, { seed: 5, restarts: 2, threads: 1 });
    const two = await kmeans(matrix, table.n, d, 6, { seed: 5, restarts: 2, threads: 2 });
    expect(two.threads).toBe(2);
    expect(one.threads).toBe(1);
    expect(Array.from(two.labels)).toEqual(Array.from(one.labels));
    expect(two.inertia).toBeCloseTo(one.inertia, 3);
    expect(one.sizes.every((s) => s > 0)).toBe(true);
  });
});

describe('encoder and assignment', () => {
  const { table } = plantedTable(3_000, 4, 8);
  const keys = ['age', 'income', 'region', 'dog', 'visits'];

  it('round-trips through JSON with identical encodings', () => {
    const enc = fitEncoder(table, keys);
    const back = JSON.parse(JSON.stringify(enc));
    const a = encodeTable(enc, table), b = encodeTable(back, table);
    expect(b.d).toBe(a.d);
    expect(Array.from(b.matrix)).toEqual(Array.from(a.matrix));
  });

  it('reweights a fitted encoder exactly as fitting with the weights, and encodes over a matrix in place', () => {
    const weights = { age: 1.7, income: 0.4, region: 2.5, dog: 0.9 };
    const fitted = fitEncoder(table, keys, weights);
    const reweighted = reweightEncoder(fitEncoder(table, keys), weights);
    expect(reweighted).toEqual(fitted);
    // the matrix of the unweighted encoding, encoded again with the weights: every cell replaced (one-hot zeros too)
    const m = encodeTable(fitEncoder(table, keys), table).matrix;
    const before = Array.from(m);
    encodeTable(reweighted, table, m);
    expect(Array.from(m)).toEqual(Array.from(encodeTable(fitted, table).matrix));
    expect(Array.from(m)).not.toEqual(before);
    expect(() => encodeTable(fitted, table, new Float32Array(10))).toThrow(/holds 10 cells/);
  });

  it('hands the encoded rows over a block at a time, the same cells as the whole matrix', () => {
    const enc = fitEncoder(table, keys);
    const whole = encodeTable(enc, table).matrix;
    const seen: number[] = [];
    let next = 0;
    forEachEncodedBlock(enc, table, (block, from, to) => {
      expect(from).toBe(next);
      expect(block.length).toBe((to - from) * enc.d);
      seen.push(...block);
      next = to;
    });
    expect(next).toBe(table.n);
    expect(seen).toEqual(Array.from(whole));
  });

  it('encodeRecord matches encodeTable for the same person (names or codes)', () => {
    const enc = JSON.parse(JSON.stringify(fitEncoder(table, keys)));
    const { matrix, d } = encodeTable(enc, table);
    for (const i of [0, 1, 17, 999]) {
      const rec: Record<string, number | string | boolean | null> = {};
      table.traits.forEach((t, j) => {
        const v = table.columns[j][i];
        rec[t.key] = Number.isNaN(v) ? null : t.type === 'categorical' ? t.categories![v] : t.type === 'boolean' ? v === 1 : v;
      });
      expect(Array.from(encodeRecord(enc, rec))).toEqual(Array.from(matrix.subarray(i * d, i * d + d)));
    }
    const regionCode = table.columns[4][5];
    if (Number.isFinite(regionCode)) {
      const byName = encodeRecord(enc, { region: table.traits[4].categories![regionCode] });
      const byCode = encodeRecord(enc, { region: regionCode });
      expect(Array.from(byCode)).toEqual(Array.from(byName));
    }
  });

  it('assigns rows and single records consistently, fast', async () => {
    const res = await buildPersonaSet(table, { traits: keys, k: 4, seed: 2, threads: 1 });
    const model: PersonaModel = JSON.parse(JSON.stringify(res.model));
    const { matrix } = encodeTable(model.encoder, table);
    const rows = await assignRows(model, matrix, table.n, { threads: 2 });
    expect(Array.from(rows.labels)).toEqual(Array.from(res.labels));
    const rec = { age: 30, income: 40000, region: 'west', dog: true, visits: 12 };
    const t0 = performance.now();
    let r = assignRecord(model, rec);
    for (let q = 0; q < 999; q++) r = assignRecord(model, rec);
    expect((performance.now() - t0) / 1000).toBeLessThan(1); // < 1 ms each
    expect(r.persona).toBeGreaterThanOrEqual(0);
    expect(r.runnerUp).not.toBe(r.persona);
    expect(r.margin).toBeGreaterThanOrEqual(0);
    expect(r.confidence).toBeGreaterThanOrEqual(0);
    expect(r.confidence).toBeLessThanOrEqual(1);
  });

  it('matchPersonas maps a permuted rebuild back and flags new centres', () => {
    const old = [[0, 0], [10, 0], [0, 10]];
    expect(matchPersonas(old, [[0, 10.2], [0.1, 0], [10, 0.3]])).toEqual([2, 0, 1]);
    expect(matchPersonas(old, [[0, 0], [50, 50]])).toEqual([0, -1]);
  });

  it('adjustedRandIndex and sampled silhouette give known values', () => {
    expect(adjustedRandIndex([0, 0, 1, 1], [5, 5, 2, 2])).toBe(1);
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1])).toBeLessThan(0);
    const X = Float32Array.from([0, 0, 0, 1, 10, 0, 10, 1]);
    const s = silhouetteFromDistances(pairwiseDistances(X, 2, [0, 1, 2, 3]), [0, 0, 1, 1], 2);
    // a = 1, b = mean(10, sqrt(101)) for every point
    const b = (10 + Math.sqrt(101)) / 2;
    expect(s).toBeCloseTo((b - 1) / b, 5);
  });
});
