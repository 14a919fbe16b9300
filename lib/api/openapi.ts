import { z } from 'zod';
import { MAX_JSON_BODY, bodyTooLarge } from './body';
import { ErrorBody } from './schemas';
import { operationList } from './operations';

type Json = Record<string, unknown>;

const schemaOf = (s: z.ZodType, io: 'input' | 'output'): Json => {
  const out = z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
  delete out.$schema;
  return out;
};

const STANDARD_ERRORS: Record<number, string> = {
  400: 'Invalid request',
  401: 'Missing, malformed, unknown or revoked API key',
  404: 'Not found (or not in your account)',
  429: 'Rate limit exceeded, or too many jobs queued for the account; see Retry-After',
};

let cached: Json | null = null;

/** The OpenAPI 3.1 document of /api/v1, derived from the operations and their zod schemas. */
export function openApiDocument(): Json {
  if (cached) return cached;
  const paths: Record<string, Json> = {};
  const error = { $ref: '#/components/schemas/Error' };
  for (const op of operationList) {
    const params: Json[] = [];
    for (const m of op.path.matchAll(/\{(\w+)\}/g)) params.push({ name: m[1], in: 'path', required: true, schema: { type: 'string' } });
    if (op.query) {
      const shape = op.query.shape as Record<string, z.ZodType>;
      for (const [name, s] of Object.entries(shape)) {
        const js = schemaOf(s, 'input');
        params.push({ name, in: 'query', required: !s.safeParse(undefined).success, schema: js, ...(js.description ? { description: js.description } : {}) });
      }
    }
    const responses: Json = {};
    for (const [status, r] of Object.entries(op.responses)) {
      const content: Json = {};
      if (r.json) content['application/json'] = { schema: schemaOf(r.json, 'output') };
      if (r.media) Object.assign(content, r.media);
      responses[status] = { description: r.description, ...(Object.keys(content).length ? { content } : {}) };
    }
    if (op.body) responses['413'] ??= { description: bodyTooLarge(op.maxBody ?? MAX_JSON_BODY).message, content: { 'application/json': { schema: error } } };
    if (!op.public)
      for (const [status, description] of Object.entries(STANDARD_ERRORS))
        responses[status] ??= {
          description,
          content: { 'application/json': { schema: error } },
          ...(status === '429' ? { headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'seconds to wait' } } } : {}),
        };
    // a public demo's account writes nothing outside persona sets (lib/services/account-guards.ts)
    if (!op.public && op.method !== 'GET')
      responses['403'] ??= { description: 'Not allowed for this account (the public demo is read-only here)', content: { 'application/json': { schema: error } } };
    const operation: Json = {
      operationId: op.id,
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      tags: [op.tag],
      ...(op.public ? { security: [] } : {}),
      ...(params.length ? { parameters: params } : {}),
      ...(op.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(op.body, 'input'), ...(op.example ? { example: op.example } : {}) } } } }
        : {}),
      responses,
    };
    (paths[op.path] ??= {})[op.method.toLowerCase()] = operation;
  }
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'Facet API',
      version: '1.0.0',
      description:
        'Persona sets, real-time assignment and pipelines. Authenticate with `Authorization: Bearer <key>` (Settings → API keys). Errors answer `{ "error": { "code", "message" } }`.',
    },
    servers: [{ url: '/api/v1' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key from Settings → API keys' } },
      schemas: { Error: schemaOf(ErrorBody, 'output') },
    },
    paths,
  };
  return cached;
}
