// The one limiter of sign-in, sign-up and verification-link requests, whichever way they come (the forms' server
// actions or better-auth's HTTP endpoints: lib/auth.ts runs it in a before-hook both go through). Every attempt is
// counted before it runs, so parallel guesses cannot slip past a stale count; a sign-in that succeeds is
// handed back. Counts live in this process's memory: Facet answers people from one web process.

export interface AuthLimitRule {
  max: number;
  windowMs: number;
}

const FIFTEEN_MINUTES = 15 * 60_000;

/** per email at one address, per email from anywhere, per address for any email */
export const AUTH_LIMITS = {
  emailAtAddress: { max: 20, windowMs: FIFTEEN_MINUTES },
  email: { max: 100, windowMs: FIFTEEN_MINUTES },
  address: { max: 100, windowMs: FIFTEEN_MINUTES },
} satisfies Record<string, AuthLimitRule>;

interface Bucket {
  count: number;
  resetAt: number;
}

const g = globalThis as unknown as { __facetAuthLimit?: Map<string, Bucket> };
const buckets = (g.__facetAuthLimit ??= new Map());
/** past this many buckets, expired ones are swept before a new one is made */
const SWEEP_AT = 50_000;

export type AuthLimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

const normalizeEmail = (email: unknown) => (typeof email === 'string' ? email.trim().toLowerCase().slice(0, 320) : '');

function keysOf(email: unknown, address: string): [string, AuthLimitRule][] {
  const e = normalizeEmail(email);
  const keys: [string, AuthLimitRule][] = [[`a:${address}`, AUTH_LIMITS.address]];
  if (e) keys.push([`e:${e}`, AUTH_LIMITS.email], [`ea:${e}\u0000${address}`, AUTH_LIMITS.emailAtAddress]);
  return keys;
}

function sweep(now: number) {
  if (buckets.size < SWEEP_AT) return;
  for (const [k, b] of buckets) if (b.resetAt <= now) buckets.delete(k);
}

/** Counts one attempt for the email at the address, or refuses it (counting nothing) while any of its limits is full. */
export function consumeAuthAttempt(email: unknown, address: string, now = Date.now()): AuthLimitDecision {
  const keys = keysOf(email, address);
  let retryAt = 0;
  for (const [key, rule] of keys) {
    const b = buckets.get(key);
    if (b && b.resetAt > now && b.count >= rule.max) retryAt = Math.max(retryAt, b.resetAt);
  }
  if (retryAt) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((retryAt - now) / 1000)) };
  sweep(now);
  for (const [key, rule] of keys) {
    const b = buckets.get(key);
    if (b && b.resetAt > now) b.count++;
    else buckets.set(key, { count: 1, resetAt: now + rule.windowMs });
  }
  return { allowed: true };
}

/** Hands back an attempt that turned out well (a sign-in with the right password). */
export function refundAuthAttempt(email: unknown, address: string, now = Date.now()): void {
  for (const [key] of keysOf(email, address)) {
    const b = buckets.get(key);
    if (b && b.resetAt > now && b.count > 0) b.count--;
  }
}

/** The words a person reads when refused. */
export const tooManyAttemptsMessage = (seconds: number) => `Too many attempts. Try again in ${seconds} s.`;

/** Forgets every count (tests). */
export function resetAuthLimits(): void {
  buckets.clear();
}
