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
  const tokens = refilled(bucket, rule, now);
  return tokens >= 1
    ? { allowed: true, bucket: { tokens: tokens - 1, at: now } }
    : { allowed: false, bucket: { tokens, at: now } };
}

const refilled = (bucket: Bucket, rule: RateRule, now: number) =>
  Math.min(rule.burst, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * rule.perSecond);

/**
 * Spends `cost` more tokens after the fact (what a request turned out to cost), going into debt down to one burst:
 * the next request waits until the debt is paid back.
 */
export function charge(bucket: Bucket, rule: RateRule, now: number, cost: number): Bucket {
  return { tokens: Math.max(-rule.burst, refilled(bucket, rule, now) - Math.max(0, cost)), at: now };
}

/** Seconds until one token is available again (for `Retry-After`). */
export function retryAfterSeconds(bucket: Bucket, rule: RateRule): number {
  return Math.max(1, Math.ceil((1 - bucket.tokens) / rule.perSecond));
}

export interface RateDecision {
  allowed: boolean;
  /** Seconds to wait when not allowed (for `Retry-After`); 0 when allowed. */
  retryAfter: number;
}

/**
 * Per-key limits (client addresses, lots). Counters that several relays must share (behind a load balancer) can live
 * in Redis behind this same interface; the in-process `KeyedRateLimiter` is the single relay's.
 */
export interface RateLimiter {
  readonly rule: RateRule;
  /** Spends one token of `key`'s bucket if there is one. */
  take(key: string, now: number): RateDecision | Promise<RateDecision>;
  /** Spends `cost` more tokens of `key`'s bucket, after the fact. */
  charge(key: string, now: number, cost: number): void | Promise<void>;
}

/** Makes the limiter for one rule; `RelayDeps.limiter` lets a cluster use shared counters. */
export type RateLimiterFactory = (name: string, rule: RateRule) => RateLimiter;

/**
 * Buckets by key (e.g. client address) with a bounded number of keys: when full, buckets that have refilled
 * completely are forgotten first, since forgetting them changes no decision.
 */
export class KeyedRateLimiter implements RateLimiter {
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    readonly rule: RateRule,
    readonly maxKeys = 10_000,
  ) {}

  take(key: string, now: number): RateDecision {
    if (!this.#buckets.has(key) && this.#buckets.size >= this.maxKeys) this.#prune(now);
    const r = take(this.#buckets.get(key) ?? fullBucket(this.rule, now), this.rule, now);
    this.#buckets.set(key, r.bucket);
    return { allowed: r.allowed, retryAfter: r.allowed ? 0 : retryAfterSeconds(r.bucket, this.rule) };
  }

  charge(key: string, now: number, cost: number): void {
    if (cost <= 0) return;
    if (!this.#buckets.has(key) && this.#buckets.size >= this.maxKeys) this.#prune(now);
    this.#buckets.set(key, charge(this.#buckets.get(key) ?? fullBucket(this.rule, now), this.rule, now, cost));
  }

  get size(): number {
    return this.#buckets.size;
  }

  #prune(now: number): void {
    // From a debt of one burst (see `charge`) to full.
    const refill = ((2 * this.rule.burst) / this.rule.perSecond) * 1000;
    for (const [k, b] of this.#buckets) if (now - b.at >= refill) this.#buckets.delete(k);
    // Still full: drop the oldest entry (Map keeps insertion order), so memory stays bounded under any load.
    if (this.#buckets.size >= this.maxKeys) {
      const first = this.#buckets.keys().next();
      if (!first.done) this.#buckets.delete(first.value);
    }
  }
}
