// Per-client counters that several relays must share: a client's request rate, its history cost and its lot-creation
// quota must not grow with the number of relays behind the load balancer. The same token bucket as rate-limit.ts,
// kept in a Redis hash and updated by Lua scripts, so a take or a charge is one atomic step across relays.
import { retryAfterSeconds, type RateDecision, type RateLimiter, type RateLimiterFactory, type RateRule } from './rate-limit.ts';
import type { RedisClient } from './redis-link.ts';

// KEYS: bucket (hash). ARGV: perSecond, burst, now, ttlMs. Returns { allowed 0|1, tokens left (string) }.
const TAKE = `
local rate, burst, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(b[1]), tonumber(b[2])
if tokens == nil or at == nil then tokens = burst; at = now end
tokens = math.min(burst, tokens + math.max(0, now - at) / 1000 * rate)
local allowed = 0
if tokens >= 1 then tokens = tokens - 1; allowed = 1 end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return { allowed, tostring(tokens) }
`;

// KEYS: bucket. ARGV: perSecond, burst, now, ttlMs, cost. Spends `cost` after the fact, into debt down to one burst.
const CHARGE = `
local rate, burst, now, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[5])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(b[1]), tonumber(b[2])
if tokens == nil or at == nil then tokens = burst; at = now end
tokens = math.min(burst, tokens + math.max(0, now - at) / 1000 * rate)
tokens = math.max(-burst, tokens - math.max(0, cost))
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`;

export class RedisRateLimiter implements RateLimiter {
  readonly #args: string[];

  constructor(
    private readonly client: RedisClient,
    private readonly key: (k: string) => string,
    readonly rule: RateRule,
  ) {
    // A bucket untouched for as long as it takes to refill from a debt of one burst is full again: Redis may forget it.
    const ttlMs = Math.ceil(((2 * rule.burst) / rule.perSecond) * 1000) + 1000;
    this.#args = [String(rule.perSecond), String(rule.burst), '', String(ttlMs)];
  }

  async take(key: string, now: number): Promise<RateDecision> {
    const [allowed, tokens] = (await this.client.eval(TAKE, { keys: [this.key(key)], arguments: this.#at(now) })) as [number, string];
    if (allowed === 1) return { allowed: true, retryAfter: 0 };
    return { allowed: false, retryAfter: retryAfterSeconds({ tokens: Number(tokens), at: now }, this.rule) };
  }

  async charge(key: string, now: number, cost: number): Promise<void> {
    if (cost <= 0) return;
    await this.client.eval(CHARGE, { keys: [this.key(key)], arguments: [...this.#at(now), String(cost)] });
  }

  #at(now: number): string[] {
    const a = [...this.#args];
    a[2] = String(now);
    return a;
  }
}

/** Limiters whose buckets live in Redis under `<prefix>rate:<name>:<key>`, shared by every relay on that Redis. */
export const redisRateLimiters =
  (client: RedisClient, prefix: string): RateLimiterFactory =>
  (name, rule) =>
    new RedisRateLimiter(client, (k) => `${prefix}rate:${name}:${k}`, rule);
