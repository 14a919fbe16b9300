export type TraitType = 'numeric' | 'ordinal' | 'categorical' | 'boolean';

/** Naming vocabulary, e.g. {adj:'Affluent'}, {noun:'Parents', adj:'Family'}. */
export interface Word {
  adj?: string;
  noun?: string;
}

export interface TraitWords {
  high?: Word;
  low?: Word;
  true?: Word;
  false?: Word;
  values?: Record<string, Word>;
}

export type TraitRole =
  | 'age'
  | 'gender'
  | 'children'
  | 'householdSize'
  | 'income'
  | 'married'
  | 'homeowner'
  | 'urbanicity';

export interface TraitSpec {
  key: string;
  label: string;
  type: TraitType;
  /** categorical: code i <-> categories[i]; ordinal: level labels in order (code = level index) */
  categories?: string[];
  /** money-like: log1p before robust scaling */
  skewed?: boolean;
  unit?: string;
  words?: TraitWords;
  /** used for the avatar */
  role?: TraitRole;
  /** avatar badge shown when this boolean trait is salient-high, e.g. 'dog', 'outdoors', 'tech' */
  badge?: string;
}

/** Columnar; NaN = missing; categorical/ordinal as integer codes; boolean 0/1. */
export interface TraitTable {
  n: number;
  traits: TraitSpec[];
  columns: Float64Array[] | Float32Array[];
}

export type RecordValue = number | string | boolean | null | undefined;

export interface AvatarSpec {
  ageBand: 'young' | 'adult' | 'middle' | 'senior';
  gender: 'female' | 'male' | 'mixed';
  household: 'single' | 'couple' | 'family';
  /** up to 3 */
  badges: string[];
  /** 0..359, distinct per persona in a set */
  hue: number;
  seed: number;
}

/** How one trait is turned into matrix columns. */
export type EncodedTrait =
  | {
      key: string;
      type: 'numeric' | 'ordinal';
      /** first matrix column */
      offset: number;
      log: boolean;
      /** value used for missing cells (in original units) */
      impute: number;
      centre: number;
      scale: number;
      weight: number;
      coverage: number;
      levels?: string[];
    }
  | {
      key: string;
      type: 'boolean';
      offset: number;
      impute: number;
      centre: number;
      scale: number;
      weight: number;
      coverage: number;
    }
  | {
      key: string;
      type: 'categorical';
      offset: number;
      categories: string[];
      /** share of each category among known cells: missing cells get these shares */
      shares: number[];
      /** per one-hot column */
      weight: number;
      coverage: number;
    };

export interface Encoder {
  version: 1;
  d: number;
  traits: EncodedTrait[];
  /** specs of the encoded traits, kept for describing and scoring */
  specs: TraitSpec[];
}

export interface PersonaModel {
  version: 1;
  encoder: Encoder;
  k: number;
  centroids: number[][];
  /**
   * each persona's mean of its members' encoded rows at the build, in the centroids' space: what drift compares
   * today's members with (the centres are where the fit stopped, which need not be their members' mean)
   */
  means?: number[][];
  names: string[];
  shortNames: string[];
  /** typical distance of members to their centre, per persona (median), used for confidence */
  typicalDistance: number[];
}

export interface SalientTrait {
  key: string;
  label: string;
  /** standardized difference from the whole cohort (or share difference for categories) */
  z: number;
  direction: 'high' | 'low';
  /** category value when the trait is categorical */
  category?: string;
  value: number;
  cohortValue: number;
}

export interface Persona {
  index: number;
  size: number;
  share: number;
  centre: Record<string, number | Record<string, number>>;
  salient: SalientTrait[];
  name: string;
  shortName: string;
  avatar: AvatarSpec;
  /** mean distance of members to the centre (encoded units) */
  cohesion: number;
}

export interface SelectionReportRow {
  key: string;
  chosen: boolean;
  reason: string;
  score: number;
  coverage: number;
}

export interface SelectionResult {
  selected: string[];
  report: SelectionReportRow[];
}

export interface KCandidate {
  k: number;
  silhouette: number;
  minShare: number;
  stability?: number;
  inertia: number;
  /** BIC of the mixed-type mixture model fitted from this candidate's partition (lower fits better) */
  bic?: number;
  eligible: boolean;
}

export interface Assignment {
  labels: Int32Array;
  distances: Float32Array;
  runnerUp: Int32Array;
  margins: Float32Array;
}

export interface Quality {
  silhouette: number;
  stability: number;
  cohesion: number[];
}

export interface PersonaSetResult {
  model: PersonaModel;
  k: number;
  traits: string[];
  selection: SelectionResult | 'caller-chosen';
  kCandidates: KCandidate[];
  kReason: string;
  inertia: number;
  quality: Quality;
  labels: Int32Array;
  distances: Float32Array;
  runnerUp: Int32Array;
  margins: Float32Array;
  personas: Persona[];
  /** traits left out after the fit because they split every persona the same way (nuisance.ts), with the reason */
  leftOut: { key: string; reason: string }[];
  /** things the caller should know: dropped traits, reduced k, duplicates ... */
  warnings: string[];
  timings: Record<string, number>;
}
