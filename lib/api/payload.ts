// Payload responses: a JSON page, or streamed NDJSON / CSV pulled batch by batch from the database.
import type { Readable } from 'node:stream';
import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { Database } from '@/db/client';
import type { Tenant } from '@/lib/services/tenant';
import { payloadBatches, planPayload, type PayloadCell, type PayloadPlan } from '@/lib/services/pipelines';
import { safeCsvLine, textStream } from './csv-stream';
import { encodeCursor } from './pagination';

const toObject = (columns: string[], row: PayloadCell[]) => {
  const o: Record<string, PayloadCell> = {};
  for (let i = 0; i < columns.length; i++) o[columns[i]] = row[i];
  return o;
};

function csvChunk(rows: PayloadCell[][]): string {
  let s = '';
  for (const r of rows) s += safeCsvLine(r);
  return s;
}

function ndjsonChunk(columns: string[], rows: PayloadCell[][]): string {
  let s = '';
  for (const r of rows) s += JSON.stringify(toObject(columns, r)) + '\n';
  return s;
}

export interface PayloadRequest {
  format: 'json' | 'ndjson' | 'csv';
  limit?: number;
  after: number;
  fileName?: string;
}

/** Answers the payload of a pipeline of the tenant's account (the caller checked who the tenant is). */
export async function payloadResponse(tenant: Tenant, pipelineId: string, req: PayloadRequest): Promise<Response> {
  const database = tenant.db;
  const plan = await planPayload(tenant, pipelineId);
  const headers: Record<string, string> = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
  if (req.format === 'json' || req.limit !== undefined) {
    // a bounded page: read it whole (at most limit + 1 rows) so that the next cursor is known up front
    const limit = req.limit ?? 1000;
    const rows: PayloadCell[][] = [];
    for await (const batch of payloadBatches(tenant, plan, { after: req.after, limit: limit + 1 })) rows.push(...batch);
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    const nextCursor = more && page.length ? encodeCursor(page[page.length - 1][0] as number) : null;
    if (req.format === 'json')
      return Response.json({ columns: plan.columns, rows: page.map((r) => toObject(plan.columns, r)), nextCursor }, { headers });
    if (nextCursor) headers['x-next-cursor'] = nextCursor;
    const body = req.format === 'csv' ? safeCsvLine(plan.columns) + csvChunk(page) : ndjsonChunk(plan.columns, page);
    return new Response(body, { headers: { ...headers, ...contentHeaders(req, plan) } });
  }
  const body = req.format === 'csv' && database.driver === 'pg' ? copyCsv(database, plan, req.after) : streamAll(tenant, plan, req);
  return new Response(body, { headers: { ...headers, ...contentHeaders(req, plan) } });
}

/**
 * The whole CSV on PostgreSQL: the server formats the cells (COPY ... TO STDOUT, CSV) and the bytes stream
 * through with CRLF record ends (line feeds inside quoted cells are left alone). Backpressure: the copy stream
 * is paused while the client is slow.
 */
function copyCsv(database: Database, plan: PayloadPlan, after: number): ReadableStream<Uint8Array> {
  let client: PoolClient | undefined;
  let source: Readable | undefined;
  let inQuotes = false;
  const crlf = (chunk: Buffer): Uint8Array => {
    let extra = 0;
    let q = inQuotes;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === 34) q = !q;
      else if (b === 10 && !q) extra++;
    }
    const out = Buffer.allocUnsafe(chunk.length + extra);
    let j = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === 34) inQuotes = !inQuotes;
      else if (b === 10 && !inQuotes) out[j++] = 13;
      out[j++] = b;
    }
    return out;
  };
  const release = () => {
    client?.release();
    client = undefined;
  };
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      client = await database.pool!.connect();
      source = client.query(copyTo(`copy (${plan.copySelect(after)}) to stdout with (format csv, header true)`));
      source.on('data', (chunk: Buffer) => {
        controller.enqueue(crlf(chunk));
        if ((controller.desiredSize ?? 1) <= 0) source!.pause();
      });
      source.on('end', () => {
        release();
        controller.close();
      });
      source.on('error', (err) => {
        console.error('[facet] csv export failed:', err);
        release();
        controller.error(err);
      });
    },
    pull() {
      source?.resume();
    },
    cancel() {
      source?.destroy();
      release();
    },
  }, { highWaterMark: 8 });
}

function contentHeaders(req: PayloadRequest, plan: PayloadPlan): Record<string, string> {
  if (req.format === 'csv') {
    const name = (req.fileName ?? plan.pipeline.name).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'payload';
    return { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}.csv"` };
  }
  return { 'content-type': 'application/x-ndjson; charset=utf-8' };
}

/** Everything from `after` on, one database batch per pull: memory stays at one batch whatever the size. */
function streamAll(tenant: Tenant, plan: PayloadPlan, req: PayloadRequest): ReadableStream<Uint8Array> {
  const batches = payloadBatches(tenant, plan, { after: req.after, limit: Infinity, batchSize: 5000 });
  let headerSent = req.format !== 'csv';
  return textStream(
    async () => {
      if (!headerSent) {
        headerSent = true;
        return safeCsvLine(plan.columns);
      }
      const next = await batches.next();
      if (next.done) return null;
      return req.format === 'csv' ? csvChunk(next.value) : ndjsonChunk(plan.columns, next.value);
    },
    () => void batches.return(undefined),
  );
}
