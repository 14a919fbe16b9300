import { quantileSorted } from 'simple-statistics';
import type { AvatarSpec, Encoder, Persona, SalientTrait, TraitSpec, TraitTable, Word } from './types';
import { getColumn, signedLog1p } from './encoder';
import { Rng, hashString, sampleIndices } from './rng';

export interface DescribeOptions {
  /** |z| above which a trait is salient (default 0.5) */
  salientThreshold?: number;
  seed?: number;
}

const MEDIAN_SAMPLE = 200_000;

const FEMALE = 'Abigail Bella Clara Daisy Emma Fiona Grace Hannah Iris Julia Kate Lucy Maya Nora Olivia Penny Quinn Rosa Susan Tara Uma Vera Wendy Xena Yara Zoe'.split(' ');
const MALE = 'Adam Ben Carl Dave Eric Frank Greg Hank Ian Jack Kevin Leo Max Nick Oscar Paul Quentin Rick Sam Tom Umar Victor Will Xavier Yusuf Zack'.split(' ');
const NEUTRAL = 'Alex Blake Casey Dana Eden Finley Gray Harper Indy Jordan Kai Logan Morgan Noel Oakley Parker Quinn Riley Sage Taylor Uri Val Winter Xen Yael Zion'.split(' ');
const ROLE_NOUNS = 'Achiever Builder Climber Dreamer Explorer Fan Go-getter Homebody Insider Juggler Keeper Loyalist Maker Nester Optimist Planner Quester Rambler Saver Trendsetter Upgrader Voyager Wanderer Xplorer Yearner Zealot'.split(' ');

function titleCase(s: string): string {
  return s.replace(/[_-]+/g, ' ').replace(/\s+/g, ' ').trim().replace(/\b\w/g, (c) => c.toUpperCase());
}

function transformed(spec: TraitSpec, v: number) {
  return spec.type === 'numeric' && spec.skewed ? signedLog1p(v) : v;
}

/** The naming word for a salient trait: the catalog's words, else one made from the label. */
function wordFor(spec: TraitSpec, s: SalientTrait): Word | null {
  const w = spec.words;
  const label = titleCase(spec.label || spec.key);
  if (spec.type === 'categorical') {
    if (s.direction !== 'high' || s.category === undefined) return null;
    return w?.values?.[s.category] ?? { adj: titleCase(s.category) };
  }
  if (spec.type === 'boolean') return (s.direction === 'high' ? w?.true : w?.false) ?? { adj: s.direction === 'high' ? label : `Non-${label}` };
  return (s.direction === 'high' ? w?.high : w?.low) ?? { adj: `${s.direction === 'high' ? 'High' : 'Low'} ${label}` };
}

interface Stats {
  mean: Float64Array; // per persona, transformed space for numeric
  rawMean: Float64Array;
  count: Float64Array;
  all: { mean: number; rawMean: number; sd: number; count: number };
  shares?: { perPersona: Float64Array[]; all: Float64Array; names: string[] };
}

function traitStats(spec: TraitSpec, col: ArrayLike<number>, labels: Int32Array, k: number): Stats {
  const n = labels.length;
  if (spec.type === 'categorical') {
    const codes = new Map<number, number>();
    for (let i = 0; i < n; i++) { const v = col[i]; if (Number.isFinite(v) && !codes.has(v)) codes.set(v, codes.size); }
    const m = codes.size;
    const per = Array.from({ length: k }, () => new Float64Array(m));
    const all = new Float64Array(m);
    const count = new Float64Array(k);
    let tot = 0;
    for (let i = 0; i < n; i++) {
      const v = col[i];
      if (!Number.isFinite(v)) continue;
      const q = codes.get(v)!;
      per[labels[i]][q]++; all[q]++; count[labels[i]]++; tot++;
    }
    for (let j = 0; j < k; j++) if (count[j] > 0) for (let q = 0; q < m; q++) per[j][q] /= count[j];
    if (tot > 0) for (let q = 0; q < m; q++) all[q] /= tot;
    const names = [...codes.keys()].map((c) => (spec.categories?.[c] !== undefined ? spec.categories[c] : String(c)));
    return { mean: new Float64Array(k), rawMean: new Float64Array(k), count, all: { mean: 0, rawMean: 0, sd: 0, count: tot }, shares: { perPersona: per, all, names } };
  }
  const sum = new Float64Array(k), raw = new Float64Array(k), count = new Float64Array(k);
  let s = 0, s2 = 0, r = 0, c = 0;
  for (let i = 0; i < n; i++) {
    const v = col[i];
    if (!Number.isFinite(v)) continue;
    const t = transformed(spec, v);
    const j = labels[i];
    sum[j] += t; raw[j] += v; count[j]++;
    s += t; s2 += t * t; r += v; c++;
  }
  for (let j = 0; j < k; j++) if (count[j] > 0) { sum[j] /= count[j]; raw[j] /= count[j]; }
  const mean = c ? s / c : 0;
  return { mean: sum, rawMean: raw, count, all: { mean, rawMean: c ? r / c : 0, sd: c ? Math.sqrt(Math.max(0, s2 / c - mean * mean)) : 0, count: c } };
}

function ageBand(spec: TraitSpec | undefined, value: number | undefined): AvatarSpec['ageBand'] {
  if (!spec || value === undefined || !Number.isFinite(value)) return 'adult';
  let age = value;
  if (spec.type === 'ordinal' && spec.categories?.length) {
    const label = spec.categories[Math.round(Math.min(spec.categories.length - 1, Math.max(0, value)))];
    const num = Number(label.match(/\d+/)?.[0]);
    age = Number.isFinite(num) ? num + 5 : 20 + (value / Math.max(1, spec.categories.length - 1)) * 55;
  }
  return age < 30 ? 'young' : age < 45 ? 'adult' : age < 62 ? 'middle' : 'senior';
}

/**
 * Centres in original units, salient traits, a unique readable name, an alliterative short name
 * and an avatar spec for each persona.
 */
export function describePersonas(
  table: TraitTable, encoder: Encoder, labels: Int32Array, k: number, opts: DescribeOptions = {},
): Persona[] {
  const threshold = opts.salientThreshold ?? 0.5;
  const n = labels.length;
  const sizes = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) sizes[labels[i]]++;
  const medianRows = sampleIndices(n, Math.min(n, MEDIAN_SAMPLE), new Rng(opts.seed ?? 3));
  const personas: Persona[] = sizes.map((size, index) => ({
    index, size, share: n ? size / n : 0, centre: {}, salient: [], name: '', shortName: '',
    avatar: { ageBand: 'adult', gender: 'mixed', household: 'single', badges: [], hue: 0, seed: 0 }, cohesion: 0,
  }));
  const medians: Record<string, number>[] = personas.map(() => ({}));
  const roleValue: Record<string, { spec: TraitSpec; values: (number | Record<string, number>)[] }> = {};
  for (const spec of encoder.specs) {
    const found = getColumn(table, spec.key);
    if (!found) continue;
    const st = traitStats(found.spec, found.col, labels, k);
    if (st.shares) {
      const { perPersona, all, names } = st.shares;
      personas.forEach((p, j) => {
        const rec: Record<string, number> = {};
        names.forEach((nm, q) => (rec[nm] = perPersona[j][q]));
        p.centre[spec.key] = rec;
        names.forEach((nm, q) => {
          const pa = all[q];
          const sd = Math.sqrt(pa * (1 - pa));
          if (!(sd > 0) || st.count[j] === 0) return;
          const z = (perPersona[j][q] - pa) / sd;
          if (Math.abs(z) >= threshold) p.salient.push({ key: spec.key, label: spec.label, z, direction: z > 0 ? 'high' : 'low', category: nm, value: perPersona[j][q], cohortValue: pa });
        });
      });
      if (spec.role) roleValue[spec.role] = { spec: found.spec, values: personas.map((p) => p.centre[spec.key]) };
      continue;
    }
    const bool = spec.type === 'boolean';
    const sd = bool ? Math.sqrt(st.all.rawMean * (1 - st.all.rawMean)) : st.all.sd;
    personas.forEach((p, j) => {
      p.centre[spec.key] = st.count[j] > 0 ? st.rawMean[j] : NaN;
      if (!(sd > 0) || st.count[j] === 0) return;
      const z = ((bool ? st.rawMean[j] : st.mean[j]) - (bool ? st.all.rawMean : st.all.mean)) / sd;
      if (Math.abs(z) >= threshold) p.salient.push({ key: spec.key, label: spec.label, z, direction: z > 0 ? 'high' : 'low', value: st.rawMean[j], cohortValue: st.all.rawMean });
    });
    if (!bool) {
      const per: number[][] = personas.map(() => []);
      for (const i of medianRows) { const v = found.col[i]; if (Number.isFinite(v)) per[labels[i]].push(v); }
      per.forEach((vals, j) => { if (vals.length) medians[j][spec.key] = quantileSorted(vals.sort((a, b) => a - b), 0.5); });
    }
    if (spec.role) roleValue[spec.role] = { spec: found.spec, values: personas.map((p) => p.centre[spec.key]) };
  }
  // a persona with no members (only after hostile input) still gets finite centres
  for (const p of personas) for (const key of Object.keys(p.centre)) if (typeof p.centre[key] === 'number' && !Number.isFinite(p.centre[key] as number)) p.centre[key] = 0;
  const specByKey = new Map(encoder.specs.map((s) => [s.key, s] as const));
  for (const p of personas) {
    p.salient.sort((a, b) => Math.abs(b.z) - Math.abs(a.z));
    p.salient = p.salient.slice(0, 8);
    (p as Persona & { medians?: Record<string, number> }).medians = medians[p.index];
  }
  nameAll(personas, specByKey);
  const base = hashString(String(opts.seed ?? 0)) % 360;
  personas.forEach((p, j) => {
    p.avatar = {
      ageBand: ageBand(roleValue.age?.spec, roleValue.age?.values[j] as number | undefined),
      gender: genderOf(roleValue.gender, j),
      household: householdOf(roleValue, j),
      badges: p.salient
        .filter((s) => s.direction === 'high' && specByKey.get(s.key)?.type === 'boolean' && specByKey.get(s.key)?.badge)
        .slice(0, 3)
        .map((s) => specByKey.get(s.key)!.badge!),
      hue: Math.round(base + (j * 360) / Math.max(1, k)) % 360,
      seed: hashString(p.name),
    };
  });
  shortNames(personas);
  return personas;
}

function genderOf(rv: { spec: TraitSpec; values: (number | Record<string, number>)[] } | undefined, j: number): AvatarSpec['gender'] {
  if (!rv) return 'mixed';
  const v = rv.values[j];
  let female = NaN;
  if (typeof v === 'number') female = /female|woman|women/i.test(`${rv.spec.key} ${rv.spec.label}`) ? v : /male|man|men/i.test(`${rv.spec.key} ${rv.spec.label}`) ? 1 - v : NaN;
  else if (v) {
    let f = 0, m = 0;
    for (const [c, s] of Object.entries(v)) {
      if (/^(f|female|woman|women)$/i.test(c.trim())) f += s;
      else if (/^(m|male|man|men)$/i.test(c.trim())) m += s;
    }
    female = f + m > 0 ? f / (f + m) : NaN;
  }
  return female >= 0.6 ? 'female' : female <= 0.4 ? 'male' : 'mixed';
}

function householdOf(rv: Record<string, { spec: TraitSpec; values: (number | Record<string, number>)[] }>, j: number): AvatarSpec['household'] {
  const num = (r: string) => (typeof rv[r]?.values[j] === 'number' ? (rv[r].values[j] as number) : NaN);
  const kids = num('children');
  if (kids >= (rv.children?.spec.type === 'boolean' ? 0.5 : 0.8)) return 'family';
  if (num('married') >= 0.5 || num('householdSize') >= 2) return 'couple';
  return 'single';
}

function nameAll(personas: Persona[], specs: Map<string, TraitSpec>) {
  const used = new Set<string>();
  for (const p of personas) {
    const words = p.salient.map((s) => wordFor(specs.get(s.key)!, s)).filter((w): w is Word => !!w && !!(w.adj || w.noun));
    const adjs = [...new Set(words.filter((w) => w.adj).map((w) => w.adj!))];
    const noun = words.find((w) => w.noun)?.noun ?? 'People';
    const candidates: string[] = [];
    const nounWordAdj = words.find((w) => w.noun)?.adj;
    const pool = adjs.filter((a) => a !== nounWordAdj || noun === 'People');
    for (let a = 0; a < pool.length; a++) for (let b = a + 1; b < pool.length; b++) candidates.push(`${pool[a]} ${pool[b]} ${noun}`);
    for (const a of pool) candidates.push(`${a} ${noun}`);
    if (!candidates.length) candidates.push(noun === 'People' ? 'Mainstream People' : noun);
    let name = candidates.find((c) => !used.has(c.toLowerCase()));
    if (!name) {
      const roman = ['II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII'];
      for (let r = 0; !name; r++) {
        const c = `${candidates[0]} ${roman[r] ?? String(r + 2)}`;
        if (!used.has(c.toLowerCase())) name = c;
      }
    }
    used.add(name.toLowerCase());
    p.name = name;
  }
}

function shortNames(personas: Persona[]) {
  const used = new Set<string>();
  for (const p of personas) {
    const first = p.name.split(' ')[0] || 'Mainstream';
    const letter = first[0]?.toUpperCase() ?? 'M';
    const li = Math.max(0, letter.charCodeAt(0) - 65) % 26;
    const names = p.avatar.gender === 'female' ? FEMALE : p.avatar.gender === 'male' ? MALE : NEUTRAL;
    const role = /^[A-Z]$/.test(letter) ? ROLE_NOUNS[li] : 'Member';
    let short = '';
    for (let r = 0; r < 26 && (!short || used.has(short)); r++) {
      const person = /^[A-Z]$/.test(letter) ? (r === 0 ? names[li] : [FEMALE, MALE, NEUTRAL][r % 3][li] + (r >= 3 ? ` ${r}` : '')) : `${names[r % 26]}`;
      short = `${first} ${role} ${person}`;
    }
    used.add(short);
    p.shortName = short;
  }
}
