// The hand-written reading of an assignment's body (lib/api/assign-body.ts) must never accept what zod refuses,
// and must give what zod gives for what it accepts; whatever it declines goes to zod, whose errors are answered.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastAssignBody, readAssignBody } from '@/lib/api/assign-body';
import { AssignBody } from '@/lib/api/schemas';

const traitKey = fc.oneof(
  fc.constantFrom('age', 'income', 'homeowner', 'state', 'a.b', 'x:y', 'k-1', '__proto__', 'constructor', 'toString', ''),
  fc.stringMatching(/^[a-zA-Z0-9_.:-]{1,80}$/),
  fc.string({ maxLength: 90 }),
);
const traitValue = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 210 }),
  fc.constant('x'.repeat(200)),
  fc.constant('x'.repeat(201)),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.object({ maxDepth: 1 }),
);
const text = (max: number) => fc.oneof(fc.string({ maxLength: max + 5 }), fc.constant('y'.repeat(max)), fc.constant('y'.repeat(max + 1)), fc.integer(), fc.constant(null));
const identity = fc.oneof(
  fc.record(
    { email: text(320), firstName: text(100), lastName: text(100), street: text(200), postcode: text(20), other: fc.string() },
    { requiredKeys: [] },
  ),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.string(),
);
// mostly valid: so that many bodies take the fast path, and a few of their parts do not
const nearlyValid = fc.record(
  {
    identity: fc.record({ email: fc.emailAddress(), firstName: fc.string({ maxLength: 100 }), postcode: fc.oneof(fc.string({ maxLength: 20 }), text(20)) }, { requiredKeys: [] }),
    traits: fc.dictionary(fc.oneof({ weight: 9, arbitrary: fc.stringMatching(/^[a-z_]{1,12}$/) }, { weight: 1, arbitrary: traitKey }), fc.oneof({ weight: 9, arbitrary: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.string({ maxLength: 30 })) }, { weight: 1, arbitrary: traitValue }), { maxKeys: 25 }),
    record: fc.boolean(),
    externalId: fc.string({ maxLength: 200 }),
    extra: fc.jsonValue({ maxDepth: 1 }),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  { weight: 3, arbitrary: nearlyValid },
  fc.record(
    {
      identity,
      traits: fc.oneof(fc.dictionary(traitKey, traitValue, { maxKeys: 25 }), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }), fc.string()),
      record: fc.oneof(fc.boolean(), fc.constant('true'), fc.constant(1), fc.constant(null)),
      externalId: text(200),
      extra: fc.jsonValue({ maxDepth: 1 }),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue({ maxDepth: 2 }),
);

describe('the fast reading of an assignment body', () => {
  it('accepts only what zod accepts, and then gives what zod gives (bodies as JSON.parse makes them)', () => {
    let accepted = 0;
    fc.assert(
      fc.property(body, (b) => {
        const json = JSON.parse(JSON.stringify(b)) as unknown;
        const fast = fastAssignBody(json);
        const zod = AssignBody.safeParse(json);
        if (fast) {
          accepted++;
          expect(zod.success, JSON.stringify(json).slice(0, 200)).toBe(true);
          expect(fast).toEqual(zod.data);
        }
        // and the reader as a whole answers zod's verdict, errors included
        const read = readAssignBody(json);
        expect(read.success).toBe(zod.success);
        if (!read.success && !zod.success) expect(read.error.issues).toEqual(zod.error.issues);
      }),
      { numRuns: 3000, seed: 16 },
    );
    // the property is about something: many bodies take the fast path
    expect(accepted).toBeGreaterThan(100);
  });

  it('takes the usual bodies itself, and leaves the odd ones to zod', () => {
    const usual = { traits: { age: 40, income: 60000, homeowner: true, state: 'CA', children_count: null }, identity: { email: 'a@b.c', nickname: 'dropped' }, unknown: 1 };
    expect(fastAssignBody(usual)).toEqual({ traits: usual.traits, identity: { email: 'a@b.c' }, record: false });
    expect(fastAssignBody(usual)).toEqual(AssignBody.parse(usual));
    for (const odd of [
      JSON.parse('{"traits": {"__proto__": 1, "age": 3}}'),
      { traits: { age: 40 }, record: 'yes' },
      { traits: { 'not a trait!': 1 } },
      { traits: { age: 'x'.repeat(201) } },
      { identity: { email: 1 } },
      { record: true },
      {},
      [],
      null,
      'traits',
    ])
      expect(fastAssignBody(odd), JSON.stringify(odd)).toBeNull();
  });
});
