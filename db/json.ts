// The shapes of the JSON the tables store, as zod schemas, and a parser per column for the code that reads it back.
// JSON keeps neither NaN nor undefined: a number written as NaN or Infinity comes back as null and an undefined
// field as missing (or null, from SQL), so the schemas read null numbers as NaN and null optionals as absent.
import { z } from 'zod';
import type { AvatarSpec, KCandidate, PersonaModel, SalientTrait, SelectionReportRow, TraitWords } from '@/lib/clustering/types';
import { cohortDefinitionSchema, type CohortDefinition } from '@/lib/cohorts/definition';

/* ---------- building blocks ---------- */

/** A stored number: null is what JSON made of NaN or ±Infinity. */
const num = z.union([z.number(), z.null().transform(() => NaN)]);
const int = z.number().int();
/** An optional field that SQL may have written as null. */
const opt = <T extends z.ZodType>(schema: T) =>
  z
    .union([schema, z.null()])
    .optional()
    .transform((v) => (v === null ? undefined : v) as z.output<T> | undefined)
    .optional();

/** Two types are the same, not merely assignable (catches a field the schema forgot, optional ones too). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function sameShape<_ extends true>(): void {}

/* ---------- the model (lib/clustering) ---------- */

const wordSchema = z.object({ adj: opt(z.string()), noun: opt(z.string()) });
export const traitWordsSchema = z.object({
  high: opt(wordSchema),
  low: opt(wordSchema),
  true: opt(wordSchema),
  false: opt(wordSchema),
  values: opt(z.record(z.string(), wordSchema)),
});

const traitType = z.enum(['numeric', 'ordinal', 'categorical', 'boolean']);
const traitSpecSchema = z.object({
  key: z.string(),
  label: z.string(),
  type: traitType,
  categories: opt(z.array(z.string())),
  skewed: opt(z.boolean()),
  unit: opt(z.string()),
  words: opt(traitWordsSchema),
  role: opt(z.enum(['age', 'gender', 'children', 'householdSize', 'income', 'married', 'homeowner', 'urbanicity'])),
  badge: opt(z.string()),
});

const scaled = { offset: int, impute: num, centre: num, scale: num, weight: num, coverage: num };
const encodedTraitSchema = z.discriminatedUnion('type', [
  z.object({ key: z.string(), type: z.enum(['numeric', 'ordinal']), ...scaled, log: z.boolean(), levels: opt(z.array(z.string())) }),
  z.object({ key: z.string(), type: z.literal('boolean'), ...scaled }),
  z.object({
    key: z.string(),
    type: z.literal('categorical'),
    offset: int,
    categories: z.array(z.string()),
    shares: z.array(num),
    weight: num,
    coverage: num,
  }),
]);

export const personaModelSchema = z.object({
  version: z.literal(1),
  encoder: z.object({
    version: z.literal(1),
    d: int,
    traits: z.array(encodedTraitSchema),
    specs: z.array(traitSpecSchema),
  }),
  k: int,
  centroids: z.array(z.array(num)),
  means: z.array(z.array(num)).optional(),
  names: z.array(z.string()),
  shortNames: z.array(z.string()),
  typicalDistance: z.array(num),
});

export const avatarSpecSchema = z.object({
  ageBand: z.enum(['young', 'adult', 'middle', 'senior']),
  gender: z.enum(['female', 'male', 'mixed']),
  household: z.enum(['single', 'couple', 'family']),
  badges: z.array(z.string()),
  hue: num,
  seed: num,
});

export const salientTraitSchema = z.object({
  key: z.string(),
  label: z.string(),
  z: num,
  direction: z.enum(['high', 'low']),
  category: opt(z.string()),
  value: num,
  cohortValue: num,
});
export const salientTraitsSchema = z.array(salientTraitSchema);

/** A persona's centre in original units: a number per trait, a share per category for categorical traits. */
export const personaCentreSchema = z.record(z.string(), z.union([num, z.record(z.string(), num)]));
export type PersonaCentre = z.output<typeof personaCentreSchema>;

const selectionReportRowSchema = z.object({ key: z.string(), chosen: z.boolean(), reason: z.string(), score: num, coverage: num });

sameShape<Same<z.output<typeof personaModelSchema>, PersonaModel>>();
sameShape<Same<z.output<typeof avatarSpecSchema>, AvatarSpec>>();
sameShape<Same<z.output<typeof salientTraitSchema>, SalientTrait>>();
sameShape<Same<z.output<typeof traitWordsSchema>, TraitWords>>();
sameShape<Same<z.output<typeof selectionReportRowSchema>, SelectionReportRow>>();

/* ---------- persona_sets: selection, quality, draft ---------- */

/** persona_sets.selection: the traits a build clustered on, who chose them, and the automatic choice's report. */
export const traitSelectionSchema = z.object({
  traits: z.array(z.string()),
  chosenBy: z.enum(['analyst', 'automatic']),
  report: z.array(selectionReportRowSchema),
});
export type TraitSelection = z.output<typeof traitSelectionSchema>;

const kCandidateSchema = z.object({
  k: int,
  silhouette: num,
  minShare: num,
  stability: opt(num),
  inertia: num,
  /** BIC of the mixture model fitted from this candidate (the engine's choice of k) */
  bic: opt(num),
  eligible: z.boolean(),
});
sameShape<Same<z.output<typeof kCandidateSchema>, KCandidate>>();

/** persona_sets.quality (and a draft's): how well the personas separate, and how k was chosen. */
export const buildQualitySchema = z.object({
  silhouette: num,
  stability: num,
  /** per persona: mean distance of members to the centre */
  cohesion: z.array(num),
  inertia: num,
  kCandidates: z.array(kCandidateSchema),
  kReason: z.string(),
  warnings: z.array(z.string()),
  timings: z.record(z.string(), num),
});
export type BuildQuality = z.output<typeof buildQualitySchema>;

/**
 * persona_sets.build_timings: milliseconds of one build's steps (`kind` 'step', as the job runs them) and of the
 * phases inside them ('phase': "Writing assignments", "Writing assignments › copy"), in the order they finished.
 */
export const buildTimingsSchema = z.object({
  buildVersion: int,
  steps: z.array(z.object({ name: z.string(), kind: z.enum(['step', 'phase']), ms: num })),
});
export type BuildTimings = z.output<typeof buildTimingsSchema>;

export const draftPersonaSchema = z.object({
  id: z.string(),
  position: int,
  name: z.string(),
  shortName: z.string(),
  avatar: avatarSpecSchema,
  size: int,
  share: num,
  centre: personaCentreSchema,
  centroid: z.array(num),
  salient: salientTraitsSchema,
  cohesion: num,
});
export type DraftPersona = z.output<typeof draftPersonaSchema>;

/** persona_sets.draft: the fitted result of the build in progress, published with its assignments. */
export const buildDraftSchema = z.object({
  buildVersion: int,
  model: personaModelSchema,
  traits: z.array(z.string()),
  personas: z.array(draftPersonaSchema),
  retiredIds: z.array(z.string()),
  quality: buildQualitySchema,
  members: int,
});
export type BuildDraft = z.output<typeof buildDraftSchema>;

/* ---------- persona_set_analyses.data, one shape per kind ---------- */

export const dimensionAnalysisSchema = z.object({
  key: z.string(),
  label: z.string(),
  type: traitType,
  unit: opt(z.string()),
  /** used to cluster this set */
  clustering: z.boolean(),
  coverage: num,
  bins: z.array(z.object({ label: z.string(), lo: opt(num), hi: opt(num) })),
  /** share of the whole cohort per bin (sums to 1 over known values) */
  cohort: z.array(num),
  cohortMean: opt(num),
  personas: z.array(
    z.object({
      personaId: z.string(),
      shares: z.array(num),
      /** share / cohort share × 100 per bin */
      index: z.array(num),
      mean: opt(num),
      /** standardized difference of the persona from the cohort (numeric, ordinal, boolean) */
      z: opt(num),
      salient: z.boolean(),
    }),
  ),
});
export type DimensionAnalysis = z.output<typeof dimensionAnalysisSchema>;

export const revenueAnalysisSchema = z.object({
  totalRevenue: num,
  totalOrders: int,
  customers: int,
  personas: z.array(
    z.object({
      personaId: z.string(),
      revenue: num,
      revenueShare: num,
      orders: int,
      customers: int,
      members: int,
      aov: num,
      ordersPerCustomer: num,
      revenuePerCustomer: num,
      topProducts: z.array(
        z.object({ product: z.string(), category: z.string().nullable(), revenue: num, orders: int, share: num }),
      ),
    }),
  ),
});
export type RevenueAnalysis = z.output<typeof revenueAnalysisSchema>;

export const flowAnalysisSchema = z.object({
  /** YYYY-MM-DD, one per day */
  days: z.array(z.string()),
  personas: z.array(z.object({ personaId: z.string(), counts: z.array(int) })),
});
export type FlowAnalysis = z.output<typeof flowAnalysisSchema>;

export const geoAnalysisSchema = z.object({
  states: z.array(z.object({ state: z.string(), total: int, counts: z.record(z.string(), int) })),
});
export type GeoAnalysis = z.output<typeof geoAnalysisSchema>;

export const analysisSchemas = {
  dimension: dimensionAnalysisSchema,
  revenue: revenueAnalysisSchema,
  flow: flowAnalysisSchema,
  geo: geoAnalysisSchema,
} as const;
export type AnalysisKind = keyof typeof analysisSchemas;
export type AnalysisOf<K extends AnalysisKind> = z.output<(typeof analysisSchemas)[K]>;
export type AnalysisData = AnalysisOf<AnalysisKind>;

/* ---------- other tables ---------- */

/** datasets.mapping: CSV header → target field (or 'ignore'). */
export const datasetMappingSchema = z.record(z.string(), z.string());

/** pipelines: what a pipeline delivers (three JSON lists on the row). */
export const pipelineConfigSchema = z.object({
  cohortIds: z.array(z.string().uuid()),
  personaSetIds: z.array(z.string().uuid()),
  traitKeys: z.array(z.string()),
});
export type PipelineConfig = z.output<typeof pipelineConfigSchema>;

/** job_runs.event: the Inngest event that started the run, kept whole (the SDK gets it back as it was sent). */
export const storedEventSchema = z.looseObject({
  name: z.string().min(1),
  data: opt(z.record(z.string(), z.unknown())),
  id: opt(z.string()),
  ts: opt(z.number()),
  v: opt(z.string()),
});
export type StoredEvent = z.output<typeof storedEventSchema>;

/* ---------- parsers ---------- */

/** Stored JSON that does not have its column's shape: a bug or a hand edit, never user input. */
export class StoredJsonError extends Error {
  constructor(
    readonly column: string,
    readonly issues: z.core.$ZodIssue[],
  ) {
    const where = issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    super(`${column} holds JSON of an unexpected shape (${where}${issues.length > 3 ? `; and ${issues.length - 3} more` : ''})`);
    this.name = 'StoredJsonError';
  }
}

function parserOf<S extends z.ZodType>(schema: S, column: string): (value: unknown) => z.output<S> {
  return (value) => {
    const r = schema.safeParse(value);
    if (!r.success) throw new StoredJsonError(column, r.error.issues);
    return r.data;
  };
}

export const parsePersonaModel: (value: unknown) => PersonaModel = parserOf(personaModelSchema, 'persona_sets.model');
export const parseBuildDraft = parserOf(buildDraftSchema, 'persona_sets.draft');
export const parseBuildQuality = parserOf(buildQualitySchema, 'persona_sets.quality');
export const parseBuildTimings = parserOf(buildTimingsSchema, 'persona_sets.build_timings');
export const parseTraitSelection = parserOf(traitSelectionSchema, 'persona_sets.selection');
export const parseAvatarSpec: (value: unknown) => AvatarSpec = parserOf(avatarSpecSchema, 'personas.avatar');
export const parsePersonaCentre = parserOf(personaCentreSchema, 'personas.centre');
export const parseSalientTraits: (value: unknown) => SalientTrait[] = parserOf(salientTraitsSchema, 'personas.salient');
export const parseTraitWords: (value: unknown) => TraitWords = parserOf(traitWordsSchema, 'traits.words');
export const parseCohortDefinition: (value: unknown) => CohortDefinition = parserOf(cohortDefinitionSchema, 'cohorts.definition');
export const parseDatasetMapping = parserOf(datasetMappingSchema, 'datasets.mapping');
export const parsePipelineConfig = parserOf(pipelineConfigSchema, 'pipelines (cohort_ids, persona_set_ids, trait_keys)');
export const parseStoredEvent = parserOf(storedEventSchema, 'job_runs.event');

const analysisParsers = {
  dimension: parserOf(dimensionAnalysisSchema, 'persona_set_analyses.data (dimension)'),
  revenue: parserOf(revenueAnalysisSchema, 'persona_set_analyses.data (revenue)'),
  flow: parserOf(flowAnalysisSchema, 'persona_set_analyses.data (flow)'),
  geo: parserOf(geoAnalysisSchema, 'persona_set_analyses.data (geo)'),
};

/** persona_set_analyses.data of one kind. */
export function parseAnalysis<K extends AnalysisKind>(kind: K, value: unknown): AnalysisOf<K> {
  const parse = analysisParsers[kind];
  if (!parse) throw new Error(`unknown analysis kind: ${String(kind)}`);
  return parse(value) as AnalysisOf<K>;
}
export const parseDimensionAnalysis = analysisParsers.dimension;
export const parseRevenueAnalysis = analysisParsers.revenue;
export const parseFlowAnalysis = analysisParsers.flow;
export const parseGeoAnalysis = analysisParsers.geo;
