// Every operation of /api/v1: the route files validate with these specs and the OpenAPI document is built from them.
import { z } from 'zod';
import { readAssignBody, readBatchAssignBody, type BodyReading } from './assign-body';
import * as S from './schemas';

export type Method = 'GET' | 'POST' | 'PATCH';

export interface ResponseSpec {
  description: string;
  json?: z.ZodType;
  /** other media types (streamed payloads) */
  media?: Record<string, { schema: Record<string, unknown> }>;
}

export interface Operation {
  id: string;
  method: Method;
  /** relative to /api/v1, OpenAPI template syntax */
  path: string;
  summary: string;
  /** more than the summary, in the document */
  description?: string;
  tag: string;
  public?: boolean;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** reads the JSON body in place of body.safeParse (a fast exact path, or errors per item); `body` documents it */
  readBody?: (json: unknown) => BodyReading<unknown>;
  /** the largest body in bytes (1 MB unless set; a larger one answers 413) */
  maxBody?: number;
  /** a valid request body (tenancy tests, documentation) */
  example?: unknown;
  responses: Record<number, ResponseSpec>;
}

const ok = (description: string, json: z.ZodType): Record<number, ResponseSpec> => ({ 200: { description, json } });
const created = (description: string, json: z.ZodType): Record<number, ResponseSpec> => ({ 201: { description, json } });
/** a name another row of the account already has */
const nameTaken = (what: string): Record<number, ResponseSpec> => ({ 409: { description: `Another ${what} of the account has this name`, json: S.ErrorBody } });
const EX_UUID = '00000000-0000-4000-8000-000000000000';

export const operations = {
  openapi: { id: 'getOpenApi', method: 'GET', path: '/openapi.json', summary: 'This OpenAPI 3.1 document', tag: 'meta', public: true, responses: { 200: { description: 'The document', json: z.record(z.string(), z.unknown()) } } },

  listPersonaSets: { id: 'listPersonaSets', method: 'GET', path: '/persona-sets', summary: 'List persona sets', tag: 'persona sets', query: S.ListPersonaSetsQuery, responses: ok('Persona sets, newest first', S.PersonaSetListOut) },
  createPersonaSet: {
    id: 'createPersonaSet', method: 'POST', path: '/persona-sets', summary: 'Create a persona set (queues its build)', tag: 'persona sets',
    body: S.CreatePersonaSetBody, example: { name: 'API set', cohortId: EX_UUID }, responses: { ...created('The queued persona set', S.PersonaSetOut), ...nameTaken('persona set') },
  },
  getPersonaSet: { id: 'getPersonaSet', method: 'GET', path: '/persona-sets/{id}', summary: 'Get a persona set with its personas', tag: 'persona sets', responses: ok('The persona set', S.PersonaSetDetailOut) },
  updatePersonaSet: {
    id: 'updatePersonaSet', method: 'PATCH', path: '/persona-sets/{id}', summary: 'Rename a persona set, show it in Explore, or set its scoring schedule', tag: 'persona sets',
    body: S.UpdatePersonaSetBody, example: { name: 'Renamed' }, responses: { ...ok('The updated persona set', S.PersonaSetOut), ...nameTaken('persona set') },
  },
  archivePersonaSet: { id: 'archivePersonaSet', method: 'POST', path: '/persona-sets/{id}/archive', summary: 'Archive a persona set', tag: 'persona sets', responses: ok('The archived persona set', S.PersonaSetOut) },
  unarchivePersonaSet: { id: 'unarchivePersonaSet', method: 'POST', path: '/persona-sets/{id}/unarchive', summary: 'Unarchive a persona set', tag: 'persona sets', responses: ok('The persona set', S.PersonaSetOut) },
  rebuildPersonaSet: { id: 'rebuildPersonaSet', method: 'POST', path: '/persona-sets/{id}/rebuild', summary: 'Rebuild a persona set (or retry a failed build)', tag: 'persona sets', responses: { 202: { description: 'The queued persona set', json: S.PersonaSetOut } } },
  renamePersona: {
    id: 'renamePersona', method: 'PATCH', path: '/persona-sets/{id}/personas/{personaId}', summary: 'Rename a persona', tag: 'personas',
    body: S.RenamePersonaBody, example: { name: 'Weekend gardeners' }, responses: ok('The renamed persona', S.PersonaOut),
  },
  getDimensions: { id: 'getDimensions', method: 'GET', path: '/persona-sets/{id}/analysis/dimensions', summary: 'Per persona and trait: bins, shares and salience', tag: 'analysis', responses: ok('Dimension analyses', S.DimensionsOut) },
  getFlow: { id: 'getFlow', method: 'GET', path: '/persona-sets/{id}/analysis/flow', summary: 'Members per persona per day', tag: 'analysis', responses: ok('Flow', S.FlowOut) },
  getTransitions: {
    id: 'getTransitions', method: 'GET', path: '/persona-sets/{id}/transitions', summary: 'Who moved from which persona to which between two instants, who joined and who left', tag: 'analysis',
    query: S.TransitionsQuery, responses: ok('Transitions', S.TransitionsOut),
  },
  getPersonHistory: { id: 'getPersonHistory', method: 'GET', path: '/persona-sets/{id}/people/{personId}/history', summary: 'One person’s personas in the set over time', tag: 'analysis', responses: ok('The person’s stays, oldest first', S.PersonHistoryOut) },
  comparePersonaSets: {
    id: 'comparePersonaSets', method: 'GET', path: '/persona-sets/{id}/compare/{otherId}', summary: 'Two ready persona sets side by side: persona × persona overlap (members, Jaccard), traits and the closest pairs', tag: 'analysis',
    responses: ok('The comparison', S.ComparisonOut),
  },
  listDriftAlerts: { id: 'listDriftAlerts', method: 'GET', path: '/persona-sets/{id}/alerts', summary: 'Drift alerts raised after scoring runs, newest first', tag: 'scoring', responses: ok('Drift alerts', S.DriftAlertListOut) },
  assignContact: {
    id: 'assignContact', method: 'POST', path: '/persona-sets/{id}/assignments', summary: 'Real-time assignment of one contact', tag: 'scoring',
    body: S.AssignBody, example: { traits: { age: 40, income: 60000 } }, maxBody: 64 * 1024,
    responses: {
      200: { description: 'The persona of the contact', json: S.AssignOut },
      422: { description: 'Nobody in the identity graph matches the identity', json: S.ErrorBody },
      503: { description: 'The persona set is being republished; retry in a moment', json: S.ErrorBody },
    },
    readBody: readAssignBody,
  },
  assignContacts: {
    id: 'assignContacts', method: 'POST', path: '/persona-sets/{id}/assignments/batch', tag: 'scoring',
    summary: `Real-time assignment of up to ${S.MAX_BATCH_CONTACTS} contacts in one call, each answered on its own`,
    description:
      'Each contact is what a single assignment takes, and gets in `results`, at its position, either its assignment (`ok: true`) or its own error (`ok: false`): an invalid contact, an identity that matches nobody, no trait of the set. The call itself fails only for what would fail every contact (key, limits, the envelope, the persona set). It counts against the key’s rate limit as one call plus one per contact with an identity or asked to be recorded (those reach the database).',
    body: S.BatchAssignBody, example: { contacts: [{ traits: { age: 40, income: 60000 } }, { identity: { email: 'ada@example.com' } }] }, maxBody: 1024 * 1024,
    readBody: readBatchAssignBody,
    responses: {
      200: { description: 'One result per contact, in order', json: S.BatchAssignOut },
      503: { description: 'The persona set is being republished; retry in a moment', json: S.ErrorBody },
    },
  },
  createScoringRun: { id: 'createScoringRun', method: 'POST', path: '/persona-sets/{id}/scoring-runs', summary: 'Score the cohort ad hoc; poll the run', tag: 'scoring', responses: { 202: { description: 'The queued run', json: S.ScoringRunOut } } },
  getScoringRun: { id: 'getScoringRun', method: 'GET', path: '/persona-sets/{id}/scoring-runs/{runId}', summary: 'A scoring run', tag: 'scoring', responses: ok('The run', S.ScoringRunOut) },

  listCohorts: { id: 'listCohorts', method: 'GET', path: '/cohorts', summary: 'List cohorts (the populations of persona sets and pipelines)', tag: 'cohorts', responses: ok('Cohorts with their members today', S.CohortListOut) },
  listPipelines: { id: 'listPipelines', method: 'GET', path: '/pipelines', summary: 'List pipelines', tag: 'pipelines', responses: ok('Pipelines', S.PipelineListOut) },
  createPipeline: {
    id: 'createPipeline', method: 'POST', path: '/pipelines', summary: 'Create a pipeline', tag: 'pipelines',
    body: S.CreatePipelineBody, example: { name: 'API pipeline', cohortIds: [EX_UUID], personaSetIds: [EX_UUID] }, responses: { ...created('The pipeline', S.PipelineOut), ...nameTaken('pipeline') },
  },
  getPipeline: { id: 'getPipeline', method: 'GET', path: '/pipelines/{id}', summary: 'A pipeline', tag: 'pipelines', responses: ok('The pipeline', S.PipelineOut) },
  getPipelinePayload: {
    id: 'getPipelinePayload', method: 'GET', path: '/pipelines/{id}/payload', summary: 'The payload: one row per member, keyset-paginated', tag: 'pipelines',
    query: S.PayloadQuery,
    responses: {
      200: {
        description:
          'json: a page with nextCursor. ndjson and csv: streamed rows; with limit, the X-Next-Cursor header holds the next cursor. CSV follows RFC 4180 with a header row; cells that a spreadsheet would run as formulas get a leading quote.',
        json: S.PayloadPageOut,
        media: {
          'application/x-ndjson': { schema: { type: 'string', description: 'one JSON object per line' } },
          'text/csv': { schema: { type: 'string' } },
        },
      },
    },
  },
} satisfies Record<string, Operation>;

export type OperationName = keyof typeof operations;
export const operationList: Operation[] = Object.values(operations);
