// Plain words for a set's quality figures and its members' assignment confidence.

export interface SetQuality {
  silhouette?: number;
  stability?: number;
}

export function toQuality(raw: unknown): SetQuality {
  const q = (raw ?? {}) as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  return { silhouette: num(q.silhouette), stability: num(q.stability) };
}

/** Silhouette (-1..1): how far apart the personas are compared with how spread out each is. */
export function describeSeparation(silhouette: number | undefined): { title: string; detail: string; tone: 'good' | 'fair' | 'weak' } | null {
  if (silhouette === undefined) return null;
  const s = silhouette.toFixed(2);
  if (silhouette >= 0.5) return { title: 'Clear, well-separated personas', detail: `Members sit close to their own persona and far from the others (silhouette ${s}).`, tone: 'good' };
  if (silhouette >= 0.25)
    return { title: 'Distinct personas with some overlap', detail: `Most members clearly belong to one persona; some sit between two (silhouette ${s}).`, tone: 'good' };
  if (silhouette >= 0.1)
    return { title: 'Overlapping personas', detail: `The personas describe real tendencies, but many members sit between two (silhouette ${s}).`, tone: 'fair' };
  return { title: 'Weakly separated personas', detail: `This cohort has little structure on these traits; try other traits (silhouette ${s}).`, tone: 'weak' };
}

/** Stability (0..1): agreement of rebuilds on other samples of the cohort. */
export function describeStability(stability: number | undefined): { title: string; detail: string; tone: 'good' | 'fair' | 'weak' } | null {
  if (stability === undefined) return null;
  const pct = `${Math.round(Math.max(0, Math.min(1, stability)) * 100)}%`;
  if (stability >= 0.8) return { title: 'Stable', detail: `Rebuilding on other samples gives the same personas ${pct} of the time.`, tone: 'good' };
  if (stability >= 0.6) return { title: 'Fairly stable', detail: `Rebuilding on other samples gives the same personas ${pct} of the time; the smaller personas may shift.`, tone: 'fair' };
  return { title: 'Unstable', detail: `Rebuilding on other samples gives the same personas only ${pct} of the time; treat the split with care.`, tone: 'weak' };
}

/** One sentence on how confidently a persona's members belong to it. */
export function describeConfidence(clearShare: number, runnerUpName: string | null, runnerUpShare: number): string {
  const pct = Math.round(clearShare * 100);
  const lead = pct >= 75 ? `${pct}% of members clearly belong here` : pct >= 50 ? `${pct}% of members clearly belong here` : `Only ${pct}% of members clearly belong here`;
  if (!runnerUpName || runnerUpShare <= 0) return `${lead}.`;
  return `${lead}; for ${Math.round(runnerUpShare * 100)}% of members the next closest persona is ${runnerUpName}.`;
}

/** Persona colours: the theme's categorical chart palette by position. */
export function personaColor(position: number): string {
  return `var(--chart-${(((position % 8) + 8) % 8) + 1})`;
}
