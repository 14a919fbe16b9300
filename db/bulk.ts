import { createHash } from 'node:crypto';
import type { Database } from './client';

export type BulkType =
  | 'text'
  | 'int4'
  | 'int8'
  | 'float4'
  | 'float8'
  | 'bool'
  | 'uuid'
  | 'timestamptz'
  | 'date'
  | 'jsonb'
  | 'float4[]';

export interface BulkColumn {
  name: string;
  type: BulkType;
}

/** Columns written as one object, name → type, in insertion order: `bulkColumns({ id: 'uuid', size: 'int4' })`. */
export function bulkColumns(spec: Record<string, BulkType>): BulkColumn[] {
  return Object.entries(spec).map(([name, type]) => ({ name, type }));
}

export interface BulkOptions {
  /** SQL after the insert, e.g. `on conflict (account_id, external_id) do update set ...`. Forces unnest batches. */
  onConflict?: string;
  batchSize?: number;
}

const identRe = /^[a-z_][a-z0-9_]*$/;

function checkIdent(name: string): string {
  if (!identRe.test(name)) throw new Error(`bulkInsert: bad identifier ${name}`);
  return `"${name}"`;
}

function arrayLiteral(v: ArrayLike<number>): string {
  let s = '{';
  for (let i = 0; i < v.length; i++) {
    if (i) s += ',';
    const x = v[i];
    s += Number.isFinite(x) ? String(x) : 'NaN';
  }
  return s + '}';
}

function toParam(type: BulkType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'jsonb':
      return JSON.stringify(v);
    case 'float4[]':
      return arrayLiteral(v as ArrayLike<number>);
    case 'timestamptz':
      return v instanceof Date ? v.toISOString() : v;
    case 'date':
      return v instanceof Date ? v.toISOString().slice(0, 10) : v;
    case 'float4':
    case 'float8':
      return Number.isFinite(v as number) ? v : (v as number) !== (v as number) ? 'NaN' : null;
    default:
      return v;
  }
}

function paramArrayType(type: BulkType): string {
  // jsonb and array columns travel as text and are cast per element
  return type === 'jsonb' || type === 'float4[]' ? 'text[]' : `${type}[]`;
}

function castBack(type: BulkType, expr: string): string {
  if (type === 'jsonb') return `${expr}::jsonb`;
  if (type === 'float4[]') return `${expr}::real[]`;
  return expr;
}

const PLAIN_TYPES = new Set<BulkType>(['int4', 'int8', 'uuid', 'bool']);

function csvCell(type: BulkType, v: unknown): string {
  if (v === null || v === undefined) return '';
  // numbers, ids and booleans never need quoting: skip the checks (this runs for millions of cells)
  if (PLAIN_TYPES.has(type)) return String(v);
  if ((type === 'float4' || type === 'float8') && typeof v === 'number') return Number.isFinite(v) ? String(v) : v !== v ? 'NaN' : '';
  const p = toParam(type, v);
  if (p === null) return '';
  const s = String(p);
  if (s === '' || /[",\n\r]/.test(s) || s.startsWith(' ') || s.endsWith(' ')) return `"${s.replace(/"/g, '""')}"`;
  return s;
}

/**
 * Refreshes a table's planner statistics after a bulk write of `rows` rows (below `minRows` it skips them).
 * PostgreSQL's autovacuum gets to it within a minute or so; embedded PGlite never does. A table whose
 * statistics still describe it as empty is joined by nested loops: a persona set's flow analysis over the
 * demo's 37k customers ran for minutes, blocking PGlite, instead of 0.2 s.
 */
export async function refreshStatistics(database: Database, table: string, rows: number, minRows = 1000): Promise<void> {
  if (rows < minRows) return;
  await database.query(`analyze ${checkIdent(table)}`);
}

/**
 * Writes many rows at once: COPY where there is no conflict clause, otherwise `insert ... select from unnest(...)`
 * batches. Rows are arrays in the order of `columns`. Returns the number of rows written.
 */
export async function bulkInsert(
  database: Database,
  table: string,
  columns: BulkColumn[],
  rows: Iterable<unknown[]>,
  opts: BulkOptions = {},
): Promise<number> {
  const tableSql = checkIdent(table);
  const colsSql = columns.map((c) => checkIdent(c.name)).join(', ');
  const batchSize = opts.batchSize ?? 5000;
  let written = 0;

  if (!opts.onConflict) {
    const csvBatch = (batch: unknown[][]) =>
      batch.map((r) => columns.map((c, j) => csvCell(c.type, r[j])).join(',')).join('\n') + '\n';
    const copySql = (src: string) => `copy ${tableSql} (${colsSql}) from ${src} with (format csv)`;
    let batch: unknown[][] = [];
    const flush = async () => {
      if (!batch.length) return;
      await database.copyIn(copySql, csvBatch(batch));
      written += batch.length;
      batch = [];
    };
    for (const r of rows) {
      batch.push(r);
      if (batch.length >= batchSize * 4) await flush();
    }
    await flush();
    return written;
  }

  if (database.driver === 'pg') {
    // upserts on the server: COPY into a staging table of this connection, then one insert ... on conflict
    // one staging table per table and column list on each connection
    const stage = checkIdent(`facet_stage_${table}_${createHash('sha1').update(colsSql).digest('hex').slice(0, 8)}`);
    const csvBatch = (batch: unknown[][]) =>
      batch.map((r) => columns.map((c, j) => csvCell(c.type, r[j])).join(',')).join('\n') + '\n';
    let batch: unknown[][] = [];
    const flush = async () => {
      if (!batch.length) return;
      const text = csvBatch(batch);
      await database.transaction(async (tx) => {
        await tx.query(`create temp table if not exists ${stage} as select ${colsSql} from ${tableSql} limit 0`);
        await tx.query(`truncate ${stage}`);
        await tx.copyIn((src) => `copy ${stage} (${colsSql}) from ${src} with (format csv)`, text);
        await tx.query(`insert into ${tableSql} (${colsSql}) select ${colsSql} from ${stage} ${opts.onConflict}`);
      });
      written += batch.length;
      batch = [];
    };
    for (const r of rows) {
      batch.push(r);
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    return written;
  }

  const params = columns.map((c, i) => `$${i + 1}::${paramArrayType(c.type)}`).join(', ');
  const select = columns.map((c, i) => castBack(c.type, `u.c${i}`)).join(', ');
  const alias = columns.map((_, i) => `c${i}`).join(', ');
  const text = `insert into ${tableSql} (${colsSql}) select ${select} from unnest(${params}) as u(${alias}) ${opts.onConflict}`;
  let cols: unknown[][] = columns.map(() => []);
  let n = 0;
  const flush = async () => {
    if (!n) return;
    await database.query(text, cols);
    written += n;
    cols = columns.map(() => []);
    n = 0;
  };
  for (const r of rows) {
    for (let j = 0; j < columns.length; j++) cols[j].push(toParam(columns[j].type, r[j]));
    n++;
    if (n >= batchSize) await flush();
  }
  await flush();
  return written;
}

/** The identity columns of people, in the order the seed and the ingest write them. */
export const PERSON_IDENTITY_COLUMNS: BulkColumn[] = [
  { name: 'account_id', type: 'uuid' },
  { name: 'external_id', type: 'text' },
  { name: 'email', type: 'text' },
  { name: 'email_norm', type: 'text' },
  { name: 'first_name', type: 'text' },
  { name: 'last_name', type: 'text' },
  { name: 'street', type: 'text' },
  { name: 'city', type: 'text' },
  { name: 'state', type: 'text' },
  { name: 'postcode', type: 'text' },
  { name: 'phone', type: 'text' },
];
