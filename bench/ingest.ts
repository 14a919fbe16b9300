// Ingest benchmark: 200k people and 1M orders from CSV files into PostgreSQL, through the same services the job uses,
// side by side with PostgreSQL's own COPY FROM of the same files into bare tables (measured in the same run, the
// faster of a run before and one after Facet's), and with the CSV parsers one can install, on the same file.
// Usage: npm run bench:ingest -- [--people 200000] [--orders 1000000] [--no-match]
// DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names the server; a fresh database
// facet_bench_ingest is created there and dropped afterwards.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parse as csvParse } from 'csv-parse';
import { csvParseRows } from 'd3-dsv';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { inferSchema, initParser } from 'udsv';
import { migrateDatabase, openPg, type Database } from '@/db/client';
import { seedGraph, seedTraitCatalog, GRAPH_SEED } from '@/scripts/seed';
import { generateGraph } from '@/lib/identity-graph/generator';
import { toCsvRow } from '@/lib/csv';
import { readCsvBatches } from '@/lib/ingest/file';
import {
  createDatasetFromUpload,
  ingestDatasetRows,
  matchDatasetPeople,
  saveDatasetMapping,
} from '@/lib/services/datasets';
import { tenantOf } from '@/lib/services/tenant';
import { table as benchTable } from './lib';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const PEOPLE = arg('people', 200_000);
const ORDERS = arg('orders', 1_000_000);
const GRAPH = Math.max(PEOPLE * 2, 200_000);
const DB_NAME = 'facet_bench_ingest';
const MATCH = !process.argv.includes('--no-match');

// papaparse ships no types of its own
interface PapaChunk {
  data: string[][];
}
const Papa = createRequire(import.meta.url)('papaparse') as {
  parse(input: NodeJS.ReadableStream, config: { chunk: (r: PapaChunk) => void; complete: () => void; error: (e: Error) => void }): void;
};

let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
const mb = (b: number) => (b / 1024 / 1024).toFixed(0);

async function writeLines(file: string, lines: Iterable<string>) {
  const out = fs.createWriteStream(file);
  let buf = '';
  for (const l of lines) {
    buf += l;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = '';
    }
  }
  out.write(buf);
  await new Promise<void>((r) => out.end(r));
}

function* peopleLines(): Generator<string> {
  yield 'customer_id,email,first_name,last_name,address,city,state,zip,loyalty_tier,lifetime_points\r\n';
  const tiers = ['bronze', 'silver', 'gold', 'platinum'];
  let n = 0;
  for (const batch of generateGraph({ seed: GRAPH_SEED, count: PEOPLE, batchSize: 20_000 })) {
    for (const id of batch.identities) {
      const noEmail = n % 10 === 0; // a tenth match by name and address
      yield toCsvRow([`P${n}`, noEmail ? '' : id.email, id.firstName, id.lastName, id.street, id.city, id.state, id.postcode, tiers[n % 4], (n * 37) % 5000]) + '\r\n';
      n++;
    }
  }
}

function* orderLines(): Generator<string> {
  yield 'order_id,customer_id,order_date,amount,product,category,quantity\r\n';
  const products = ['Tent', 'Mug', 'Skillet', 'Socks, merino', 'Headlamp', 'Dog bed', 'Planter', 'Jacket'];
  const cats = ['Camping', 'Kitchen', 'Kitchen', 'Apparel', 'Camping', 'Pet', 'Garden', 'Apparel'];
  const start = Date.UTC(2023, 0, 1);
  for (let i = 0; i < ORDERS; i++) {
    const p = (i * 7919) % PEOPLE;
    const k = i % products.length;
    const day = new Date(start + ((i * 104729) % (1000 * 86_400_000))).toISOString().slice(0, 10);
    yield `O${i},P${p},${day},${((i % 500) + 9.99).toFixed(2)},${toCsvRow([products[k]])},${cats[k]},${1 + (i % 3)}\r\n`;
  }
}

interface Row {
  phase: string;
  rows: number;
  seconds: number;
  peakMb: number;
}

async function timed<T>(phase: string, rows: (r: T) => number, fn: () => Promise<T>, table: Row[]): Promise<T> {
  global.gc?.();
  peak = process.memoryUsage().rss;
  const t0 = performance.now();
  const r = await fn();
  const seconds = (performance.now() - t0) / 1000;
  table.push({ phase, rows: rows(r), seconds, peakMb: Number(mb(peak)) });
  console.log(`  ${phase}: ${rows(r) ? `${rows(r).toLocaleString('en-US')} rows in ` : ''}${seconds.toFixed(2)} s`);
  return r;
}

/**
 * CPU seconds used so far by this process and by the PostgreSQL backends serving its database (Linux /proc): on a
 * machine shared with other work, a measure of what each path costs that the load does not change much.
 */
function cpuSeconds(): number {
  const own = process.cpuUsage();
  let ticks = 0;
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (!fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(` ${DB_NAME} `)) continue;
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // gone, or not ours to read
    }
  }
  return (own.user + own.system) / 1e6 + ticks / 100;
}

/** Records of a file through each parser (streamed where the parser streams), fastest of `reps` runs. */
const PARSERS: { name: string; how: string; count: (file: string) => Promise<number> }[] = [
  {
    name: 'Facet (lib/csv, the upload path)',
    how: 'streamed, record arrays per 64 KB chunk',
    count: async (file) => {
      let n = 0;
      for await (const recs of readCsvBatches(file)) n += recs.length;
      return n;
    },
  },
  {
    name: 'uDSV 0.7.3',
    how: 'streamed (parser.chunk), string tuples, not accumulated',
    count: async (file) => {
      let n = 0;
      let parser: ReturnType<typeof initParser> | null = null;
      const count = () => void n++;
      for await (const chunk of fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 64 * 1024 })) {
        parser ??= initParser(inferSchema(chunk as string));
        parser.chunk<string[]>(chunk as string, parser.stringArrs, count);
      }
      parser?.end();
      return n + 1; // its header row is not a record to it
    },
  },
  {
    name: 'csv-parse 7.0.3',
    how: 'streamed (Node stream), arrays',
    count: async (file) => {
      let n = 0;
      const parser = csvParse({ relax_column_count: true });
      parser.on('readable', () => {
        while (parser.read() !== null) n++;
      });
      await pipeline(fs.createReadStream(file, { highWaterMark: 64 * 1024 }), parser);
      return n;
    },
  },
  {
    name: 'papaparse 5.7.1',
    how: 'streamed (chunk callback), arrays',
    count: (file) =>
      new Promise<number>((resolve, reject) => {
        let n = 0;
        Papa.parse(fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 64 * 1024 }), {
          chunk: (r) => void (n += r.data.length),
          complete: () => resolve(n),
          error: reject,
        });
      }),
  },
  {
    name: 'd3-dsv 3.0.2',
    how: 'whole file as one string (it does not stream)',
    count: async (file) => csvParseRows(fs.readFileSync(file, 'utf8')).length,
  },
];

/** PostgreSQL's own COPY FROM of a CSV file (streamed from here, as Facet's rows are) into a bare table of text columns. */
async function copyIntoBareTable(db: Database, file: string, columns: number): Promise<{ seconds: number; cpu: number }> {
  const client = await db.pool!.connect();
  try {
    await client.query('drop table if exists bench_bare_copy');
    await client.query(`create table bench_bare_copy (${Array.from({ length: columns }, (_, i) => `c${i} text`).join(', ')})`);
    const t0 = performance.now();
    const c0 = cpuSeconds();
    await pipeline(fs.createReadStream(file, { highWaterMark: 256 * 1024 }), client.query(copyFrom('copy bench_bare_copy from stdin with (format csv, header true)')));
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds() - c0;
    await client.query('drop table bench_bare_copy');
    return { seconds, cpu };
  } finally {
    client.release();
  }
}

async function main() {
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`drop database if exists ${DB_NAME} with (force)`);
  await admin.query(`create database ${DB_NAME}`);
  const url = new URL(base);
  url.pathname = `/${DB_NAME}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facet-bench-ingest-'));
  process.env.FACET_UPLOAD_DIR = path.join(dir, 'uploads');
  let database: Database | undefined;
  const table: Row[] = [];
  try {
    console.log(`generating ${PEOPLE.toLocaleString('en-US')} people and ${ORDERS.toLocaleString('en-US')} orders in ${dir}`);
    const peopleFile = path.join(dir, 'people.csv');
    const ordersFile = path.join(dir, 'orders.csv');
    await writeLines(peopleFile, peopleLines());
    await writeLines(ordersFile, orderLines());
    database = await openPg(url.toString(), { max: 4 });
    await migrateDatabase(database);
    console.log(`identity graph: ${GRAPH.toLocaleString('en-US')} people`);
    await seedTraitCatalog(database);
    await seedGraph(database, GRAPH);
    const acc = await database.query<{ id: string }>(`insert into accounts (name, slug) values ('Bench', 'bench') returning id`);
    const accountId = acc.rows[0].id;
    const db = database;
    const tenant = tenantOf(db, accountId);

    const upload = async (file: string) => {
      const up = await createDatasetFromUpload(tenant, { fileName: path.basename(file), body: fs.createReadStream(file) });
      await saveDatasetMapping(tenant, up.dataset.id, { kind: up.dataset.kind, mapping: up.dataset.mapping! });
      return up.dataset.id;
    };
    const peopleBytes = fs.statSync(peopleFile).size;
    const ordersBytes = fs.statSync(ordersFile).size;

    // the reference: COPY of the same file into a bare table, the faster of a run just before Facet's and one just after
    const copyRef = async <T>(file: string, columns: number, facet: () => Promise<T>) => {
      const before = await copyIntoBareTable(db, file, columns);
      const result = await facet();
      const after = await copyIntoBareTable(db, file, columns);
      console.log(`  COPY FROM of ${path.basename(file)} into a bare table: ${before.seconds.toFixed(2)} s before, ${after.seconds.toFixed(2)} s after`);
      return { result, copySeconds: Math.min(before.seconds, after.seconds), copyCpu: Math.min(before.cpu, after.cpu) };
    };

    // Facet's ingest of a file: the upload (streamed to disk) and the job's ingest step (parse, validate, write, identity by key)
    const ingestOf = (file: string, phase: string) => async () => {
      const t0 = performance.now();
      const c0 = cpuSeconds();
      const id = await timed(`upload ${phase} file (stream to disk)`, () => 0, () => upload(file), table);
      const summary = await timed(`ingest ${phase}`, (r) => r.ok, () => ingestDatasetRows(tenant, id), table);
      return { id, summary, seconds: (performance.now() - t0) / 1000, cpu: cpuSeconds() - c0 };
    };
    const people = await copyRef(peopleFile, 10, ingestOf(peopleFile, 'people'));
    const p = people.result.summary;
    const peopleId = people.result.id;
    const m = MATCH ? await timed('match people to the graph', (r) => r.people, () => matchDatasetPeople(tenant, peopleId), table) : null;
    // the same file again: every row an upsert of a person who did not change, so none of them is written as changed
    const before = (await db.query<{ at: string }>('select max(updated_at)::text as at from people where account_id = $1', [accountId])).rows[0].at;
    await timed('ingest people again (unchanged)', (r) => r.ok, () => ingestDatasetRows(tenant, peopleId), table);
    if (MATCH) await timed('match people again (unchanged)', (r) => r.people, () => matchDatasetPeople(tenant, peopleId), table);
    const rewritten = await db.query<{ n: number }>('select count(*)::int as n from people where account_id = $1 and updated_at > $2::timestamptz', [accountId, before]);
    console.log(`  people written as changed by the second pass: ${rewritten.rows[0].n}`);
    const orders = await copyRef(ordersFile, 7, ingestOf(ordersFile, 'orders'));
    const o = orders.result.summary;
    const o2 = await timed('ingest orders again (upsert)', (r) => r.ok, () => ingestDatasetRows(tenant, orders.result.id), table);
    // after the ingests, so that their peak RSS is their own
    console.log('parsers on the people file:');
    const parsers: { parser: string; how: string; records: number; seconds: number }[] = [];
    for (const p of PARSERS) {
      let best = Infinity;
      let records = 0;
      for (let rep = 0; rep < 2; rep++) {
        global.gc?.();
        const t0 = performance.now();
        records = await p.count(peopleFile);
        best = Math.min(best, (performance.now() - t0) / 1000);
      }
      parsers.push({ parser: p.name, how: p.how, records, seconds: best });
      console.log(`  ${p.name}: ${records.toLocaleString('en-US')} records in ${best.toFixed(3)} s`);
    }

    const counts = await db.query<{ p: number; o: number }>(
      'select (select count(*)::int from people) as p, (select count(*)::int from orders) as o',
    );

    console.log('');
    console.log(`files: people ${mb(peopleBytes)} MB, orders ${mb(ordersBytes)} MB; rows in db: ${counts.rows[0].p.toLocaleString('en-US')} people, ${counts.rows[0].o.toLocaleString('en-US')} orders`);
    console.log(
      `errors: people ${p.errors}, orders ${o.errors} / ${o2.errors}` +
        (m ? `; matched ${m.matched.toLocaleString('en-US')} of ${m.people.toLocaleString('en-US')} (${((m.matched / m.people) * 100).toFixed(1)}%: email ${m.byMethod.email.toLocaleString('en-US')}, name+address ${m.byMethod.name_address.toLocaleString('en-US')})` : ''),
    );
    console.log('');
    console.log(`parsers on the people file (${mb(peopleBytes)} MB, ${(PEOPLE + 1).toLocaleString('en-US')} records with the header), fastest of 2 runs:`);
    console.log(
      benchTable(
        parsers.map((r) => ({
          parser: r.parser,
          how: r.how,
          records: r.records.toLocaleString('en-US'),
          seconds: r.seconds.toFixed(3),
          'records/s': Math.round(r.records / r.seconds).toLocaleString('en-US'),
          'MB/s': (peopleBytes / 1e6 / r.seconds).toFixed(0),
        })),
      ),
    );
    console.log('');
    const head = ['phase', 'rows', 'seconds', 'rows/s', 'peak RSS MB'];
    const lines = table.map((r) => [r.phase, r.rows ? r.rows.toLocaleString('en-US') : '', r.seconds.toFixed(2), r.rows ? Math.round(r.rows / r.seconds).toLocaleString('en-US') : '', String(r.peakMb)]);
    const w = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
    const fmt = (cells: string[]) => '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join(' | ') + ' |';
    console.log(fmt(head));
    console.log('|' + w.map((x, i) => (i === 0 ? '-'.repeat(x + 2) : '-'.repeat(x + 1) + ':')).join('|') + '|');
    for (const l of lines) console.log(fmt(l));
    console.log('');
    const peak = Math.max(...table.filter((r) => !r.phase.startsWith('match')).map((r) => r.peakMb));
    const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
    const vsCopy = (what: string, rows: number, facet: number, copy: number, target: boolean, cpu: { facet: number; copy: number }) => {
      const ratio = copy / facet;
      return [
        { measure: `${what}: CPU s, Facet / COPY (this process + its backends)`, value: `${cpu.facet.toFixed(2)} / ${cpu.copy.toFixed(2)} (${((cpu.copy / cpu.facet) * 100).toFixed(0)}%)`, target: '(info)', result: '' },
        { measure: `${what}: COPY FROM CSV into a bare table`, value: `${Math.round(rows / copy).toLocaleString('en-US')} rows/s (${copy.toFixed(2)} s)`, target: '(reference)', result: '' },
        { measure: `${what}: Facet upload + ingest`, value: `${Math.round(rows / facet).toLocaleString('en-US')} rows/s (${facet.toFixed(2)} s)`, target: target ? '>= 300,000 rows/s' : '(info)', result: target ? verdict(rows / facet >= 300_000) : '' },
        { measure: `${what}: Facet / COPY`, value: `${(ratio * 100).toFixed(0)}%`, target: target ? '>= 60%' : '(info)', result: target ? verdict(ratio >= 0.6) : '' },
      ];
    };
    console.log(
      benchTable([
        ...vsCopy(`people (${PEOPLE.toLocaleString('en-US')})`, p.ok, people.result.seconds, people.copySeconds, true, { facet: people.result.cpu, copy: people.copyCpu }),
        ...vsCopy(`orders (${ORDERS.toLocaleString('en-US')})`, o.ok, orders.result.seconds, orders.copySeconds, false, { facet: orders.result.cpu, copy: orders.copyCpu }),
        { measure: 'peak RSS of the ingests', value: `${peak} MB`, target: '< 500 MB', result: verdict(peak < 500) },
      ]),
    );
    console.log(`\nPostgreSQL ${url.host}; the machine's load average at the end: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (other processes share its ${os.cpus().length} cores).`);
  } finally {
    clearInterval(sampler);
    await database?.close();
    await admin.query(`drop database if exists ${DB_NAME} with (force)`);
    await admin.end();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
