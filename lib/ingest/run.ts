// Streams an uploaded file through the CSV parser into people or orders, batch by batch.
import fs from 'node:fs';
import type { Database } from '@/db/client';
import { cleanHeaders, readCsvRecords } from './file';
import type { ColumnMapping } from './mapping';
import { planFor, toOrderRow, toPersonRow, type CustomColumn, type OrderRow, type PersonRow } from './rows';
import { OrderKeyer, writeOrders, writePeople, writeRowErrors, type LineError } from './write';

export interface IngestProgress {
  rows: number;
  ok: number;
  errors: number;
  /** 0..1 of the file read */
  fraction: number;
}

export interface IngestSummary {
  rows: number;
  ok: number;
  errors: number;
  custom: CustomColumn[];
  seconds: number;
}

export interface IngestOptions {
  batchSize?: number;
  /** batch writes in flight at once (default 3 on PostgreSQL, 1 on PGlite) */
  parallel?: number;
  onProgress?: (p: IngestProgress) => Promise<void> | void;
}

/**
 * Ingests one file. Idempotent: rows are upserted and errors keyed by line, so running it again
 * (a retried step, the same file uploaded again) updates rather than duplicates.
 */
export async function ingestFile(
  database: Database,
  input: { accountId: string; datasetId: string; kind: 'people' | 'orders'; file: string; mapping: ColumnMapping },
  opts: IngestOptions = {},
): Promise<IngestSummary> {
  const t0 = performance.now();
  // small batches on PGlite: queries of the pages (same single connection) get their turn between them
  const batchSize = opts.batchSize ?? (database.driver === 'pg' ? 10_000 : 2000);
  const total = fs.statSync(input.file).size || 1;
  let bytes = 0;
  let plan: ReturnType<typeof planFor> | null = null;
  let rows = 0;
  let ok = 0;
  let errorCount = 0;
  let people: PersonRow[] = [];
  let orders: { line: number; row: OrderRow; key: string }[] = [];
  let errors: LineError[] = [];
  const keyer = new OrderKeyer();
  // Batches are written on several connections while the next ones are parsed. Rows are sorted by key inside
  // each batch so concurrent upserts take row locks in the same order (no deadlocks); people keyed by email
  // only are written alone, since two batches could otherwise both insert the same new email.
  const parallel = Math.max(1, opts.parallel ?? (database.driver === 'pg' ? 3 : 1));
  const inflight = new Set<Promise<void>>();
  let failure: unknown = null;

  const flush = async () => {
    const p = people;
    const o = orders;
    const e = errors;
    people = [];
    orders = [];
    errors = [];
    const exclusive = p.some((r) => !r.externalId);
    const limit = exclusive ? 1 : parallel;
    while (inflight.size >= limit) await Promise.race(inflight);
    if (failure) throw failure;
    const job = (async () => {
      if (p.length) {
        await writePeople(database, input.accountId, input.datasetId, p);
        ok += p.length;
      }
      if (o.length) {
        const r = await writeOrders(database, input.accountId, input.datasetId, o);
        ok += r.written;
        e.push(...r.errors);
      }
      errorCount += e.length;
      await writeRowErrors(database, input.datasetId, e);
      await opts.onProgress?.({ rows, ok, errors: errorCount, fraction: Math.min(1, bytes / total) });
    })();
    const tracked: Promise<void> = job.then(
      () => void inflight.delete(tracked),
      (err) => {
        failure ??= err;
        inflight.delete(tracked);
      },
    );
    inflight.add(tracked);
    if (exclusive) await tracked;
    // let the server answer requests between batches (with embedded PGlite, jobs share the process)
    await new Promise<void>((resolve) => setImmediate(resolve));
  };

  for await (const rec of readCsvRecords(input.file, (b) => (bytes = b))) {
    if (rec.error) {
      rows++;
      errors.push({ line: rec.line, reason: rec.error });
      continue;
    }
    if (!plan) {
      plan = planFor(input.kind, cleanHeaders(rec.fields), input.mapping);
      continue;
    }
    rows++;
    if (plan.kind === 'people') {
      const r = toPersonRow(plan, rec.fields);
      if (r.ok) people.push(r.row);
      else errors.push({ line: rec.line, reason: r.reason });
    } else {
      const r = toOrderRow(plan, rec.fields);
      if (r.ok) orders.push({ line: rec.line, row: r.row, key: keyer.keyOf(r.row) });
      else errors.push({ line: rec.line, reason: r.reason });
    }
    if (people.length + orders.length + errors.length >= batchSize) await flush();
  }
  await flush();
  await Promise.all(inflight);
  if (failure) throw failure;
  return {
    rows,
    ok,
    errors: errorCount,
    custom: plan?.kind === 'people' ? plan.custom : [],
    seconds: (performance.now() - t0) / 1000,
  };
}
