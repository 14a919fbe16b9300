// Quality of the personas on labelled populations of bench:insight: fails when the choice of k, of traits or the
// handling of mixed types regresses.
import { describe, expect, it } from 'vitest';
import { adjustedRandIndex, assignRecord, buildPersonaSet, selectTraits, type RecordValue } from '@/lib/clustering';
import { population } from './fixtures';
import { identityGraph } from '@/bench/insight-suite';
import { baselineAri } from '@/bench/insight-baseline';


describe('insight: choice of k, traits and mixed types', () => {
  it('a planted 5-group mixed population (skewed money, noise, missing cells) yields k = 5 and beats z-scored k-means', async () => {
    const p = population('issue-5-mixed');
    const res = await buildPersonaSet(p.table, { seed: 3, threads: 1 });
    expect(res.k).toBe(5);
    const ari = adjustedRandIndex(p.truth, res.labels);
    const base = await baselineAri(p.table, p.table.traits.map((t) => t.key), 5, p.truth, 3);
    expect(ari).toBeGreaterThanOrEqual(0.75);
    expect(ari).toBeGreaterThan(base + 0.2);
    for (const noise of p.noise) expect(res.traits).not.toContain(noise);
    // the analyst's reason line says how k was chosen
    expect(res.kReason).toMatch(/mixture model.*lowest BIC.*2\.\.10.*3%/);
    expect(res.kCandidates.map((c) => c.k)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(res.kCandidates.every((c) => Number.isFinite(c.bic))).toBe(true);
  });

  it('finds 2, 8 and 10 groups too', async () => {
    for (const [name, k, bound] of [['mix01-k2', 2, 0.9], ['mix07-k8', 8, 0.65], ['mix18-k10', 10, 0.85]] as const) {
      const p = population(name);
      const res = await buildPersonaSet(p.table, { seed: 3, threads: 1 });
      expect(res.k, name).toBe(k);
      expect(adjustedRandIndex(p.truth, res.labels), name).toBeGreaterThanOrEqual(bound);
    }
  }, 120_000);

  it('a two-level sex-like category (and the trait it drives) is not chosen and does not split a persona', async () => {
    const p = population('issue-sex-split');
    const sel = selectTraits(p.table);
    for (const key of ['sex', 'height']) {
      const row = sel.report.find((r) => r.key === key)!;
      expect(row.chosen, key).toBe(false);
      expect(row.reason).toMatch(/adds little to the personas/);
    }
    const res = await buildPersonaSet(p.table, { seed: 3, threads: 1, k: 4 });
    expect(adjustedRandIndex(p.truth, res.labels)).toBeGreaterThanOrEqual(0.7);
    const sex = p.table.columns[p.table.traits.findIndex((t) => t.key === 'sex')];
    for (let j = 0; j < res.k; j++) {
      let male = 0, known = 0;
      for (let i = 0; i < p.table.n; i++) if (res.labels[i] === j && Number.isFinite(sex[i])) { known++; male += sex[i]; }
      expect(male / known).toBeGreaterThan(0.3);
      expect(male / known).toBeLessThan(0.7);
    }
  });

  it('of a correlated pair, keeps the member that separates the groups, whatever its missing cells', () => {
    const p = population('issue-corr-pair');
    const sel = selectTraits(p.table);
    expect(sel.selected).toContain('pair_strong');
    expect(sel.selected).not.toContain('pair_echo');
    expect(sel.report.find((r) => r.key === 'pair_echo')!.reason).toMatch(/adds little.*pair_strong/);
    for (const noise of p.noise) expect(sel.selected).not.toContain(noise);
  });

  it('lifestyle data whose groups many weak traits share (the identity graph): keeps them and holds up against z-scored k-means', async () => {
    const p = identityGraph(12_000);
    const res = await buildPersonaSet(p.table, { seed: 42, threads: 1 });
    // the interests each explain a few percent of the personas; a cap of ten traits or a floor relative to the
    // strongest trait kept the household block only (ARI 0.29 against 0.48)
    expect(res.traits.length).toBeGreaterThan(16);
    for (const key of ['travel', 'gaming', 'tech_early_adopter', 'urbanicity']) expect(res.traits, key).toContain(key);
    const ari = adjustedRandIndex(p.truth, res.labels);
    const base = await baselineAri(p.table, p.table.traits.map((t) => t.key), p.k, p.truth, 42);
    expect(ari).toBeGreaterThanOrEqual(0.9 * base);
    expect(Math.abs(res.k - p.k)).toBeLessThanOrEqual(2);
  }, 120_000);

  it('one contact assigned in real time agrees with the build for at least 99% of members', async () => {
    const p = population('issue-5-mixed');
    const res = await buildPersonaSet(p.table, { seed: 5, threads: 1 });
    const model = JSON.parse(JSON.stringify(res.model));
    let agree = 0;
    const m = 1500;
    for (let i = 0; i < m; i++) {
      const rec: Record<string, RecordValue> = {};
      p.table.traits.forEach((t, j) => {
        const v = p.table.columns[j][i];
        rec[t.key] = !Number.isFinite(v) ? null : t.type === 'categorical' ? t.categories![v] : t.type === 'boolean' ? v === 1 : t.type === 'ordinal' ? t.categories![v] : v;
      });
      if (assignRecord(model, rec).persona === res.labels[i]) agree++;
    }
    expect(agree / m).toBeGreaterThanOrEqual(0.99);
  });
});
