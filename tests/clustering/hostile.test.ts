import { describe, expect, it } from 'vitest';
import { buildPersonaSet, kmeans, type TraitTable, type TraitSpec } from '@/lib/clustering';

function table(cols: Record<string, { type: TraitSpec['type']; values: number[]; categories?: string[] }>): TraitTable {
  const entries = Object.entries(cols);
  return {
    n: entries[0]?.[1].values.length ?? 0,
    traits: entries.map(([key, c]) => ({ key, label: key, type: c.type, ...(c.categories ? { categories: c.categories } : {}) })),
    columns: entries.map(([, c]) => Float64Array.from(c.values)),
  };
}

function allFinite(res: Awaited<ReturnType<typeof buildPersonaSet>>) {
  for (const c of res.model.centroids) for (const v of c) expect(Number.isFinite(v)).toBe(true);
  for (const p of res.personas) for (const v of Object.values(p.centre)) {
    if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
    else for (const s of Object.values(v)) expect(Number.isFinite(s)).toBe(true);
  }
  expect(Number.isFinite(res.quality.silhouette)).toBe(true);
  expect(Number.isFinite(res.quality.stability)).toBe(true);
  expect(Number.isFinite(res.inertia)).toBe(true);
}

const seq = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

describe('hostile inputs', () => {
  it('no rows: a clear error', async () => {
    await expect(buildPersonaSet(table({ a: { type: 'numeric', values: [] } }), {})).rejects.toThrow(/no rows/);
  });

  it('a single row: one persona, finite everything', async () => {
    const res = await buildPersonaSet(table({ a: { type: 'numeric', values: [3] }, b: { type: 'boolean', values: [1] } }), { traits: ['a', 'b'] });
    expect(res.k).toBe(1);
    expect(res.labels[0]).toBe(0);
    allFinite(res);
  });

  it('fewer rows than k: fewer personas, said in the warnings', async () => {
    const res = await buildPersonaSet(table({ a: { type: 'numeric', values: [1, 5, 9] }, b: { type: 'numeric', values: [2, 0, 7] } }), { traits: ['a', 'b'], k: 6 });
    expect(res.k).toBe(3);
    expect(res.warnings.join(' ')).toMatch(/k reduced from 6 to 3/);
    allFinite(res);
  });

  it('duplicate rows: k limited to the distinct rows, no empty persona', async () => {
    const a = seq(500, (i) => (i % 2 ? 10 : 0)), b = seq(500, (i) => (i % 2 ? 1 : 0));
    const res = await buildPersonaSet(table({ a: { type: 'numeric', values: a }, b: { type: 'numeric', values: b } }), { traits: ['a', 'b'] });
    expect(res.k).toBe(2);
    expect(res.personas.every((p) => p.size === 250)).toBe(true);
    allFinite(res);
  });

  it('constant column and a trait missing everywhere are dropped and reported', async () => {
    const t = table({
      x: { type: 'numeric', values: seq(600, (i) => (i % 3) * 10 + Math.sin(i)) },
      y: { type: 'numeric', values: seq(600, (i) => (i % 3) * 5 + Math.cos(i)) },
      konst: { type: 'numeric', values: seq(600, () => 7) },
      gone: { type: 'numeric', values: seq(600, () => NaN) },
    });
    const auto = await buildPersonaSet(t, { seed: 1 });
    expect(auto.traits).not.toContain('konst');
    expect(auto.traits).not.toContain('gone');
    const rep = auto.selection === 'caller-chosen' ? [] : auto.selection.report;
    expect(rep.find((r) => r.key === 'konst')!.reason).toMatch(/constant/);
    expect(rep.find((r) => r.key === 'gone')!.reason).toMatch(/missing everywhere/);
    const chosen = await buildPersonaSet(t, { traits: ['x', 'konst', 'gone'], seed: 1 });
    expect(chosen.traits).toEqual(['x']);
    expect(chosen.warnings.join(' ')).toMatch(/konst dropped: constant/);
    expect(chosen.warnings.join(' ')).toMatch(/gone dropped: missing everywhere/);
    allFinite(chosen);
  });

  it('NaN and Infinity cells are treated as missing', async () => {
    const x = seq(400, (i) => (i % 2) * 10 + (i % 7) / 7);
    x[3] = Infinity; x[4] = -Infinity; x[5] = NaN;
    const res = await buildPersonaSet(table({ x: { type: 'numeric', values: x }, c: { type: 'categorical', values: seq(400, (i) => i % 2), categories: ['p', 'q'] } }), { traits: ['x', 'c'], k: 2 });
    expect(res.warnings.join(' ')).toMatch(/2 infinite value/);
    allFinite(res);
  });

  it('only unusable traits: a clear error', async () => {
    await expect(buildPersonaSet(table({ k1: { type: 'numeric', values: [1, 1, 1] } }), { traits: ['k1'] })).rejects.toThrow(/no usable traits/);
    await expect(buildPersonaSet(table({ k1: { type: 'numeric', values: [1, 2, 3] } }), { traits: ['nope'] })).rejects.toThrow(/unknown trait/);
  });

  it('kmeans itself refuses k > n with a message', async () => {
    await expect(kmeans(new Float32Array(4), 2, 2, 3)).rejects.toThrow(/exceeds the number of rows/);
  });
});
