// The API's inputs and outputs as zod schemas. Handlers validate with them and the OpenAPI document is
// generated from them (z.toJSONSchema), so the document and the code cannot drift apart.
import { z } from 'zod';

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'Expected an id');
/** a trait key's pattern */
export const TRAIT_KEY = /^[a-z0-9_.:-]{1,80}$/i;
const traitKey = z.string().regex(TRAIT_KEY, 'Unknown trait');
const isoDate = z.string().describe('ISO 8601 timestamp');
const name = z.string().trim().min(1, 'Enter a name').max(100, 'At most 100 characters');

/* ---------- common ---------- */

export const ErrorBody = z.object({
  error: z.object({
    code: z.enum(['unauthorized', 'not_found', 'invalid_request', 'conflict', 'forbidden', 'rate_limited', 'unavailable', 'unmatched', 'payload_too_large', 'internal']),
    message: z.string(),
    fieldErrors: z.record(z.string(), z.array(z.string())).optional(),
  }),
});

/* ---------- persona sets ---------- */

export const PersonaSetOut = z.object({
  id: uuid,
  name: z.string(),
  slug: z.string(),
  status: z.enum(['queued', 'building', 'ready', 'errored']),
  progress: z.number(),
  currentStep: z.string().nullable(),
  error: z.string().nullable(),
  k: z.number().int().nullable(),
  memberCount: z.number().int().nullable(),
  showInExplore: z.boolean(),
  archived: z.boolean(),
  cohortId: uuid,
  schedule: z.enum(['off', 'daily', 'weekly']),
  buildVersion: z.number().int(),
  builtAt: isoDate.nullable(),
  createdAt: isoDate,
});

export const PersonaOut = z.object({
  id: uuid,
  name: z.string(),
  shortName: z.string(),
  position: z.number().int(),
  size: z.number().int(),
  share: z.number(),
  cohesion: z.number().nullable(),
  salient: z.array(z.unknown()),
  centre: z.record(z.string(), z.unknown()),
});

export const PersonaSetDetailOut = PersonaSetOut.extend({ cohortName: z.string(), personas: z.array(PersonaOut) });
export const PersonaSetListOut = z.object({ data: z.array(PersonaSetOut) });

export const ListPersonaSetsQuery = z.object({
  includeArchived: z.enum(['true', 'false']).default('false').describe('include archived persona sets'),
});

export const CreatePersonaSetBody = z.object({
  name,
  cohortId: uuid,
  traitKeys: z.array(traitKey).min(2).max(40).nullable().optional().describe('clustering traits; omit or null for automatic'),
  k: z.number().int().min(2).max(20).nullable().optional().describe('number of personas; omit or null for automatic'),
});

export const UpdatePersonaSetBody = z
  .object({
    name: name.optional(),
    showInExplore: z.boolean().optional(),
    schedule: z.enum(['off', 'daily', 'weekly']).optional().describe('scheduled scoring of the cohort: off, daily or weekly'),
  })
  .refine((b) => b.name !== undefined || b.showInExplore !== undefined || b.schedule !== undefined, { message: 'Send name, showInExplore or schedule' });

export const RenamePersonaBody = z.object({ name: z.string().trim().min(1).max(80) });

/* ---------- analysis ---------- */

export const DimensionsOut = z.object({
  personaSetId: uuid,
  dimensions: z.array(
    z.object({
      key: z.string(),
      label: z.string(),
      type: z.enum(['numeric', 'ordinal', 'categorical', 'boolean']),
      unit: z.string().nullable(),
      clustering: z.boolean(),
      coverage: z.number(),
      bins: z.array(z.object({ label: z.string(), lo: z.number().nullable(), hi: z.number().nullable() })),
      cohort: z.array(z.number()),
      personas: z.array(
        z.object({
          personaId: uuid,
          shares: z.array(z.number()),
          index: z.array(z.number()),
          mean: z.number().nullable(),
          z: z.number().nullable(),
          salient: z.boolean(),
        }),
      ),
    }),
  ),
});

export const FlowOut = z.object({
  personaSetId: uuid,
  days: z.array(z.string()),
  personas: z.array(z.object({ personaId: uuid, name: z.string().nullable(), counts: z.array(z.number().int()) })),
});

/* ---------- real-time assignment ---------- */

/** a trait value's longest string, and the identity's and external id's (lib/api/assign-body.ts reads bodies by the same rules) */
export const MAX_TRAIT_TEXT = 200;
export const IDENTITY_MAX = { email: 320, firstName: 100, lastName: 100, street: 200, postcode: 20 } as const;
export const MAX_EXTERNAL_ID = 200;

const traitValue = z.union([z.string().max(MAX_TRAIT_TEXT), z.number(), z.boolean(), z.null()]);

export const AssignBody = z
  .object({
    identity: z
      .object({
        email: z.string().max(IDENTITY_MAX.email).optional(),
        firstName: z.string().max(IDENTITY_MAX.firstName).optional(),
        lastName: z.string().max(IDENTITY_MAX.lastName).optional(),
        street: z.string().max(IDENTITY_MAX.street).optional(),
        postcode: z.string().max(IDENTITY_MAX.postcode).optional(),
      })
      .optional()
      .describe('matched to the account’s people by email, else to the identity graph (email, or name + street + postcode)'),
    traits: z
      .record(traitKey, traitValue)
      .optional()
      .describe('raw traits in original form (numbers, category labels, booleans); they take precedence over matched ones'),
    record: z.boolean().default(false).describe('record the contact as a person and store its assignment'),
    externalId: z.string().max(MAX_EXTERNAL_ID).optional().describe('your id for the contact, used when recording'),
  })
  .refine((b) => b.identity !== undefined || b.traits !== undefined, { message: 'Send identity or traits' });

/** the most contacts of one batch call */
export const MAX_BATCH_CONTACTS = 1000;

/** The batch's envelope, read first; each contact is then read on its own, so that its errors are its own. */
export const BatchAssignEnvelope = z.object({
  contacts: z.array(z.unknown()).min(1, 'Send at least one contact').max(MAX_BATCH_CONTACTS, `At most ${MAX_BATCH_CONTACTS} contacts a call`),
});

/** The batch body as documented: its contacts are single assignments' bodies. */
export const BatchAssignBody = z.object({
  contacts: z
    .array(AssignBody)
    .min(1)
    .max(MAX_BATCH_CONTACTS)
    .describe(`1 to ${MAX_BATCH_CONTACTS} contacts, each as the body of a single assignment; one that is invalid gets its own error in the results`),
});

const personaRef = z.object({ id: uuid, name: z.string() });

export const AssignOut = z.object({
  personaSetId: uuid,
  persona: personaRef,
  confidence: z.number().describe('(d2 - d1) / (d2 + d1): 1 at the centre, 0 when equidistant to the runner-up'),
  distance: z.number(),
  runnerUp: personaRef.nullable(),
  margin: z.number(),
  match: z.object({
    method: z.enum(['traits', 'account_person', 'email', 'name_address']),
    personId: z.number().int().nullable(),
    graphId: z.number().int().nullable(),
  }),
  missingTraits: z.array(z.string()),
  recorded: z.object({ personId: z.number().int(), changed: z.boolean() }).nullable(),
});

export const BatchAssignOut = z.object({
  personaSetId: uuid,
  assigned: z.number().int().describe('contacts assigned'),
  failed: z.number().int().describe('contacts with an error of their own'),
  results: z
    .array(
      z.union([
        AssignOut.omit({ personaSetId: true }).extend({ ok: z.literal(true) }),
        z.object({ ok: z.literal(false), error: ErrorBody.shape.error }),
      ]),
    )
    .describe('one per contact, in the order sent'),
});

/* ---------- scoring runs ---------- */

export const ScoringRunOut = z.object({
  id: uuid,
  personaSetId: uuid,
  trigger: z.enum(['build', 'adhoc', 'scheduled', 'api', 'changes']),
  status: z.enum(['queued', 'running', 'done', 'errored']),
  scored: z.number().int(),
  changed: z.number().int(),
  added: z.number().int(),
  removed: z.number().int(),
  chunksTotal: z.number().int(),
  chunksDone: z.number().int(),
  error: z.string().nullable(),
  startedAt: isoDate.nullable(),
  finishedAt: isoDate.nullable(),
  createdAt: isoDate,
});

/* ---------- pipelines ---------- */

export const PipelineOut = z.object({
  id: uuid,
  name: z.string(),
  cohortIds: z.array(uuid),
  personaSetIds: z.array(uuid),
  traitKeys: z.array(z.string()),
  payloadUrl: z.string(),
  createdAt: isoDate,
});
export const PipelineListOut = z.object({ data: z.array(PipelineOut) });

export const CohortOut = z.object({
  id: uuid,
  name: z.string(),
  description: z.string(),
  members: z.number().int(),
  change30d: z.number().int(),
});
export const CohortListOut = z.object({ data: z.array(CohortOut) });

export const CreatePipelineBody = z.object({
  name,
  cohortIds: z.array(uuid).min(1).max(20),
  personaSetIds: z.array(uuid).min(1).max(20),
  traitKeys: z.array(traitKey).max(60).default([]),
});

export const MAX_PAGE = 10_000;
export const PayloadQuery = z.object({
  format: z.enum(['json', 'ndjson', 'csv']).default('json'),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE)
    .optional()
    .describe('rows per page (json: default 1000; ndjson and csv: the whole payload when omitted)'),
  cursor: z.string().max(200).optional().describe('nextCursor of the previous page (opaque)'),
});

export const PayloadPageOut = z.object({
  columns: z.array(z.string()),
  rows: z.array(z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))),
  nextCursor: z.string().nullable(),
});

/* ---------- history: transitions and one person's personas ---------- */

const instant = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2}))?$/, 'Expected YYYY-MM-DD or an ISO timestamp');

export const TransitionsQuery = z.object({
  from: instant.optional().describe('a date (its end, UTC) or an ISO timestamp; default: 30 days before to'),
  to: instant.optional().describe('a date (its end, UTC) or an ISO timestamp; default: now'),
});

const personaOrNone = uuid.nullable().describe('null: not in the set at that instant');

export const TransitionsOut = z.object({
  personaSetId: uuid,
  from: isoDate,
  to: isoDate,
  personas: z.array(z.object({ id: uuid, name: z.string(), position: z.number().int(), retired: z.boolean() })),
  moves: z.array(z.object({ from: personaOrNone, to: personaOrNone, count: z.number().int() })),
  stayed: z.number().int(),
  moved: z.number().int(),
  joined: z.number().int().describe('in the set at to, not at from'),
  left: z.number().int().describe('in the set at from, not at to'),
});

export const PersonHistoryOut = z.object({
  personaSetId: uuid,
  person: z.object({ personId: z.number().int(), email: z.string().nullable(), name: z.string().nullable(), externalId: z.string().nullable() }),
  stays: z.array(
    z.object({
      personaId: uuid,
      personaName: z.string(),
      validFrom: isoDate,
      validTo: isoDate.nullable().describe('null: the current assignment'),
      distance: z.number(),
      scoringRunId: uuid.nullable(),
    }),
  ),
});

const comparedSet = z.object({
  id: uuid,
  name: z.string(),
  cohortName: z.string(),
  members: z.number().int(),
  traits: z.array(z.object({ key: z.string(), label: z.string() })),
  personas: z.array(z.object({ id: uuid, name: z.string(), position: z.number().int(), size: z.number().int() })),
});

export const ComparisonOut = z.object({
  a: comparedSet,
  b: comparedSet,
  shared: z.number().int().describe('people currently in both sets'),
  overlap: z.array(z.object({ aPersonaId: uuid, bPersonaId: uuid, members: z.number().int(), jaccard: z.number() })),
  traits: z.object({ shared: z.array(z.string()), onlyA: z.array(z.string()), onlyB: z.array(z.string()) }),
  pairs: z.array(
    z.object({
      aPersonaId: uuid,
      bPersonaId: uuid.nullable(),
      jaccard: z.number(),
      differences: z.array(z.object({ label: z.string(), a: z.number().nullable(), b: z.number().nullable() })),
    }),
  ),
});

export const DriftAlertListOut = z.object({
  data: z.array(
    z.object({
      id: uuid,
      personaSetId: uuid,
      scoringRunId: uuid.nullable(),
      buildVersion: z.number().int(),
      day: z.string().describe('the day the alert was raised (YYYY-MM-DD)'),
      status: z.enum(['open', 'dismissed', 'rebuild-requested']),
      reasons: z.array(z.string()).describe('what moved, in words'),
      metrics: z.record(z.string(), z.unknown()).describe('share change, population stability index and centre shift'),
      createdAt: isoDate,
    }),
  ),
});
