import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sameOriginPath } from '@/lib/redirect';

const ORIGIN = 'https://facet.example';
const FALLBACK = '/persona-sets';

// pieces a hostile `next` is made of: separators browsers treat alike, schemes, hosts, encodings, control and odd
// unicode characters
const pieces = [
  '/', '//', '\\', '/\\', '\\\\', '%2f', '%2F', '%5c', '%5C', '%252f', '%25', '%', '%0a', '%09', '%00', '.', '..', './', '../',
  ':', '@', '?', '#', '&', '=', 'javascript:', 'JaVaScRiPt:', 'data:', 'vbscript:', 'http:', 'https:', 'file:', 'evil.example',
  'facet.example', 'localhost', '127.0.0.1', '[::1]', '\t', '\n', '\r', '\u0000', '\u0001', '\u001f', '\u007f', ' ', '\u00a0',
  '\u2028', '\u200b', '\u200e', '\ufeff', '\u3000', '\uff0f', '\uff3c', '\u2215', '\u29f5', 'é', '😀', 'persona-sets', 'a', 'b=c',
];

const hostile = fc.oneof(
  fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 8 }).map((xs) => xs.join('')),
  fc.tuple(fc.constantFrom('/', '//', '\\', '/\\', '/%2f', ''), fc.string({ maxLength: 30, unit: 'grapheme' })).map(([a, b]) => a + b),
  fc.webUrl().map((u) => u),
  fc.webUrl().map((u) => u.replace(/^https?:/, '')),
  fc.string({ maxLength: 40, unit: 'binary' }),
);

describe('the redirect target after sign-in', () => {
  it('accepts only paths that resolve to this origin, whatever the input (fast-check, 20,000 cases)', () => {
    let accepted = 0;
    fc.assert(
      fc.property(hostile, (value) => {
        const out = sameOriginPath(value, FALLBACK);
        if (out !== FALLBACK) accepted++;
        // what is returned stays on the origin, against the root and against a nested page as base
        expect(new URL(out, ORIGIN).origin).toBe(ORIGIN);
        expect(new URL(out, `${ORIGIN}/a/b/c`).origin).toBe(ORIGIN);
        // an accepted value is itself a same-origin path, as the brief of the check says
        if (out !== FALLBACK) expect(new URL(value, ORIGIN).origin).toBe(ORIGIN);
        expect(out.startsWith('/') && !out.startsWith('//') && !out.includes('\\')).toBe(true);
      }),
      { numRuns: 20_000, seed: 17 },
    );
    // the generator reaches accepted values too, or the property above would say little
    expect(accepted).toBeGreaterThan(100);
  });

  it.each([
    '/\\evil.example',
    '//evil.example',
    '\\\\evil.example',
    '\\evil.example',
    '/\\/evil.example',
    '/.//evil.example',
    '/%2F%2Fevil.example',
    '/%5Cevil.example',
    '/%252F%252Fevil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '/%0a/evil.example',
    '\u0000/evil',
    ' /persona-sets',
    'javascript:alert(1)',
    'JAVASCRIPT:alert(1)',
    'https://evil.example/',
    'http:evil.example',
    'evil.example',
    '/%E0%A4%A',
    '',
    '/'.repeat(3000),
  ])('refuses %j', (value) => {
    expect(sameOriginPath(value, FALLBACK)).toBe(FALLBACK);
  });

  it('keeps an ordinary path with its query and fragment, and non-strings fall back', () => {
    expect(sameOriginPath('/persona-sets/123?tab=flow#top', FALLBACK)).toBe('/persona-sets/123?tab=flow#top');
    expect(sameOriginPath('/cohorts/caf%C3%A9', FALLBACK)).toBe('/cohorts/caf%C3%A9');
    expect(sameOriginPath('/a/../settings', FALLBACK)).toBe('/settings');
    expect(sameOriginPath(null, FALLBACK)).toBe(FALLBACK);
    expect(sameOriginPath(['/x'], FALLBACK)).toBe(FALLBACK);
  });
});
