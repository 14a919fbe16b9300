// Payload responses: a JSON page, or streamed NDJSON / CSV pulled batch by batch from the database.
import type { Tenant } from '@/lib/services/tenant';
import { payloadBatches, planPayload, type PayloadCell, type PayloadPlan } from '@/lib/services/pipelines';
import { copyOutStream, crlfRecordEnds, safeCsvLine } from './csv-stream';
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
  // the whole payload: PostgreSQL formats every cell (CSV with formulas neutralized, or each row's JSON object) and
  // the bytes stream through; CSV records end with CRLF
  const sql =
    req.format === 'csv'
      ? `copy (${plan.copySelect(req.after, 'csv')}) to stdout with (format csv, header true)`
      : // one column of JSON text that never holds a control character: neither quoted nor escaped, it goes out as it is
        `copy (${plan.copySelect(req.after, 'ndjson')}) to stdout with (format csv, quote e'\\x01', delimiter e'\\x02')`;
  const body = copyOutStream(database.pool!, sql, req.format === 'csv' ? crlfRecordEnds() : undefined);
  return new Response(body, { headers: { ...headers, ...contentHeaders(req, plan) } });
}

function contentHeaders(req: PayloadRequest, plan: PayloadPlan): Record<string, string> {
  if (req.format === 'csv') {
    const name = (req.fileName ?? plan.pipeline.name).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'payload';
    return { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}.csv"` };
  }
  return { 'content-type': 'application/x-ndjson; charset=utf-8' };
}
