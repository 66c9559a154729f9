// The relay's connections to Redis (node-redis): one for commands, one for pub/sub (a subscribed connection can do
// nothing else). Both reconnect by themselves; an outage is logged once when it starts and once when it ends.
import { createClient } from 'redis';
import type { Logger } from './log.ts';

const newClient = (url: string, reconnectStrategy: (retries: number, cause: Error) => number | Error) =>
  createClient({ url, socket: { connectTimeout: 5_000, reconnectStrategy } });
export type RedisClient = ReturnType<typeof newClient>;

/** Keys and channels of one deployment start with this, so a Redis can be shared (tests use their own prefix). */
export const DEFAULT_REDIS_PREFIX = 'lotwatch:';

/** Where a URL points, without its password, for logs. */
export function describeRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    return `Redis ${u.hostname || 'localhost'}${u.port ? `:${u.port}` : ''}${u.pathname.length > 1 ? u.pathname : ''}`;
  } catch {
    return 'Redis';
  }
}

/** Connects (failing if Redis cannot be reached at start), and keeps reconnecting after that. */
export async function connectRedis(url: string, log: Logger, role: string): Promise<RedisClient> {
  let connected = false;
  // At start, a few quick tries and then an error (the relay must not come up without its fan-out). Once connected:
  // reconnect quickly at first, then every 2 s, and never give up while the relay runs.
  const client = newClient(url, (retries, cause) => (!connected && retries >= 3 ? cause : Math.min(100 * 2 ** retries, 2_000)));
  let down = false;
  client.on('error', (e: Error) => {
    if (down) return;
    down = true;
    log.warn(`${describeRedisUrl(url)} (${role}): ${e.message}; reconnecting`);
  });
  client.on('ready', () => {
    connected = true;
    if (!down) return;
    down = false;
    log.info(`${describeRedisUrl(url)} (${role}): connected again`);
  });
  try {
    await client.connect();
  } catch (e) {
    client.destroy();
    throw new Error(`cannot reach ${describeRedisUrl(url)}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return client;
}

/** Closes a client whatever its state. */
export function closeRedis(client: RedisClient): void {
  if (client.isOpen) client.destroy();
}
