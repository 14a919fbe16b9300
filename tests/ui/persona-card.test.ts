// A persona card over a set that clusters on many traits: what sets the persona apart first, at least six traits
// shown, the rest folded.
import { createElement as h } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { PersonaCard, type PersonaCardData } from '@/components/personas/persona-card';
import type { DimensionAnalysis } from '@/db/json';

const dim = (key: string): DimensionAnalysis => ({
  key, label: `Trait ${key}`, type: 'numeric', clustering: true, coverage: 1,
  bins: [{ label: 'low', lo: 0, hi: 1 }, { label: 'high', lo: 1, hi: 2 }], cohort: [0.5, 0.5], cohortMean: 1,
  personas: [{ personaId: 'p1', shares: [0.3, 0.7], index: [60, 140], mean: 1.2, z: 0.6, salient: true }],
});
const persona = (salient: string[]): PersonaCardData => ({
  id: 'p1', personaSetId: 's1', name: 'Test persona', shortName: 'Tests', avatar: null, size: 100, share: 0.1, color: '#336699',
  salient: salient.map((key, i) => ({ key, label: `Trait ${key}`, z: 2 - i * 0.1, direction: 'high', value: 2, cohortValue: 1 })),
});
const render = (keys: string[], salient: string[]) =>
  renderToStaticMarkup(h(PersonaCard, { persona: persona(salient), dimensions: keys.map(dim), renamePersonaAction: async () => ({ ok: true }) } as never));
/** labels of the rows inside the list with this aria-label */
const rowsOf = (html: string, label: string) => {
  const at = html.indexOf(`aria-label="${label}"`);
  if (at < 0) return [];
  const list = html.slice(at, html.indexOf('</ul>', at));
  return [...new Set([...list.matchAll(/Trait (t\d+)/g)].map((m) => m[1]))];
};

describe('persona card', () => {
  const keys = Array.from({ length: 30 }, (_, i) => `t${i}`);
  it('shows the traits that set the persona apart first, fills up to six, and folds the other traits', () => {
    const html = render(keys, ['t9', 't3']);
    expect(rowsOf(html, 'Clustering traits, persona against the cohort')).toEqual(['t9', 't3', 't0', 't1', 't2', 't4']);
    const folded = rowsOf(html, 'Other clustering traits, persona against the cohort');
    expect(folded).toHaveLength(24);
    expect(folded).not.toContain('t9');
    expect(html).toContain('The other 24 traits');
    expect(html).toMatch(/<details/);
  });

  it('shows every salient trait however many, and folds nothing when few traits are left', () => {
    const salient = keys.slice(0, 12);
    expect(rowsOf(render(keys, salient), 'Clustering traits, persona against the cohort')).toEqual(salient);
    const few = render(keys.slice(0, 5), ['t1']);
    expect(rowsOf(few, 'Clustering traits, persona against the cohort')).toHaveLength(5);
    expect(few).not.toMatch(/<details/);
  });
});
