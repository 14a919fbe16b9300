// Ingest benchmark: 200k people and 1M orders from CSV files into PostgreSQL, through the same services the job uses.
// Usage: npm run bench:ingest -- [--people 200000] [--orders 1000000]
// DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names the server; a fresh database
// facet_bench_ingest is created there and dropped afterwards.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrateDatabase, openPg, type Database } from '@/db/client';
import { seedGraph, seedTraitCatalog, GRAPH_SEED } from '@/scripts/seed';
import { generateGraph } from '@/lib/identity-graph/generator';
import { toCsvRow } from '@/lib/csv';
import {
  createDatasetFromUpload,
  ingestDatasetRows,
  matchDatasetPeople,
  saveDatasetMapping,
} from '@/lib/services/datasets';
import { tenantOf } from '@/lib/services/tenant';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const PEOPLE = arg('people', 200_000);
const ORDERS = arg('orders', 1_000_000);
const GRAPH = Math.max(PEOPLE * 2, 200_000);
const DB_NAME = 'facet_bench_ingest';

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
  console.log(`  ${phase}: ${rows(r).toLocaleString('en-US')} rows in ${seconds.toFixed(1)} s`);
  return r;
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
    const peopleId = await timed('upload people file (stream to disk)', () => PEOPLE, () => upload(peopleFile), table);
    const p = await timed('ingest people', (r) => r.ok, () => ingestDatasetRows(tenant, peopleId), table);
    const m = await timed('match people to the graph', (r) => r.people, () => matchDatasetPeople(tenant, peopleId), table);
    // the same file again: every row an upsert of a person who did not change, so none of them is written as changed
    const before = (await db.query<{ at: string }>('select max(updated_at)::text as at from people where account_id = $1', [accountId])).rows[0].at;
    await timed('ingest people again (unchanged)', (r) => r.ok, () => ingestDatasetRows(tenant, peopleId), table);
    await timed('match people again (unchanged)', (r) => r.people, () => matchDatasetPeople(tenant, peopleId), table);
    const rewritten = await db.query<{ n: number }>('select count(*)::int as n from people where account_id = $1 and updated_at > $2::timestamptz', [accountId, before]);
    console.log(`  people written as changed by the second pass: ${rewritten.rows[0].n}`);
    const ordersId = await timed('upload orders file (stream to disk)', () => ORDERS, () => upload(ordersFile), table);
    const o = await timed('ingest orders', (r) => r.ok, () => ingestDatasetRows(tenant, ordersId), table);
    const o2 = await timed('ingest orders again (upsert)', (r) => r.ok, () => ingestDatasetRows(tenant, ordersId), table);
    const counts = await db.query<{ p: number; o: number }>(
      'select (select count(*)::int from people) as p, (select count(*)::int from orders) as o',
    );

    console.log('');
    console.log(`files: people ${mb(peopleBytes)} MB, orders ${mb(ordersBytes)} MB; rows in db: ${counts.rows[0].p.toLocaleString('en-US')} people, ${counts.rows[0].o.toLocaleString('en-US')} orders`);
    console.log(`errors: people ${p.errors}, orders ${o.errors} / ${o2.errors}; matched ${m.matched.toLocaleString('en-US')} of ${m.people.toLocaleString('en-US')} (${((m.matched / m.people) * 100).toFixed(1)}%: email ${m.byMethod.email.toLocaleString('en-US')}, name+address ${m.byMethod.name_address.toLocaleString('en-US')})`);
    console.log('');
    const head = ['phase', 'rows', 'seconds', 'rows/s', 'peak RSS MB'];
    const lines = table.map((r) => [r.phase, r.rows.toLocaleString('en-US'), r.seconds.toFixed(2), Math.round(r.rows / r.seconds).toLocaleString('en-US'), String(r.peakMb)]);
    const w = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
    const fmt = (cells: string[]) => '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join(' | ') + ' |';
    console.log(fmt(head));
    console.log('|' + w.map((x, i) => (i === 0 ? '-'.repeat(x + 2) : '-'.repeat(x + 1) + ':')).join('|') + '|');
    for (const l of lines) console.log(fmt(l));
    console.log('');
    console.log('targets: ingest >= 50,000 rows/s, peak RSS < 500 MB');
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
