// The shapes the persona-set wing answers and stores. The stored JSON shapes (model, draft, selection, analyses)
// are defined once, with their parsers, in db/json.ts; they are re-exported here for the wing's callers.
import type { GeoAnalysis } from '@/db/json';
import type { PersonaSet } from '@/db/schema';
import type { AvatarSpec } from '@/lib/clustering';

export type {
  BuildDraft,
  BuildQuality,
  DimensionAnalysis,
  DraftPersona,
  FlowAnalysis,
  GeoAnalysis,
  RevenueAnalysis,
  TraitSelection,
  AnalysisKind,
  AnalysisOf,
} from '@/db/json';
export type { PersonaModel } from '@/lib/clustering';

export type PersonaSetStatus = PersonaSet['status'];

/** One build of one set: the version a build job works on (a newer request supersedes it). */
export interface BuildRef {
  personaSetId: string;
  buildVersion: number;
}

/** A build as the pages show it while it runs. */
export interface BuildProgress {
  id: string;
  status: PersonaSetStatus;
  /** 0..1 of the whole build */
  progress: number;
  currentStep: string | null;
  /** what the step has done so far, e.g. "40,000 of 100,000 members written · 3 s" */
  stepDetail: string | null;
  error: string | null;
}

export interface PersonaSetListItem {
  id: string;
  name: string;
  slug: string;
  status: PersonaSetStatus;
  progress: number;
  currentStep: string | null;
  stepDetail: string | null;
  error: string | null;
  k: number | null;
  memberCount: number | null;
  showInExplore: boolean;
  archived: boolean;
  cohortId: string;
  cohortName: string;
  cohortMembers: number;
  builtAt: Date | null;
  schedule: 'off' | 'daily' | 'weekly';
  createdAt: Date;
}

export interface CreatePersonaSetInput {
  name: string;
  cohortId: string;
  traitKeys?: string[] | null;
  k?: number | null;
  /** how the set was asked for: API-created sets have no creator to email, so opted-in members are told */
  via?: 'app' | 'api';
}

export interface CohortOption {
  id: string;
  name: string;
  members: number;
}

export interface TraitOption {
  key: string;
  label: string;
  category: string;
  type: 'numeric' | 'ordinal' | 'categorical' | 'boolean';
  description: string;
  unit?: string;
  source: 'graph' | 'custom';
}

export interface PersonaConfidence {
  personaId: string;
  members: number;
  /** median of (runner-up distance − distance) / runner-up distance: 0 = on the border, 1 = at the centre */
  medianMargin: number;
  /** share of members clearly closer to this persona than to any other (relative margin ≥ 0.15) */
  clearShare: number;
  /** the persona most members would otherwise belong to */
  runnerUpPersonaId: string | null;
  runnerUpShare: number;
}

export interface ExplorePersona {
  id: string;
  name: string;
  position: number;
  size: number;
  share: number;
  avatar: AvatarSpec;
}

export interface ExploreSet {
  id: string;
  name: string;
  cohortName: string;
  personas: ExplorePersona[];
  geo: GeoAnalysis | null;
}
