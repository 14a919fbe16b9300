// The OpenAPI document: 3.1, one path per route file, one operation per exported method, responses everywhere,
// and the small validator it is checked with rejects what it should.
import fs from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { openApiDocument } from '@/lib/api/openapi';
import { routeFiles, callApi } from './helpers';
import { validateJsonSchema } from './json-schema';

vi.mock('server-only', () => ({}));

type Doc = { openapi: string; paths: Record<string, Record<string, { responses?: Record<string, unknown>; operationId?: string }>> };
const doc = openApiDocument() as unknown as Doc;

/** an assignment as answered, but for its persona set's id */
const ASSIGNMENT = {
  persona: { id: '00000000-0000-4000-8000-000000000001', name: 'A' },
  confidence: 0.5,
  distance: 1,
  runnerUp: null,
  margin: 0.2,
  match: { method: 'traits', personId: null, graphId: null },
  missingTraits: [],
  recorded: null,
};

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1.0 with a path for every route file and an operation for every exported method', () => {
    expect(doc.openapi).toBe('3.1.0');
    const files = routeFiles();
    expect(files.length).toBeGreaterThanOrEqual(14);
    for (const f of files) {
      expect(doc.paths[f.template], `${f.template} (${f.file}) is in the document`).toBeDefined();
      const src = fs.readFileSync(f.file, 'utf8');
      const methods = [...src.matchAll(/export (?:const|async function|function) (GET|POST|PATCH|PUT|DELETE)\b/g)].map((m) => m[1].toLowerCase());
      expect(methods.length, `${f.file} exports a method`).toBeGreaterThan(0);
      expect(Object.keys(doc.paths[f.template]).sort(), f.template).toEqual([...new Set(methods)].sort());
    }
    // and nothing documented that no file serves
    expect(Object.keys(doc.paths).sort()).toEqual(files.map((f) => f.template).sort());
  });

  it('gives every operation an id and responses, with unique ids', () => {
    const ids = new Set<string>();
    for (const [p, ops] of Object.entries(doc.paths))
      for (const [m, op] of Object.entries(ops)) {
        expect(Object.keys(op.responses ?? {}).length, `${m} ${p} has responses`).toBeGreaterThan(0);
        expect(op.operationId).toBeTruthy();
        expect(ids.has(op.operationId!)).toBe(false);
        ids.add(op.operationId!);
      }
  });

  it('is served at /api/v1/openapi.json without a key', async () => {
    const res = await callApi('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.json).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it('the validator used on every answer rejects bodies that break the schema', () => {
    const root = doc as unknown as Record<string, unknown>;
    const schema = (doc.paths['/persona-sets/{id}/assignments'].post.responses!['200'] as { content: { 'application/json': { schema: unknown } } }).content[
      'application/json'
    ].schema;
    const good = { personaSetId: '00000000-0000-4000-8000-000000000000', ...ASSIGNMENT };
    expect(validateJsonSchema(schema, good, root)).toEqual([]);
    expect(validateJsonSchema(schema, { ...good, confidence: '0.5' }, root).length).toBeGreaterThan(0);
    expect(validateJsonSchema(schema, { ...good, extra: 1 }, root).length).toBeGreaterThan(0);
    const { persona: _p, ...missing } = good;
    expect(validateJsonSchema(schema, missing, root).length).toBeGreaterThan(0);
    expect(validateJsonSchema(schema, { ...good, match: { ...good.match, method: 'psychic' } }, root).length).toBeGreaterThan(0);
  });

  it('documents the batch assignment: its contacts as single bodies, its limits, and one result per contact', () => {
    type Op = { requestBody: { content: { 'application/json': { schema: Record<string, unknown> } } }; responses: Record<string, { description: string; content?: { 'application/json': { schema: unknown } } }> };
    const root = doc as unknown as Record<string, unknown>;
    const single = doc.paths['/persona-sets/{id}/assignments'].post as unknown as Op;
    const batch = doc.paths['/persona-sets/{id}/assignments/batch'].post as unknown as Op;
    expect(batch).toBeDefined();
    const body = batch.requestBody.content['application/json'].schema as { properties: { contacts: { items: unknown; minItems: number; maxItems: number } }; required: string[] };
    expect(body.required).toEqual(['contacts']);
    expect(body.properties.contacts).toMatchObject({ minItems: 1, maxItems: 1000 });
    expect(body.properties.contacts.items).toEqual(single.requestBody.content['application/json'].schema);
    expect(batch.responses['413'].description).toBe('The body is larger than 1 MB');
    for (const status of ['400', '401', '404', '429']) expect(batch.responses[status], status).toBeDefined();
    const out = batch.responses['200'].content!['application/json'].schema;
    const assigned = { ok: true, ...ASSIGNMENT };
    const failed = { ok: false, error: { code: 'invalid_request', message: 'The contact is invalid', fieldErrors: { record: ['Expected boolean'] } } };
    const good = { personaSetId: '00000000-0000-4000-8000-000000000000', assigned: 1, failed: 1, results: [assigned, failed] };
    expect(validateJsonSchema(out, good, root)).toEqual([]);
    expect(validateJsonSchema(out, { ...good, results: [{ ...assigned, ok: false }] }, root).length).toBeGreaterThan(0);
    expect(validateJsonSchema(out, { ...good, results: [{ ...failed, ok: true }] }, root).length).toBeGreaterThan(0);
    expect(validateJsonSchema(out, { ...good, results: [{ ...assigned, personaSetId: good.personaSetId }] }, root).length).toBeGreaterThan(0);
  });
});
