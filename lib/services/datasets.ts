// Datasets: uploaded CSV files of people or orders, their mapping, processing state, row errors and match rate.
import 'server-only';
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { and, desc, eq } from 'drizzle-orm';
import { refreshStatistics } from '@/db/bulk';
import { datasets, type Dataset } from '@/db/schema';
import { toCsvRow } from '@/lib/csv';
import { env } from '@/lib/env';
import type { Database } from '@/db/client';
import { readCsvHead, uploadPath, uploadsDir, writeUpload, FileTooLargeError, StorageQuotaError, UPLOAD_LIMIT_BYTES } from '@/lib/ingest/file';
import { detectKind, proposeMapping, validateMapping, type ColumnMapping, type DatasetKind } from '@/lib/ingest/mapping';
import { ingestFile, type IngestSummary } from '@/lib/ingest/run';
import { matchPeople, type MatchSummary } from './matching';
import { refreshCustomTraitStats, upsertCustomTraits } from './traits';
import { enqueue } from './enqueue';
import { assertNotReadOnlyDemo } from './account-guards';
import { ServiceError, notFound } from './errors';
import { explainFailure, type KnownFailure } from './failures';
import { isUuid } from './ids';
import type { Tenant } from './tenant';

export { UPLOAD_LIMIT_BYTES, FileTooLargeError, StorageQuotaError };

export interface AccountStorage {
  usedBytes: number;
  quotaBytes: number;
  /** the largest file the account may upload now: the per-file limit, or what is left of its storage */
  uploadLimitBytes: number;
}

/** What the account's uploaded files take (every dataset keeps its file) against its storage quota. */
export async function getAccountStorage(
  { db, accountId }: Tenant,
  { quotaBytes = env.FACET_ACCOUNT_STORAGE_MB * 1024 * 1024, fileLimitBytes = UPLOAD_LIMIT_BYTES }: { quotaBytes?: number; fileLimitBytes?: number } = {},
): Promise<AccountStorage> {
  const r = await db.query<{ used: string | number }>('select coalesce(sum(byte_size), 0)::bigint as used from datasets where account_id = $1', [accountId]);
  const usedBytes = Number(r.rows[0]?.used ?? 0);
  return { usedBytes, quotaBytes, uploadLimitBytes: Math.max(0, Math.min(fileLimitBytes, quotaBytes - usedBytes)) };
}

/**
 * Refuses an upload that cannot fit, before any of it is read: past the per-file limit, or past what is left of
 * the account's storage (`declaredBytes` is the request's Content-Length, when it has one). Returns the storage.
 */
export async function checkUploadFits(
  tenant: Tenant,
  declaredBytes: number | undefined,
  limits: { quotaBytes?: number; fileLimitBytes?: number } = {},
): Promise<AccountStorage> {
  const storage = await getAccountStorage(tenant, limits);
  const fileLimit = limits.fileLimitBytes ?? UPLOAD_LIMIT_BYTES;
  if (declaredBytes !== undefined && declaredBytes > fileLimit) throw new FileTooLargeError(fileLimit);
  if (storage.uploadLimitBytes === 0 || (declaredBytes !== undefined && declaredBytes > storage.uploadLimitBytes))
    throw new StorageQuotaError(storage.usedBytes, storage.quotaBytes);
  return storage;
}

export async function getDatasetOrThrow({ db, accountId }: Tenant, datasetId: string): Promise<Dataset> {
  if (!isUuid(datasetId)) throw notFound('Dataset');
  const rows = await db.db
    .select()
    .from(datasets)
    .where(and(eq(datasets.accountId, accountId), eq(datasets.id, datasetId)))
    .limit(1);
  if (!rows.length) throw notFound('Dataset');
  return rows[0];
}

export async function listDatasets({ db, accountId }: Tenant): Promise<Dataset[]> {
  return db.db.select().from(datasets).where(eq(datasets.accountId, accountId)).orderBy(desc(datasets.createdAt));
}

export interface UploadedDataset {
  dataset: Dataset;
  headers: string[];
  sample: string[][];
}

/**
 * Stores an uploaded file (streamed to disk, never held in memory), reads its header and proposes a mapping.
 * The dataset waits in status 'uploaded' until the analyst confirms the mapping.
 */
export async function createDatasetFromUpload(
  tenant: Tenant,
  input: {
    fileName: string;
    name?: string;
    kind?: DatasetKind;
    body: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;
    /** the request's Content-Length: a file that cannot fit is refused before it is read */
    declaredBytes?: number;
    limitBytes?: number;
    quotaBytes?: number;
  },
): Promise<UploadedDataset> {
  const { db: database, accountId, userId } = tenant;
  await assertNotReadOnlyDemo({ db: database, accountId, userId }, 'uploads');
  const storage = await checkUploadFits(tenant, input.declaredBytes, { quotaBytes: input.quotaBytes, fileLimitBytes: input.limitBytes });
  const id = randomUUID();
  const file = uploadPath(accountId, id);
  let size: number;
  try {
    size = await writeUpload(input.body, file, storage.uploadLimitBytes);
  } catch (err) {
    // stopped at what is left of the storage rather than at the per-file limit
    if (err instanceof FileTooLargeError && storage.uploadLimitBytes < (input.limitBytes ?? UPLOAD_LIMIT_BYTES))
      throw new StorageQuotaError(storage.usedBytes, storage.quotaBytes);
    throw err;
  }
  const { headers, sample, headerError } = await readCsvHead(file, 200);
  if (headerError) {
    fs.rmSync(file, { force: true });
    throw new ServiceError('invalid', headerError);
  }
  if (!headers.length || size === 0) {
    fs.rmSync(file, { force: true });
    throw new ServiceError('invalid', 'The file is empty: a CSV with a header row is expected.');
  }
  if (headers.length < 2 && !sample.length) {
    fs.rmSync(file, { force: true });
    throw new ServiceError('invalid', 'The file has a single column and no rows: is it a CSV file?');
  }
  const kind = input.kind ?? detectKind(headers);
  const name = (input.name?.trim() || input.fileName.replace(/\.csv$/i, '')).slice(0, 120) || 'Untitled';
  const [dataset] = await database.db
    .insert(datasets)
    .values({
      id,
      accountId,
      name,
      kind,
      status: 'uploaded',
      fileName: input.fileName.slice(0, 255),
      filePath: file,
      byteSize: size,
      mapping: proposeMapping(kind, headers, sample),
      createdBy: userId,
    })
    .returning();
  return { dataset, headers, sample };
}

/** The header and first rows of a dataset's file, for the mapping step. */
export async function readDatasetPreview(tenant: Tenant, datasetId: string, rows = 5): Promise<{ headers: string[]; sample: string[][] }> {
  const d = await getDatasetOrThrow(tenant, datasetId);
  if (!d.filePath || !fs.existsSync(d.filePath)) return { headers: [], sample: [] };
  return readCsvHead(d.filePath, rows);
}

/** The mapping proposed for a given kind (when the analyst switches people <-> orders). */
export async function proposeDatasetMapping(tenant: Tenant, datasetId: string, kind: DatasetKind) {
  const d = await getDatasetOrThrow(tenant, datasetId);
  if (!d.filePath) return {};
  const { headers, sample } = await readCsvHead(d.filePath, 200);
  return proposeMapping(kind, headers, sample);
}

export interface MappingInput {
  kind: DatasetKind;
  mapping: ColumnMapping;
  name?: string;
}

/**
 * Saves the analyst's mapping and queues the dataset's processing (`dataset/mapping-confirmed`). A send that fails
 * is surfaced, not swallowed: the dataset says why it did not start and can be confirmed again.
 */
export async function confirmDatasetMapping(tenant: Tenant, datasetId: string, input: MappingInput): Promise<Dataset> {
  const dataset = await saveDatasetMapping(tenant, datasetId, input);
  try {
    await enqueue({ name: 'dataset/mapping-confirmed', data: { accountId: tenant.accountId, datasetId: dataset.id } });
  } catch (err) {
    console.error('[facet] could not queue dataset processing:', err);
    await markDatasetErrored(tenant, dataset.id, 'Processing could not be started. Confirm the mapping again.');
    throw new ServiceError('unavailable', 'Processing could not be started. Please try again.');
  }
  return dataset;
}

/** Saves the mapping and marks the dataset processing without queueing it (for callers that run the steps themselves). */
export async function saveDatasetMapping(tenant: Tenant, datasetId: string, input: MappingInput): Promise<Dataset> {
  await assertNotReadOnlyDemo(tenant, 'uploads');
  const { db: database, accountId } = tenant;
  const d = await getDatasetOrThrow(tenant, datasetId);
  if (d.status === 'processing') throw new ServiceError('conflict', 'This dataset is being processed already.');
  if (!d.filePath || !fs.existsSync(d.filePath)) throw new ServiceError('invalid', 'The uploaded file is gone: upload it again.');
  const { headers } = await readCsvHead(d.filePath, 0);
  const problems = validateMapping(input.kind, headers, input.mapping);
  if (Object.keys(problems).length)
    throw new ServiceError('invalid', problems._?.[0] ?? 'Some columns are mapped twice or to a field that does not fit.', problems);
  const mapping: ColumnMapping = {};
  for (const h of headers) mapping[h] = input.mapping[h] ?? 'ignore';
  const [updated] = await database.db
    .update(datasets)
    .set({
      kind: input.kind,
      mapping,
      name: input.name?.trim() ? input.name.trim().slice(0, 120) : d.name,
      status: 'processing',
      progress: 0,
      error: null,
      rowCount: 0,
      okCount: 0,
      errorCount: 0,
      matchedCount: 0,
      missReasons: null,
    })
    .where(and(eq(datasets.accountId, accountId), eq(datasets.id, datasetId)))
    .returning();
  return updated;
}

const DATASET_FAILURES: KnownFailure[] = [{ pattern: /larger than .* the upload limit/i, say: 'The file is larger than the upload limit. Split it into smaller files.' }];

/** A reason a person understands for a dataset that could not be processed (the raw error goes to the server log only). */
export const explainDatasetError = (err: unknown): string =>
  explainFailure(err, 'dataset processing', DATASET_FAILURES, 'Processing stopped on an unexpected error. Confirm the mapping again; if it fails again, upload the file again.');

export async function markDatasetErrored({ db, accountId }: Tenant, datasetId: string, reason: string): Promise<void> {
  await db.db
    .update(datasets)
    .set({ status: 'errored', error: reason.slice(0, 500) })
    .where(and(eq(datasets.accountId, accountId), eq(datasets.id, datasetId)));
}

/** Job step: streams the file into people or orders, recording progress and row errors. */
export async function ingestDatasetRows(tenant: Tenant, datasetId: string): Promise<IngestSummary> {
  const { db: database, accountId } = tenant;
  const d = await getDatasetOrThrow(tenant, datasetId);
  if (!d.filePath || !fs.existsSync(d.filePath)) throw new ServiceError('invalid', 'The uploaded file is gone: upload it again.');
  // a retried step starts over: errors are rewritten from scratch
  await database.query('delete from dataset_row_errors where dataset_id = $1', [datasetId]);
  await database.query(`update datasets set status = 'processing', progress = 0, error = null where id = $1 and account_id = $2`, [
    datasetId,
    accountId,
  ]);
  let lastWrite = 0;
  const summary = await ingestFile(
    database,
    { accountId, datasetId, kind: d.kind, file: d.filePath, mapping: d.mapping ?? {} },
    {
      onProgress: async (p) => {
        const now = Date.now();
        if (now - lastWrite < 500 && p.fraction < 1) return;
        lastWrite = now;
        // parsing is ~90% of the work; matching and cohorts take the rest
        await database.query(
          `update datasets set progress = $3, row_count = $4, ok_count = $5, error_count = $6, updated_at = now()
           where id = $1 and account_id = $2`,
          [datasetId, accountId, p.fraction * (d.kind === 'people' ? 0.8 : 0.9), p.rows, p.ok, p.errors],
        );
      },
    },
  );
  await database.query(
    `update datasets set row_count = $3, ok_count = $4, error_count = $5, updated_at = now() where id = $1 and account_id = $2`,
    [datasetId, accountId, summary.rows, summary.ok, summary.errors],
  );
  await refreshStatistics(database, d.kind === 'people' ? 'people' : 'orders', summary.ok);
  if (summary.custom.length) {
    await upsertCustomTraits(
      tenant,
      summary.custom.map((c) => ({ key: c.key, label: c.header, type: c.type })),
    );
    await refreshCustomTraitStats(tenant);
  }
  return summary;
}

/** Job step: matches the dataset's people to the identity graph and stores the match rate and miss reasons. */
export async function matchDatasetPeople(tenant: Tenant, datasetId: string): Promise<MatchSummary> {
  const { db: database, accountId } = tenant;
  const d = await getDatasetOrThrow(tenant, datasetId);
  const summary = await matchPeople(tenant, {
    datasetId,
    onProgress: async (done) => {
      const frac = d.okCount ? Math.min(1, done / d.okCount) : 1;
      await database.query(`update datasets set progress = $3 where id = $1 and account_id = $2`, [datasetId, accountId, 0.8 + 0.1 * frac]);
    },
  });
  await database.query(
    `update datasets set matched_count = $3, miss_reasons = $4::jsonb, progress = 0.9, updated_at = now() where id = $1 and account_id = $2`,
    [datasetId, accountId, summary.matched, JSON.stringify(summary.missReasons)],
  );
  return summary;
}

export async function markDatasetReady({ db, accountId }: Tenant, datasetId: string): Promise<void> {
  await db.query(`update datasets set status = 'ready', progress = 1, updated_at = now() where id = $1 and account_id = $2`, [
    datasetId,
    accountId,
  ]);
}

export async function listCohortIds({ db, accountId }: Tenant): Promise<string[]> {
  const r = await db.query<{ id: string }>('select id from cohorts where account_id = $1 order by name', [accountId]);
  return r.rows.map((x) => x.id);
}

export interface RowError {
  line: number;
  reason: string;
}

export async function listRowErrors(tenant: Tenant, datasetId: string, limit = 100): Promise<RowError[]> {
  await getDatasetOrThrow(tenant, datasetId);
  const r = await tenant.db.query<RowError>(
    'select line, reason from dataset_row_errors where dataset_id = $1 order by line limit $2',
    [datasetId, limit],
  );
  return r.rows;
}

/** All row errors of a dataset as CSV chunks (keyset-paginated, constant memory). */
export async function* rowErrorsCsv(tenant: Tenant, datasetId: string): AsyncGenerator<string> {
  await getDatasetOrThrow(tenant, datasetId);
  yield toCsvRow(['line', 'reason']) + '\r\n';
  let after = 0;
  for (;;) {
    const r = await tenant.db.query<RowError>(
      'select line, reason from dataset_row_errors where dataset_id = $1 and line > $2 order by line limit 5000',
      [datasetId, after],
    );
    if (!r.rows.length) return;
    after = r.rows[r.rows.length - 1].line;
    yield r.rows.map((e) => toCsvRow([e.line, e.reason]) + '\r\n').join('');
  }
}

/** Products and categories the account's orders name (for cohort conditions). */
export async function listProductsAndCategories({ db, accountId }: Tenant) {
  const r = await db.query<{ kind: string; v: string }>(
    `select 'product' as kind, product as v from orders where account_id = $1 and product is not null group by product
     union all
     select 'category', category from orders where account_id = $1 and category is not null group by category
     order by 1, 2 limit 2000`,
    [accountId],
  );
  return {
    products: r.rows.filter((x) => x.kind === 'product').map((x) => x.v),
    categories: r.rows.filter((x) => x.kind === 'category').map((x) => x.v),
  };
}

/** Removes a dataset and its file; its people and orders stay (they may have come from other files too). */
export async function deleteDataset(tenant: Tenant, datasetId: string): Promise<void> {
  await assertNotReadOnlyDemo(tenant, 'datasets');
  const { db: database, accountId } = tenant;
  const d = await getDatasetOrThrow(tenant, datasetId);
  if (d.status === 'processing') throw new ServiceError('conflict', 'Wait until the dataset has been processed.');
  await database.transaction(async (tx) => {
    await tx.query('update people set dataset_id = null where account_id = $1 and dataset_id = $2', [accountId, datasetId]);
    await tx.query('update orders set dataset_id = null where account_id = $1 and dataset_id = $2', [accountId, datasetId]);
    await tx.query('delete from datasets where id = $1 and account_id = $2', [datasetId, accountId]);
  });
  if (d.filePath) fs.rmSync(d.filePath, { force: true });
}

/** How many of the account's people there are and how many are matched to the identity graph. */
export async function peopleMatchOverview({ db, accountId }: Tenant) {
  const r = await db.query<{ n: number; matched: number }>(
    `select count(*)::int as n, count(graph_id)::int as matched from people where account_id = $1`,
    [accountId],
  );
  return { people: Number(r.rows[0]?.n ?? 0), matched: Number(r.rows[0]?.matched ?? 0) };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface StaleUploadSweep {
  /** `.part` files of uploads that never finished (the server stopped mid-way) */
  partial: number;
  /** finished files that no dataset owns (the server stopped between storing the file and recording it) */
  orphaned: number;
  bytes: number;
}

/**
 * Removes what uploads left behind, for every account: unfinished `.part` files, and files no dataset owns, once
 * they are older than `olderThanMs` (an upload in progress keeps touching its file). A dataset's own file stays, and
 * so does every finished file of a folder whose account this database does not know (a folder shared by mistake).
 */
export async function removeStaleUploads(
  { db: database }: { db: Database },
  { olderThanMs = 24 * 3600_000, now = Date.now() }: { olderThanMs?: number; now?: number } = {},
): Promise<StaleUploadSweep> {
  const sweep: StaleUploadSweep = { partial: 0, orphaned: 0, bytes: 0 };
  const root = uploadsDir();
  if (!fs.existsSync(root)) return sweep;
  const cutoff = now - olderThanMs;
  for (const accountId of fs.readdirSync(root)) {
    const dir = path.join(root, accountId);
    if (!UUID.test(accountId) || !fs.statSync(dir).isDirectory()) continue;
    const stale = fs
      .readdirSync(dir)
      .map((name) => ({ name, stat: fs.statSync(path.join(dir, name)) }))
      .filter((f) => f.stat.isFile() && f.stat.mtimeMs < cutoff);
    let finished = stale.filter((f) => /^[0-9a-f-]{36}\.csv$/i.test(f.name));
    const owned = new Set<string>();
    if (finished.length && !(await database.query('select 1 from accounts where id = $1', [accountId])).rows.length) finished = [];
    if (finished.length) {
      const r = await database.query<{ id: string }>('select id::text as id from datasets where account_id = $1 and id = any($2::uuid[])', [
        accountId,
        finished.map((f) => f.name.slice(0, 36)),
      ]);
      for (const row of r.rows) owned.add(row.id.toLowerCase());
    }
    for (const f of stale) {
      const partial = f.name.endsWith('.csv.part');
      const orphan = !partial && finished.includes(f) && !owned.has(f.name.slice(0, 36).toLowerCase());
      if (!partial && !orphan) continue;
      fs.rmSync(path.join(dir, f.name), { force: true });
      sweep.bytes += f.stat.size;
      if (partial) sweep.partial++;
      else sweep.orphaned++;
    }
  }
  return sweep;
}
