// The persona-set wing of the data-access layer. Callers import from here, never from the files behind it.
import 'server-only';

export * from './types';
export {
  clusteringTraitKeys,
  createPersonaSet,
  deletePersonaSet,
  getBuildProgress,
  getPersonaSetDetail,
  getPersonaSetOrThrow,
  getScoringRunOrThrow,
  listPersonaSets,
  listPersonas,
  renamePersona,
  requestRebuild,
  requestScoring,
  setPersonaSetArchived,
  updatePersonaSet,
} from './sets';
export {
  BuildSupersededError,
  chooseTraits,
  draftPersona,
  explainBuildError,
  fitPersonas,
  getBuildNotice,
  getCurrentBuildSet,
  markErrored,
  markReady,
  qualityOf,
  setProgress,
  snapshotMembers,
  startBuild,
} from './build';
export { publishAssignments } from './assignments';
export { computeAnalysis, computeDimensionAnalysis, getAnalysis, getDimensionAnalyses, listDimensionAnalyses } from './analysis';
export { dimensionFromCounts, numericBinLabels } from './dimension';
export { SCORING_CHUNK, failScoringRun, finishScoringRunIfComplete, scoreChunk, startScoringRun } from './scoring';
export { assignContact, decodeGraphTraits, forgetPersonaSetModel, resetModelCache } from './realtime';
export type { AssignContactInput, AssignContactResult, ContactIdentity } from './realtime';
export { DEFAULT_CLUSTERING_TRAITS, getAssignmentConfidence, getExploreSets, listCohortOptions, listTraitOptions } from './views';
export { SCHEDULE_PERIOD_MS, SCORING_SCHEDULES, dueScheduledSets, listScoringRuns, setScoringSchedule, type ScoringSchedule } from './schedule';
