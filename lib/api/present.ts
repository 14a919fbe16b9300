// Row → API shape (ISO dates, no internal columns).
import type { Persona, PersonaSet, Pipeline, ScoringRun } from '@/db/schema';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function presentPersonaSet(s: PersonaSet) {
  return {
    id: s.id,
    name: s.name,
    slug: s.slug,
    status: s.status,
    progress: s.progress,
    currentStep: s.currentStep,
    error: s.error,
    k: s.k,
    memberCount: s.memberCount,
    showInExplore: s.showInExplore,
    archived: s.archivedAt !== null,
    cohortId: s.cohortId,
    schedule: s.schedule,
    buildVersion: s.buildVersion,
    builtAt: iso(s.builtAt),
    createdAt: iso(s.createdAt)!,
  };
}

export function presentPersona(p: Persona) {
  return {
    id: p.id,
    name: p.name,
    shortName: p.shortName,
    position: p.position,
    size: p.size,
    share: p.share,
    cohesion: p.cohesion,
    salient: p.salient,
    centre: p.centre,
  };
}

export function presentScoringRun(r: ScoringRun) {
  return {
    id: r.id,
    personaSetId: r.personaSetId,
    trigger: r.trigger,
    status: r.status,
    scored: r.scored,
    changed: r.changed,
    added: r.added,
    removed: r.removed,
    chunksTotal: r.chunksTotal,
    chunksDone: r.chunksDone,
    error: r.error,
    startedAt: iso(r.startedAt),
    finishedAt: iso(r.finishedAt),
    createdAt: iso(r.createdAt)!,
  };
}

export function presentPipeline(p: Pipeline) {
  return {
    id: p.id,
    name: p.name,
    cohortIds: p.cohortIds,
    personaSetIds: p.personaSetIds,
    traitKeys: p.traitKeys,
    payloadUrl: `/api/v1/pipelines/${p.id}/payload`,
    createdAt: iso(p.createdAt)!,
  };
}
