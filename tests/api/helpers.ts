// Calls the /api/v1 route handlers in-process (the route table is read from app/api/v1 on disk) and checks
// every JSON answer against the OpenAPI document's schema for that operation and status.
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { openApiDocument } from '@/lib/api/openapi';
import { validateJsonSchema } from './json-schema';

const ROOT = path.resolve(import.meta.dirname, '../../app/api/v1');

export interface RouteFile {
  file: string;
  /** OpenAPI template relative to /api/v1, e.g. /persona-sets/{id} */
  template: string;
  regex: RegExp;
  params: string[];
}

export function routeFiles(): RouteFile[] {
  const out: RouteFile[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === 'route.ts') {
        const rel = path.relative(ROOT, path.dirname(p)).split(path.sep).filter(Boolean);
        const params: string[] = [];
        const template = '/' + rel.map((seg) => seg.replace(/^\[(\w+)\]$/, (_, n) => `{${n}}`)).join('/');
        const regex = new RegExp(
          '^/' + rel.map((seg) => (/^\[\w+\]$/.test(seg) ? (params.push(seg.slice(1, -1)), '([^/]+)') : seg.replace(/[.]/g, '\\.'))).join('/') + '$',
        );
        out.push({ file: p, template, regex, params });
      }
    }
  };
  walk(ROOT);
  return out;
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

const modules = new Map<string, Record<string, unknown>>();

/** Calls `METHOD /api/v1<pathAndQuery>` through the route handler, as Next.js would. */
export async function callApi(
  method: 'GET' | 'POST' | 'PATCH',
  pathAndQuery: string,
  opts: { key?: string | null; authorization?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<ApiAnswer> {
  const url = new URL(`http://localhost/api/v1${pathAndQuery}`);
  const rel = url.pathname.slice('/api/v1'.length);
  const route = routeFiles().find((r) => r.regex.test(rel));
  if (!route) throw new Error(`no route for ${rel}`);
  const m = route.regex.exec(rel)!;
  const params = Object.fromEntries(route.params.map((p, i) => [p, decodeURIComponent(m[i + 1])]));
  let mod = modules.get(route.file);
  if (!mod) {
    mod = (await import(route.file)) as Record<string, unknown>;
    modules.set(route.file, mod);
  }
  const handler = mod[method] as ((req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>) | undefined;
  if (!handler) throw new Error(`${route.file} has no ${method}`);
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.authorization !== undefined) headers.authorization = opts.authorization;
  else if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  const body = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  if (body !== undefined) headers['content-type'] = 'application/json';
  const req = new Request(url, { method, headers, body });
  const res = await handler(req, { params: Promise.resolve(params) });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  const json = type.includes('application/json') ? JSON.parse(text) : undefined;
  if (json !== undefined) checkAgainstDocument(route.template, method, res.status, json);
  return { status: res.status, headers: res.headers, text, json };
}

/** Throws (through expect) when a JSON answer is not what the document says for this operation and status. */
export function checkAgainstDocument(template: string, method: string, status: number, body: unknown) {
  const doc = openApiDocument() as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>> };
  const op = doc.paths[template]?.[method.toLowerCase()];
  expect(op, `${method} ${template} is documented`).toBeDefined();
  const response = op!.responses[String(status)];
  expect(response, `${method} ${template} documents status ${status}`).toBeDefined();
  const schema = response!.content?.['application/json']?.schema;
  expect(schema, `${method} ${template} ${status} has a JSON schema`).toBeDefined();
  const errors = validateJsonSchema(schema, body, doc as unknown as Record<string, unknown>);
  expect(errors, `${method} ${template} ${status} body matches the document`).toEqual([]);
}
