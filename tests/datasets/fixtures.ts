import { Readable } from 'node:stream';
import type { Database } from '@/db/client';
import { generateGraphBatch } from '@/lib/identity-graph/generator';
import { GRAPH_SEED } from '@/scripts/seed';

export async function createAccount(database: Database, name: string): Promise<string> {
  const r = await database.query<{ id: string }>('insert into accounts (name, slug) values ($1, $2) returning id', [
    name,
    `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${Math.random().toString(36).slice(2, 8)}`,
  ]);
  return r.rows[0].id;
}

/** A body that arrives in small, awkward chunks (splitting multi-byte characters and CRLFs). */
export function chunked(text: string, size = 7): Readable {
  const buf = Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts);
}

export function graphIdentities(start: number, count: number) {
  return generateGraphBatch({ seed: GRAPH_SEED, start, count }).identities;
}

export const csvCell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
