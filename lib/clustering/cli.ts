/* Command-line clustering of any CSV of people: npm run cluster -- --in people.csv --out assignments.csv */
import fs from 'node:fs';
import { once } from 'node:events';
import { parseCsv, toCsvRow, CsvError } from '../csv';
import { tableFromCsvColumns } from './csv-table';
import { buildPersonaSet } from './build';

const USAGE = 'usage: npm run cluster -- --in people.csv --out assignments.csv [--k N] [--traits a,b,c] [--seed S] [--threads T]';

class UsageError extends Error {}

function parseArgs(argv: string[]) {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new UsageError(`unexpected argument "${a}"`);
    const eq = a.indexOf('=');
    if (eq > 0) { out[a.slice(2, eq)] = a.slice(eq + 1); continue; }
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value`);
    out[a.slice(2)] = v;
    i++;
  }
  for (const k of Object.keys(out)) if (!['in', 'out', 'k', 'traits', 'seed', 'threads'].includes(k)) throw new UsageError(`unknown option --${k}`);
  return out;
}

function intArg(v: string | undefined, name: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isInteger(x) || x < min) throw new UsageError(`--${name} must be an integer >= ${min}, got "${v}"`);
  return x;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!args.in) throw new UsageError('--in is required');
  if (!args.out) throw new UsageError('--out is required');
  const k = intArg(args.k, 'k', 1);
  const seed = intArg(args.seed, 'seed', 0) ?? 42;
  const threads = intArg(args.threads, 'threads', 1);
  if (!fs.existsSync(args.in)) throw new UsageError(`input file not found: ${args.in}`);

  let header: string[] | null = null;
  let columns: string[][] = [];
  for await (const rec of parseCsv(fs.createReadStream(args.in))) {
    if (!header) {
      header = rec.fields.map((h) => h.trim());
      if (header.length < 2) throw new UsageError('the CSV needs an id column and at least one trait column');
      if (header.every((h) => h !== '' && Number.isFinite(Number(h)))) throw new UsageError('the first row looks like data: a header row with column names is required');
      const dup = header.find((h, i) => header!.indexOf(h) !== i);
      if (dup !== undefined) throw new UsageError(`duplicate column name "${dup}" in the header`);
      columns = header.map(() => []);
      continue;
    }
    rec.fields.forEach((f, c) => columns[c].push(f));
  }
  if (!header) throw new UsageError('the CSV is empty');
  if (columns[0].length === 0) throw new UsageError('the CSV has a header but no rows');
  const { table, ids, warnings, skipped } = tableFromCsvColumns(header, columns);
  columns = [];
  if (!table.traits.length) throw new UsageError(`no usable trait columns (${skipped.map((s) => `${s.column}: ${s.reason}`).join('; ')})`);
  let traits: string[] | undefined;
  if (args.traits) {
    const byName = new Map<string, string>();
    table.traits.forEach((t) => { byName.set(t.key, t.key); byName.set(t.label, t.key); byName.set(t.label.toLowerCase(), t.key); });
    traits = args.traits.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
      const key = byName.get(s) ?? byName.get(s.toLowerCase());
      if (!key) throw new UsageError(`--traits: unknown column "${s}" (known: ${table.traits.map((t) => t.label).join(', ')})`);
      return key;
    });
  }
  const res = await buildPersonaSet(table, { k, traits, seed, threads });
  const summary = {
    rows: table.n,
    traits: res.traits,
    selection: res.selection === 'caller-chosen' ? 'caller-chosen' : res.selection.report,
    skippedColumns: skipped,
    k: res.k,
    kReason: res.kReason,
    kCandidates: res.kCandidates,
    inertia: res.inertia,
    silhouette: res.quality.silhouette,
    stability: res.quality.stability,
    warnings: [...warnings, ...res.warnings],
    personas: res.personas.map((p) => ({
      index: p.index, size: p.size, share: Number(p.share.toFixed(4)), name: p.name, shortName: p.shortName,
      salient: p.salient.map((s) => ({ key: s.key, direction: s.direction, z: Number(s.z.toFixed(2)), ...(s.category !== undefined ? { category: s.category } : {}), value: s.value, cohortValue: s.cohortValue })),
    })),
  };
  const out = fs.createWriteStream(args.out);
  const write = async (line: string) => { if (!out.write(line)) await once(out, 'drain'); };
  await write(toCsvRow(['id', 'persona', 'persona_name', 'distance', 'runner_up']) + '\n');
  for (let i = 0; i < table.n; i++) {
    const r = res.runnerUp[i];
    await write(toCsvRow([ids[i], res.labels[i], res.personas[res.labels[i]].name, Number(res.distances[i].toFixed(4)), r < 0 ? '' : r]) + '\n');
  }
  out.end();
  await once(out, 'finish');
  process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    const msg = err instanceof UsageError ? `${err.message}\n${USAGE}` : err instanceof CsvError ? `invalid CSV: ${err.message}` : `error: ${err instanceof Error ? err.message : String(err)}`;
    process.stderr.write(msg + '\n');
    process.exit(1);
  },
);
