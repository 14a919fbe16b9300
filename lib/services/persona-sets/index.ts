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
  getCurrentBuildSet,
  markErrored,
  markReady,
  qualityOf,
  setProgress,
  snapshotMembers,
  startBuild,
  withLeftOut,
} from './build';
export { publishAssignments } from './assignments';
export { listBuildTimings, recordBuildTimings, type BuildTiming } from './build-progress';
export { computeAnalysis, computeDimensionAnalysis, getAnalysis, getDimensionAnalyses, listDimensionAnalyses } from './analysis';
export { dimensionFromCounts, numericBinLabels } from './dimension';
export { SCORING_CHUNK, explainScoringError, failScoringRun, finishScoringRunIfComplete, scoreChunk, startScoringRun } from './scoring';
export { assignContact, assignContactNow, assignContacts, decodeGraphTraits, forgetPersonaSetModel, resetModelCache } from './realtime';
export type { AssignContactInput, AssignContactResult, BatchContactResult, ContactIdentity } from './realtime';
export { DEFAULT_CLUSTERING_TRAITS, getAssignmentConfidence, getExploreSets, listCohortOptions, listTraitOptions } from './views';
export { SCHEDULE_PERIOD_MS, SCORING_SCHEDULES, dueScheduledSets, listSetsWithChanges, listScoringRuns, setScoringSchedule, type ScoringSchedule } from './schedule';
export { findPeople, flowFromHistory, getPersonHistory, getTransitions, parseInstant } from './history';
export type { PersonHistory, PersonMatch, Transitions } from './history';
export { comparePersonaSets, listComparableSets } from './compare';
export type { ComparedSet, SetComparison } from './compare';
export {
  DRIFT_THRESHOLDS,
  checkDriftAfterRun,
  driftMetrics,
  driftReasons,
  emailDriftAlert,
  isWatching,
  listDriftAlerts,
  measureDrift,
  resolveDriftAlert,
  setWatching,
} from './drift';
export type { DriftAlertView } from './drift';
export { emailBuildOutcome, getNotificationSettings, readyEmailRecipients, setNotifyApiSetsReady } from './notifications';
