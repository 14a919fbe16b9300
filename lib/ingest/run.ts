// Streams an uploaded file through the CSV parser into people or orders, batch by batch.
import fs from 'node:fs';
import type { Database } from '@/db/client';
import { cleanHeaders, readCsvBatches } from './file';
import type { ColumnMapping } from './mapping';
import { planFor, toOrderRow, toPersonRow, type CustomColumn } from './rows';
import { KeyFilter, PersonKeys } from './account-keys';
import { newOrdersBatch, newPeopleBatch, OrderKeyer, writeOrdersBatch, writePeopleBatch, type StageBatch } from './write';

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
  /** most people whose keys an orders file reads into memory (default PERSON_KEYS_LIMIT); past it the database looks them up */
  personKeysLimit?: number;
  /** rows whose key is certainly new are plain inserts rather than upserts (default true) */
  plainInserts?: boolean;
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
  const newBatch = () => (input.kind === 'people' ? newPeopleBatch : newOrdersBatch)(input.accountId, input.datasetId);
  // batches are reused once written: at most `parallel` + 1 exist
  const spare: StageBatch[] = [];
  let batch = newBatch();
  const keyer = new OrderKeyer();
  let personKeys: PersonKeys | null = null;
  let newKeys: KeyFilter | null = null;
  // Batches are written on several connections while the next ones are parsed; each holds only its COPY text.
  // People keyed by email only are written alone, since two batches could otherwise both insert the same new email.
  const parallel = Math.max(1, opts.parallel ?? (database.driver === 'pg' ? 3 : 1));
  const inflight = new Set<Promise<void>>();
  let failure: unknown = null;

  const write = async (b: StageBatch) => {
    let unknown = 0;
    if (input.kind === 'people') await writePeopleBatch(database, input.accountId, input.datasetId, b);
    else unknown = await writeOrdersBatch(database, input.accountId, input.datasetId, b);
    ok += b.ok - unknown;
    errorCount += b.errors + unknown;
    await opts.onProgress?.({ rows, ok, errors: errorCount, fraction: Math.min(1, bytes / total) });
  };

  const flush = async () => {
    const b = batch;
    batch = spare.pop() ?? newBatch();
    const exclusive = b.emailOnly > 0;
    const limit = exclusive ? 1 : parallel;
    while (inflight.size >= limit) await Promise.race(inflight);
    if (failure) throw failure;
    const tracked: Promise<void> = write(b).then(
      () => {
        inflight.delete(tracked);
        b.reset();
        spare.push(b);
      },
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

  for await (const recs of readCsvBatches(input.file, (b) => (bytes = b))) {
    for (const rec of recs) {
      if (rec.error) {
        rows++;
        batch.addError(rec.line, rec.error);
        continue;
      }
      if (!plan) {
        plan = planFor(input.kind, cleanHeaders(rec.fields), input.mapping);
        if ((opts.plainInserts ?? true) && (plan.kind === 'orders' || plan.cols.external_id !== undefined)) {
          const key =
            plan.kind === 'people' ? ({ table: 'people', column: 'external_id' } as const) : ({ table: 'orders', column: 'external_order_id' } as const);
          // rows take 16 bytes at the least: room for every key of the file
          newKeys = await KeyFilter.load(database, input.accountId, key, Math.ceil(total / 16));
        }
        if (plan.kind === 'orders') {
          const need = { externalId: plan.cols.person_external_id !== undefined, email: plan.cols.person_email !== undefined };
          personKeys = await PersonKeys.load(database, input.accountId, need, opts.personKeysLimit);
        }
        continue;
      }
      rows++;
      if (plan.kind === 'people') {
        const r = toPersonRow(plan, rec.fields);
        if (r.ok) batch.addPerson(rec.line, r.row, r.row.externalId !== null && newKeys !== null && newKeys.claim(r.row.externalId));
        else batch.addError(rec.line, r.reason);
      } else {
        const r = toOrderRow(plan, rec.fields);
        if (r.ok) {
          const key = keyer.keyOf(r.row);
          const personId = personKeys?.idOf(r.row.personExternalId, r.row.personEmailNorm);
          batch.addOrder(rec.line, key, r.row, personId, newKeys !== null && newKeys.claim(key));
        } else batch.addError(rec.line, r.reason);
      }
      if (batch.size >= batchSize) await flush();
    }
  }
  if (batch.size) await flush();
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
