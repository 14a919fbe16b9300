// Datasets: uploaded CSV files of people or orders, their mapping, processing state, row errors and match rate.
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { and, desc, eq } from 'drizzle-orm';
import type { Database } from '@/db/client';
import { refreshStatistics } from '@/db/bulk';
import { datasets, type Dataset } from '@/db/schema';
import { toCsvRow } from '@/lib/csv';
import { readCsvHead, uploadPath, writeUpload, FileTooLargeError, UPLOAD_LIMIT_BYTES } from '@/lib/ingest/file';
import { detectKind, proposeMapping, validateMapping, type ColumnMapping, type DatasetKind } from '@/lib/ingest/mapping';
import { ingestFile, type IngestSummary } from '@/lib/ingest/run';
import { matchPeople, type MatchSummary } from './matching';
import { refreshCustomTraitStats, upsertCustomTraits } from './traits';
import { ServiceError, notFound } from './errors';

export { UPLOAD_LIMIT_BYTES, FileTooLargeError };

export async function getDatasetOrThrow(database: Database, accountId: string, datasetId: string): Promise<Dataset> {
  if (!/^[0-9a-f-]{36}$/i.test(datasetId)) throw notFound('Dataset');
  const rows = await database.db
    .select()
    .from(datasets)
    .where(and(eq(datasets.accountId, accountId), eq(datasets.id, datasetId)))
    .limit(1);
  if (!rows.length) throw notFound('Dataset');
  return rows[0];
}

export async function listDatasets(database: Database, accountId: string): Promise<Dataset[]> {
  return database.db.select().from(datasets).where(eq(datasets.accountId, accountId)).orderBy(desc(datasets.createdAt));
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
  database: Database,
  accountId: string,
  input: {
    fileName: string;
    name?: string;
    kind?: DatasetKind;
    body: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;
    createdBy?: string | null;
    limitBytes?: number;
  },
): Promise<UploadedDataset> {
  const id = randomUUID();
  const file = uploadPath(accountId, id);
  const size = await writeUpload(input.body, file, input.limitBytes ?? UPLOAD_LIMIT_BYTES);
  const { headers, sample } = await readCsvHead(file, 200);
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
      createdBy: input.createdBy ?? null,
    })
    .returning();
  return { dataset, headers, sample };
}

/** The header and first rows of a dataset's file, for the mapping step. */
export async function readDatasetPreview(
  database: Database,
  accountId: string,
  datasetId: string,
  rows = 5,
): Promise<{ headers: string[]; sample: string[][] }> {
  const d = await getDatasetOrThrow(database, accountId, datasetId);
  if (!d.filePath || !fs.existsSync(d.filePath)) return { headers: [], sample: [] };
  return readCsvHead(d.filePath, rows);
}

/** The mapping proposed for a given kind (when the analyst switches people <-> orders). */
export async function proposeDatasetMapping(database: Database, accountId: string, datasetId: string, kind: DatasetKind) {
  const d = await getDatasetOrThrow(database, accountId, datasetId);
  if (!d.filePath) return {};
  const { headers, sample } = await readCsvHead(d.filePath, 200);
  return proposeMapping(kind, headers, sample);
}

/**
 * Saves the analyst's mapping and queues the dataset for processing. The caller sends `dataset/uploaded`
 * afterwards and calls `markDatasetErrored` if the send fails.
 */
export async function confirmDatasetMapping(
  database: Database,
  accountId: string,
  datasetId: string,
  input: { kind: DatasetKind; mapping: ColumnMapping; name?: string },
): Promise<Dataset> {
  const d = await getDatasetOrThrow(database, accountId, datasetId);
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

export async function markDatasetErrored(database: Database, accountId: string, datasetId: string, reason: string): Promise<void> {
  await database.db
    .update(datasets)
    .set({ status: 'errored', error: reason.slice(0, 500) })
    .where(and(eq(datasets.accountId, accountId), eq(datasets.id, datasetId)));
}

/** Job step: streams the file into people or orders, recording progress and row errors. */
export async function ingestDatasetRows(database: Database, accountId: string, datasetId: string): Promise<IngestSummary> {
  const d = await getDatasetOrThrow(database, accountId, datasetId);
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
      database,
      accountId,
      summary.custom.map((c) => ({ key: c.key, label: c.header, type: c.type })),
    );
    await refreshCustomTraitStats(database, accountId);
  }
  return summary;
}

/** Job step: matches the dataset's people to the identity graph and stores the match rate and miss reasons. */
export async function matchDatasetPeople(database: Database, accountId: string, datasetId: string): Promise<MatchSummary> {
  const d = await getDatasetOrThrow(database, accountId, datasetId);
  const summary = await matchPeople(database, accountId, {
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

export async function markDatasetReady(database: Database, accountId: string, datasetId: string): Promise<void> {
  await database.query(`update datasets set status = 'ready', progress = 1, updated_at = now() where id = $1 and account_id = $2`, [
    datasetId,
    accountId,
  ]);
}

export async function listCohortIds(database: Database, accountId: string): Promise<string[]> {
  const r = await database.query<{ id: string }>('select id from cohorts where account_id = $1 order by name', [accountId]);
  return r.rows.map((x) => x.id);
}

export interface RowError {
  line: number;
  reason: string;
}

export async function listRowErrors(database: Database, accountId: string, datasetId: string, limit = 100): Promise<RowError[]> {
  await getDatasetOrThrow(database, accountId, datasetId);
  const r = await database.query<RowError>(
    'select line, reason from dataset_row_errors where dataset_id = $1 order by line limit $2',
    [datasetId, limit],
  );
  return r.rows;
}

/** All row errors of a dataset as CSV chunks (keyset-paginated, constant memory). */
export async function* rowErrorsCsv(database: Database, accountId: string, datasetId: string): AsyncGenerator<string> {
  await getDatasetOrThrow(database, accountId, datasetId);
  yield toCsvRow(['line', 'reason']) + '\r\n';
  let after = 0;
  for (;;) {
    const r = await database.query<RowError>(
      'select line, reason from dataset_row_errors where dataset_id = $1 and line > $2 order by line limit 5000',
      [datasetId, after],
    );
    if (!r.rows.length) return;
    after = r.rows[r.rows.length - 1].line;
    yield r.rows.map((e) => toCsvRow([e.line, e.reason]) + '\r\n').join('');
  }
}

/** Products and categories the account's orders name (for cohort conditions). */
export async function listProductsAndCategories(database: Database, accountId: string) {
  const r = await database.query<{ kind: string; v: string }>(
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
export async function deleteDataset(database: Database, accountId: string, datasetId: string): Promise<void> {
  const d = await getDatasetOrThrow(database, accountId, datasetId);
  if (d.status === 'processing') throw new ServiceError('conflict', 'Wait until the dataset has been processed.');
  await database.transaction(async (tx) => {
    await tx.query('update people set dataset_id = null where account_id = $1 and dataset_id = $2', [accountId, datasetId]);
    await tx.query('update orders set dataset_id = null where account_id = $1 and dataset_id = $2', [accountId, datasetId]);
    await tx.query('delete from datasets where id = $1 and account_id = $2', [datasetId, accountId]);
  });
  if (d.filePath) fs.rmSync(d.filePath, { force: true });
}

/** How many of the account's people there are and how many are matched to the identity graph. */
export async function peopleMatchOverview(database: Database, accountId: string) {
  const r = await database.query<{ n: number; matched: number }>(
    `select count(*)::int as n, count(graph_id)::int as matched from people where account_id = $1`,
    [accountId],
  );
  return { people: Number(r.rows[0]?.n ?? 0), matched: Number(r.rows[0]?.matched ?? 0) };
}
