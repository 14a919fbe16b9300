import { createElement as h } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { PersonaAvatar, describeAvatar, toAvatarSpec, type AvatarSpec } from '@/components/personas/persona-avatar';

const base: AvatarSpec = { ageBand: 'adult', gender: 'female', household: 'single', badges: [], hue: 200, seed: 11 };
const render = (spec: Partial<AvatarSpec>) => renderToStaticMarkup(h(PersonaAvatar, { avatar: { ...base, ...spec } }));
const count = (html: string, re: RegExp) => (html.match(re) ?? []).length;

describe('PersonaAvatar', () => {
  it('draws one, two or three figures for single, couple and family households', () => {
    expect(count(render({ household: 'single' }), /data-figure=/g)).toBe(1);
    expect(count(render({ household: 'couple' }), /data-figure=/g)).toBe(2);
    const family = render({ household: 'family' });
    expect(count(family, /data-figure=/g)).toBe(3);
    expect(family).toContain('data-figure="child"');
  });

  it('gives a mixed couple a woman and a man', () => {
    const html = render({ household: 'couple', gender: 'mixed' });
    expect(html).toContain('data-figure="female"');
    expect(html).toContain('data-figure="male"');
  });

  it('draws every distinct spec differently', () => {
    const specs: Partial<AvatarSpec>[] = [
      {},
      { ageBand: 'young' },
      { ageBand: 'senior' },
      { ageBand: 'middle' },
      { gender: 'male' },
      { gender: 'mixed' },
      { household: 'couple' },
      { household: 'family' },
      { badges: ['dog'] },
      { badges: ['dog', 'travel'] },
      { badges: ['tech'] },
      { hue: 20 },
    ];
    const out = specs.map(render);
    expect(new Set(out).size).toBe(specs.length);
  });

  it('marks age with grey hair and glasses for seniors only', () => {
    const senior = render({ ageBand: 'senior', gender: 'male' });
    const young = render({ ageBand: 'young', gender: 'male' });
    expect(senior).toContain('data-glasses="round"');
    expect(young).not.toContain('data-glasses');
  });

  it('shows up to three interest badges as icons and names them', () => {
    const html = render({ badges: ['dog', 'outdoors', 'wine', 'books'] });
    expect(count(html, /data-badge=/g)).toBe(3);
    expect(html).toContain('data-badge="dog"');
    expect(html).toContain('lucide-dog');
    expect(describeAvatar(toAvatarSpec({ ...base, badges: ['dog', 'outdoors'] }))).toBe('Avatar: adult a woman, with dog, outdoor life');
  });

  it('uses the hue for the background', () => {
    expect(render({ hue: 33 })).toContain('hsl(33 70% 88%)');
  });

  it('survives a malformed stored spec', () => {
    const spec = toAvatarSpec({ ageBand: 'ancient', gender: 42, badges: 'dog', hue: 725, seed: -5 });
    expect(spec).toEqual({ ageBand: 'adult', gender: 'mixed', household: 'single', badges: [], hue: 5, seed: 5 });
    expect(renderToStaticMarkup(h(PersonaAvatar, { avatar: null }))).toContain('<svg');
  });
});
