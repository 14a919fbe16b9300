// A discrete trait that splits every persona the same way (a sex-like category doubling the personas) is left out
// of an automatic persona set; one that follows the personas, or does not multiply them, stays.
import { describe, expect, it } from 'vitest';
import { adjustedRandIndex, buildPersonaSet } from '@/lib/clustering';
import { cramersV, fewLevels, mostPersonasSplit, splitsEveryPersona } from '@/lib/clustering/nuisance';
import { Rng } from '@/lib/clustering/rng';
import type { TraitTable } from '@/lib/clustering/types';
import { publicSets } from '@/bench/insight-suite';
import { population } from './fixtures';
import { withLeftOut } from '@/lib/services/persona-sets/build';

/** n rows in k personas (labels i % k) and a two-level column: independent of them or following them. */
function split(n: number, k: number, follows: boolean, seed = 5) {
  const rng = new Rng(seed);
  const labels = Int32Array.from({ length: n }, (_, i) => i % k);
  const sex = Float64Array.from(labels, (l) => (follows ? (rng.next() < (l % 2 ? 0.9 : 0.1) ? 1 : 0) : rng.next() < 0.5 ? 1 : 0));
  const table: TraitTable = { n, traits: [{ key: 'sex', label: 'Sex', type: 'boolean' }], columns: [sex] };
  return { table, labels };
}

describe('a trait that splits every persona the same way', () => {
  it("measures Cramer's V between the trait and the other traits' personas", () => {
    const indep = split(6000, 3, false), dep = split(6000, 3, true);
    expect(cramersV(indep.table.columns[0], [0, 1], indep.labels, 3)).toBeLessThan(0.05);
    expect(cramersV(dep.table.columns[0], [0, 1], dep.labels, 3)).toBeGreaterThan(0.5);
    expect(fewLevels(indep.table, 'sex')).toEqual([0, 1]);
  });

  it('is left out only when independent of the personas and multiplying them', () => {
    const indep = split(6000, 3, false), dep = split(6000, 3, true);
    expect(splitsEveryPersona(indep.table, 'sex', [0, 1], 6, 3, indep.labels)).toMatch(/splits every persona the same way.*3 personas.*become 6/);
    // follows the personas: stays
    expect(splitsEveryPersona(dep.table, 'sex', [0, 1], 6, 3, dep.labels)).toBeNull();
    // does not multiply them: stays
    expect(splitsEveryPersona(indep.table, 'sex', [0, 1], 4, 3, indep.labels)).toBeNull();
  });

  it('bounds the personas a probe weighs by the most that a split could multiply', () => {
    const indep = split(6000, 3, false);
    const rng = new Rng(5);
    // personas of the other traits that the trait is independent of, as many as asked
    const personas = (k: number) => Int32Array.from({ length: indep.table.n }, () => Math.floor(rng.next() * k));
    for (const levels of [2, 3]) {
      for (let kWith = 2; kWith <= 12; kWith++) {
        const most = mostPersonasSplit(kWith, levels);
        const lv = Array.from({ length: levels }, (_, i) => i);
        // the largest number of personas without the trait that the test could still call a split, and no larger
        if (most >= 1 && most < kWith) expect(splitsEveryPersona(indep.table, 'sex', lv, kWith, most, personas(most)), `${kWith}/${levels}`).not.toBeNull();
        expect(splitsEveryPersona(indep.table, 'sex', lv, kWith, most + 1, personas(most + 1)), `${kWith}/${levels}`).toBeNull();
      }
    }
    expect([mostPersonasSplit(7, 2), mostPersonasSplit(6, 2), mostPersonasSplit(9, 3), mostPersonasSplit(3, 2)]).toEqual([4, 4, 4, 2]);
  });

  it('penguins: sex no longer splits the 3 species into 6 personas', async () => {
    const p = publicSets().sets.find((s) => s.name === 'penguins');
    if (!p) return expect(publicSets().missing.join()).toMatch(/penguins/);
    const res = await buildPersonaSet(p.table, { seed: 42, threads: 1 });
    expect(res.k).toBe(3);
    expect(res.traits).not.toContain('sex');
    expect(res.traits).toContain('island');
    expect(adjustedRandIndex(p.truth, res.labels)).toBeGreaterThan(0.8);
    const row = res.selection !== 'caller-chosen' ? res.selection.report.find((r) => r.key === 'sex')! : null;
    expect(row?.chosen).toBe(false);
    expect(row?.reason).toMatch(/splits every persona the same way/);
    expect(res.kReason).toMatch(/sex left out: it splits every persona the same way \(6 personas with it\)/);
  });

  it("the product build's path: traits Facet chose beforehand are passed in, the split is still left out and the report says so", async () => {
    const p = publicSets().sets.find((s) => s.name === 'penguins');
    if (!p) return expect(publicSets().missing.join()).toMatch(/penguins/);
    const traits = ['flipper_length_mm', 'beak_depth_mm', 'body_mass_g', 'island', 'beak_length_mm', 'sex'];
    const analyst = await buildPersonaSet(p.table, { seed: 42, threads: 1, traits });
    expect(analyst.traits).toContain('sex'); // the analyst's traits stay
    expect(analyst.leftOut).toEqual([]);
    const auto = await buildPersonaSet(p.table, { seed: 42, threads: 1, traits, leaveOutSplits: true });
    expect(auto.traits).not.toContain('sex');
    expect(auto.k).toBeLessThan(analyst.k);
    expect(auto.leftOut.map((l) => l.key)).toEqual(['sex']);
    const report = withLeftOut(traits.map((key) => ({ key, chosen: true, reason: 'chosen', score: 1, coverage: 1 })), auto.leftOut);
    expect(report.filter((r) => !r.chosen).map((r) => r.key)).toEqual(['sex']);
    expect(report.find((r) => r.key === 'sex')!.reason).toMatch(/splits every persona the same way/);
    expect(withLeftOut(report, undefined)).toEqual(report);
  });

  it('a generated sex-like split and the height it drives no longer add personas of their own (mix13-k5)', async () => {
    const p = population('mix13-k5');
    const res = await buildPersonaSet(p.table, { seed: 42, threads: 1 });
    for (const key of p.nuisance) expect(res.traits, key).not.toContain(key);
    expect(res.leftOut.map((l) => l.key)).toContain('sex');
    expect(Math.abs(res.k - p.k)).toBeLessThanOrEqual(1);
    expect(adjustedRandIndex(p.truth, res.labels)).toBeGreaterThan(0.4); // 0.25 with the split
  }, 60_000);
});
