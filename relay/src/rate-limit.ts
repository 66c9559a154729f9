// Token-bucket rate limiting. The decision is a pure function of the bucket, the time and the rule.

export interface RateRule {
  /** Sustained messages per second. */
  perSecond: number;
  /** Messages allowed in a burst. */
  burst: number;
}

export interface Bucket {
  tokens: number;
  at: number;
}

export const fullBucket = (rule: RateRule, now: number): Bucket => ({ tokens: rule.burst, at: now });

/** Refills for the time elapsed, then spends one token if there is one. */
export function take(bucket: Bucket, rule: RateRule, now: number): { allowed: boolean; bucket: Bucket } {
  const elapsed = Math.max(0, now - bucket.at) / 1000;
  const tokens = Math.min(rule.burst, bucket.tokens + elapsed * rule.perSecond);
  return tokens >= 1
    ? { allowed: true, bucket: { tokens: tokens - 1, at: now } }
    : { allowed: false, bucket: { tokens, at: now } };
}

/** Seconds until one token is available again (for `Retry-After`). */
export function retryAfterSeconds(bucket: Bucket, rule: RateRule): number {
  return Math.max(1, Math.ceil((1 - bucket.tokens) / rule.perSecond));
}

/**
 * Buckets by key (e.g. client address) with a bounded number of keys: when full, buckets that have refilled
 * completely are forgotten first, since forgetting them changes no decision.
 */
export class KeyedRateLimiter {
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    readonly rule: RateRule,
    readonly maxKeys = 10_000,
  ) {}

  take(key: string, now: number): { allowed: boolean; retryAfter: number } {
    if (!this.#buckets.has(key) && this.#buckets.size >= this.maxKeys) this.#prune(now);
    const r = take(this.#buckets.get(key) ?? fullBucket(this.rule, now), this.rule, now);
    this.#buckets.set(key, r.bucket);
    return { allowed: r.allowed, retryAfter: r.allowed ? 0 : retryAfterSeconds(r.bucket, this.rule) };
  }

  get size(): number {
    return this.#buckets.size;
  }

  #prune(now: number): void {
    const refill = (this.rule.burst / this.rule.perSecond) * 1000;
    for (const [k, b] of this.#buckets) if (now - b.at >= refill) this.#buckets.delete(k);
    // Still full: drop the oldest entry (Map keeps insertion order), so memory stays bounded under any load.
    if (this.#buckets.size >= this.maxKeys) {
      const first = this.#buckets.keys().next();
      if (!first.done) this.#buckets.delete(first.value);
    }
  }
}
