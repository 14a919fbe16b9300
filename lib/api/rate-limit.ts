// Per-key token bucket in process memory: `limit` requests per minute, bursts up to `limit`.
// Several server processes each keep their own buckets (a shared store would be needed for a strict global limit).

export interface RateDecision {
  ok: boolean;
  limit: number;
  remaining: number;
  /** seconds until a request would be allowed (when !ok) */
  retryAfter: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private buckets = new Map<string, Bucket>();
  constructor(public perMinute: number) {}

  /** Takes `cost` tokens (at most the bucket's size) from the id's bucket, or none when it holds fewer. */
  take(id: string, now = Date.now(), cost = 1): RateDecision {
    const cap = this.perMinute;
    const rate = cap / 60_000;
    const need = Math.min(cost, cap);
    let b = this.buckets.get(id);
    if (!b) {
      b = { tokens: cap, at: now };
      this.buckets.set(id, b);
      if (this.buckets.size > 100_000) this.buckets.clear(); // bounded memory
    } else {
      b.tokens = Math.min(cap, b.tokens + (now - b.at) * rate);
      b.at = now;
    }
    if (b.tokens >= need) {
      b.tokens -= need;
      return { ok: true, limit: cap, remaining: Math.floor(b.tokens), retryAfter: 0 };
    }
    return { ok: false, limit: cap, remaining: Math.floor(b.tokens), retryAfter: Math.max(1, Math.ceil((need - b.tokens) / rate / 1000)) };
  }

  reset(): void {
    this.buckets.clear();
  }
}

const g = globalThis as unknown as { __facetRateLimiter?: RateLimiter; __facetBadKeyLimiter?: RateLimiter };

const perMinute = (raw: string | undefined, fallback: number) => {
  const n = Number(raw ?? '');
  return Number.isFinite(n) && n > 0 ? n : fallback;
};

/** The process-wide limiter; FACET_API_RATE_LIMIT = requests per minute per key (default 1200). */
export function apiRateLimiter(): RateLimiter {
  return (g.__facetRateLimiter ??= new RateLimiter(perMinute(process.env.FACET_API_RATE_LIMIT, 1200)));
}

/**
 * Calls without a valid key, per client address: FACET_API_BAD_KEY_LIMIT per minute (default 30), so that keys
 * cannot be guessed at speed. A valid key from the same address is not held back.
 */
export function badKeyRateLimiter(): RateLimiter {
  return (g.__facetBadKeyLimiter ??= new RateLimiter(perMinute(process.env.FACET_API_BAD_KEY_LIMIT, 30)));
}
