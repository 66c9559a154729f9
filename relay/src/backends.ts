// Which engines hold the relay's state, from its configuration: one relay on an SQLite file with everything in
// process (the default: nothing to install), or one of several relays on PostgreSQL (lots, history) and Redis
// (fan-out, presence, rate limits). Everything above sees only the interfaces.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { InProcessBroadcaster, type Broadcaster } from './broadcaster.ts';
import type { RelayConfig } from './config.ts';
import type { Logger } from './log.ts';
import type { LotStore } from './lot-store.ts';
import { describePgUrl } from './pg-common.ts';
import { PgLotStore } from './pg-lot-store.ts';
import { SqliteOpsStore, type OpsStore } from './ops-store.ts';
import { PgOpsStore } from './pg-ops-store.ts';
import type { PresenceTracker } from './presence.ts';
import { KeyedRateLimiter, type RateLimiterFactory } from './rate-limit.ts';
import { RedisBroadcaster } from './redis-broadcaster.ts';
import { DEFAULT_REDIS_PREFIX, closeRedis, connectRedis, describeRedisUrl, type RedisClient } from './redis-link.ts';
import { RedisPresence, type RedisPresenceOptions } from './redis-presence.ts';
import { redisRateLimiters } from './redis-rate-limit.ts';
import { SqliteLotStore } from './sqlite-lot-store.ts';

export interface Backends {
  store: LotStore;
  broadcaster: Broadcaster;
  /** The operators' store: cameras, alert rules and state, webhooks, deliveries. */
  opsStore: OpsStore;
  /** Undefined: in this process. */
  presence: PresenceTracker | undefined;
  /** Per-camera presence (`<lot>/<camera>`); undefined: in this process. */
  cameraPresence: PresenceTracker | undefined;
  /** Makes the per-client limiters: in this process, or shared by every relay on Redis. */
  limiter: RateLimiterFactory;
  /** Other relays may share the store (so a restart of this one is no gap in history). */
  shared: boolean;
  /** Where state lives, for the start-up line (no secrets). */
  where: string;
  /** Null while every engine answers, else what is wrong. */
  check(): Promise<string | null>;
  close(): Promise<void>;
}

export interface BackendOptions {
  log: Logger;
  now: () => number;
  /** Tests put in their own; what is given is used as is (and closed with the rest). */
  store?: LotStore;
  broadcaster?: Broadcaster;
  /** Redis key prefix (tests give each case its own). */
  redisPrefix?: string;
  /** Presence timing in Redis (tests shorten it). */
  presenceTiming?: Pick<RedisPresenceOptions, 'socketTtlMs' | 'refreshMs' | 'sweepMs'>;
}

export async function openBackends(config: RelayConfig, o: BackendOptions): Promise<Backends> {
  const warn = (m: string) => o.log.warn(m);
  const store =
    o.store ??
    (config.databaseUrl
      ? await PgLotStore.open(config.databaseUrl, { warn })
      : new SqliteLotStore(config.dataDir, warn, { initialise: config.initDb, synchronous: config.sqliteSynchronous }));
  const where = o.store ? 'a store given by the caller' : config.databaseUrl ? describePgUrl(config.databaseUrl) : resolve(config.dataDir);
  let opsStore: OpsStore;
  try {
    opsStore = config.databaseUrl ? await PgOpsStore.open(config.databaseUrl, { warn }) : new SqliteOpsStore(config.dataDir, warn);
  } catch (e) {
    await store.close();
    throw e;
  }
  if (!config.redisUrl) {
    if (config.databaseUrl) o.log.warn('PostgreSQL without Redis: run only one relay on this database (viewers of other relays would miss states)');
    const broadcaster = o.broadcaster ?? new InProcessBroadcaster((e) => o.log.error(`fan-out listener: ${String(e)}`));
    return {
      store,
      opsStore,
      broadcaster,
      presence: undefined,
      cameraPresence: undefined,
      limiter: (_name, rule) => new KeyedRateLimiter(rule),
      shared: false,
      where,
      check: () => store.check(),
      close: async () => {
        await broadcaster.close();
        await Promise.all([store.close(), opsStore.close()]);
      },
    };
  }

  const redisUrl = config.redisUrl;
  let commands: RedisClient | null = null;
  let subscriber: RedisClient | null = null;
  try {
    commands = await connectRedis(redisUrl, o.log, 'commands');
    subscriber = await connectRedis(redisUrl, o.log, 'fan-out');
    const prefix = o.redisPrefix ?? DEFAULT_REDIS_PREFIX;
    const relayId = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    const broadcaster = o.broadcaster ?? (await RedisBroadcaster.start(commands, subscriber, prefix, o.log, relayId));
    const presenceIn = (p: string) =>
      new RedisPresence({ client: commands!, relayId, prefix: p, offlineAfterMs: config.offlineAfterMs, log: o.log, now: o.now, ...o.presenceTiming });
    const presence = presenceIn(prefix);
    // Keys of its own (and its own sweep), so a camera's change is never taken for a lot's.
    const cameraPresence = presenceIn(`${prefix}camera-`);
    const [c, s] = [commands, subscriber];
    return {
      store,
      opsStore,
      broadcaster,
      presence,
      cameraPresence,
      limiter: redisRateLimiters(c, prefix),
      shared: true,
      where: `${where} and ${describeRedisUrl(redisUrl)}`,
      check: async () => {
        const db = await store.check();
        if (db) return db;
        if (!c.isReady || !s.isReady) return `${describeRedisUrl(redisUrl)}: not connected`;
        return null;
      },
      close: async () => {
        await broadcaster.close();
        closeRedis(s);
        closeRedis(c);
        await Promise.all([store.close(), opsStore.close()]);
      },
    };
  } catch (e) {
    if (subscriber) closeRedis(subscriber);
    if (commands) closeRedis(commands);
    await Promise.all([store.close(), opsStore.close()]);
    throw e;
  }
}
