import { Rng } from '@/lib/clustering/rng';
import type { TraitSpec, TraitTable } from '@/lib/clustering/types';
import { generatedSpecs, mixture, type Population } from '@/bench/insight-suite';

const specs = generatedSpecs();
/** A generated population of bench:insight by name, drawn as the bench draws it (seed 1000 + its index). */
export function population(name: string): Population {
  const i = specs.findIndex((s) => s.name === name);
  if (i < 0) throw new Error(`no population ${name}`);
  return mixture(specs[i], 1000 + i);
}

/**
 * Planted mixture: `k` groups that differ on 4 numeric traits, one categorical and one boolean;
 * plus pure-noise columns (gaussian, uniform, categorical) and missing cells.
 */
export function plantedTable(n: number, k: number, seed = 1, missing = 0.03) {
  const rng = new Rng(seed);
  // well separated: any two groups differ by at least 10 within-group sd on some numeric trait
  const centres = Array.from({ length: k }, (_, j) => [0, 1, 2].map((t) => 10 * ((j >> t) & 1)).concat([10 * Math.floor(j / 8)]));
  const catOf = Array.from({ length: k }, (_, j) => j % 4);
  const dogP = Array.from({ length: k }, (_, j) => (j % 2 ? 0.95 : 0.05));
  const truth = new Int32Array(n);
  const traits: TraitSpec[] = [
    { key: 'age', label: 'Age', type: 'numeric', role: 'age', words: { high: { adj: 'Mature' }, low: { adj: 'Young' } } },
    { key: 'income', label: 'Income', type: 'numeric', skewed: true, role: 'income', words: { high: { adj: 'Affluent' }, low: { adj: 'Budget' } } },
    { key: 'visits', label: 'Visits', type: 'numeric' },
    { key: 'tenure', label: 'Tenure', type: 'numeric' },
    { key: 'region', label: 'Region', type: 'categorical', categories: ['north', 'south', 'east', 'west'], words: { values: { north: { adj: 'Northern' }, south: { adj: 'Southern' }, east: { adj: 'Eastern' }, west: { adj: 'Western' } } } },
    { key: 'dog', label: 'Dog owner', type: 'boolean', badge: 'dog', words: { true: { noun: 'Dog Lovers' } } },
    { key: 'noise_gauss', label: 'Noise gauss', type: 'numeric' },
    { key: 'noise_unif', label: 'Noise uniform', type: 'numeric' },
    { key: 'noise_cat', label: 'Noise cat', type: 'categorical', categories: ['a', 'b', 'c'] },
  ];
  const columns = traits.map(() => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const j = i % k;
    truth[i] = j;
    const c = centres[j];
    columns[0][i] = 45 + 4 * (c[0] + rng.normal());
    columns[1][i] = Math.exp(10.5 + 0.25 * (c[1] + rng.normal()));
    columns[2][i] = 20 + 3 * (c[2] + rng.normal());
    columns[3][i] = 8 + c[3] + rng.normal();
    columns[4][i] = rng.next() < 0.95 ? catOf[j] : rng.int(4);
    columns[5][i] = rng.next() < dogP[j] ? 1 : 0;
    columns[6][i] = rng.normal() * 10;
    columns[7][i] = rng.next() * 100;
    columns[8][i] = rng.int(3);
    for (let t = 0; t < traits.length; t++) if (rng.next() < missing) columns[t][i] = NaN;
  }
  const table: TraitTable = { n, traits, columns };
  return { table, truth };
}
