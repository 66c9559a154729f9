// Publisher presence shared by every relay, in Redis. Per key (a lot), a sorted set holds who vouches for the
// publisher and until when:
//   - `<relay id>`: that relay holds an authenticated publisher socket; it renews the entry every `refreshMs`, so a
//     relay that dies (kill -9) stops vouching `socketTtlMs` later;
//   - `http`: an HTTP publisher, for `offlineAfterMs` after its last state.
// The publisher is online while an entry is unexpired. A hash keeps online/since/seen, and one Lua script applies every
// change, so exactly one relay sees each transition and announces it (through the broadcaster) to all. A sorted set of
// keys by their earliest expiry lets every relay find, each `sweepMs`, the keys whose entries ran out.
//
// Times are the relays' clocks (epoch ms, passed in), like everything else the relay stores; keep them in sync (NTP).
import type { Presence } from '../../src/share/protocol.ts';
import type { Logger } from './log.ts';
import type { PresenceInputEvent, PresenceListener, PresenceTracker } from './presence.ts';
import type { RedisClient } from './redis-link.ts';

// KEYS: holders (zset), state (hash), due (zset). ARGV: key, action (refresh | drop | tick), member, now, expires, keepMs.
// Returns { changed 0|1, online "0"|"1", since (ms or "") }.
const STEP = `
local holders, state, due = KEYS[1], KEYS[2], KEYS[3]
local key, action, member = ARGV[1], ARGV[2], ARGV[3]
local keep = ARGV[6]
if action == 'refresh' then
  redis.call('ZADD', holders, ARGV[5], member)
  redis.call('HSET', state, 'seen', ARGV[4])
elseif action == 'drop' then
  redis.call('ZREM', holders, member)
  redis.call('HSET', state, 'seen', ARGV[4])
end
redis.call('ZREMRANGEBYSCORE', holders, '-inf', ARGV[4])
local n = redis.call('ZCARD', holders)
local online = n > 0 and '1' or '0'
local was = redis.call('HGET', state, 'online') or '0'
local since = redis.call('HGET', state, 'since') or ''
local changed = 0
if online ~= was then
  if online == '1' then since = ARGV[4] else since = redis.call('HGET', state, 'seen') or ARGV[4] end
  redis.call('HSET', state, 'online', online, 'since', since)
  changed = 1
end
if n > 0 then
  local first = redis.call('ZRANGE', holders, 0, 0, 'WITHSCORES')
  redis.call('ZADD', due, first[2], key)
  redis.call('PEXPIRE', holders, keep)
else
  redis.call('ZREM', due, key)
end
if redis.call('EXISTS', state) == 1 then redis.call('PEXPIRE', state, keep) end
return { changed, online, since }
`;

export interface RedisPresenceOptions {
  client: RedisClient;
  /** This relay's name among the relays (unique per process). */
  relayId: string;
  prefix: string;
  offlineAfterMs: number;
  log: Logger;
  now?: () => number;
  /** How long a relay's word for a socket lasts without renewal (default 10 s: a dead relay's publisher shows
   *  offline at most this long after, unless it reconnected elsewhere). */
  socketTtlMs?: number;
  /** Renewal period of this relay's sockets (default 3 s). */
  refreshMs?: number;
  /** How often expired entries are looked for (default 1 s); 0 for none (tests call `sweep`). */
  sweepMs?: number;
}

/** How long presence state is kept in Redis after its last change: beyond, the store's "last seen" answers. */
const KEEP_MS = 30 * 24 * 3_600_000;

export class RedisPresence implements PresenceTracker {
  readonly #o: Required<Omit<RedisPresenceOptions, 'now'>> & { now: () => number };
  /** Authenticated publisher sockets on this relay, per key. */
  readonly #sockets = new Map<string, number>();
  readonly #listeners: PresenceListener[] = [];
  readonly #timers: ReturnType<typeof setInterval>[] = [];
  #closed = false;

  constructor(o: RedisPresenceOptions) {
    this.#o = { socketTtlMs: 10_000, refreshMs: 3_000, sweepMs: 1_000, now: Date.now, ...o };
    const every = (ms: number, work: () => Promise<void>) => {
      if (ms <= 0) return;
      const t = setInterval(() => {
        work().catch((e: unknown) => this.#o.log.warn(`presence in Redis: ${e instanceof Error ? e.message : String(e)}`));
      }, ms);
      t.unref();
      this.#timers.push(t);
    };
    every(this.#o.refreshMs, () => this.refresh());
    every(this.#o.sweepMs, () => this.sweep());
  }

  async record(key: string, input: PresenceInputEvent): Promise<Presence | null> {
    if (this.#closed) return null;
    const now = this.#o.now();
    const socketUntil = now + this.#o.socketTtlMs;
    const count = this.#sockets.get(key) ?? 0;
    switch (input) {
      case 'socket-opened':
        this.#sockets.set(key, count + 1);
        return this.#changed(await this.#run(key, 'refresh', this.#o.relayId, now, socketUntil));
      case 'socket-closed':
        if (count <= 1) this.#sockets.delete(key);
        else this.#sockets.set(key, count - 1);
        return this.#changed(await this.#run(key, count <= 1 ? 'drop' : 'refresh', this.#o.relayId, now, socketUntil));
      case 'socket-state':
        return this.#changed(await this.#run(key, 'refresh', this.#o.relayId, now, socketUntil));
      case 'http-state':
        return this.#changed(await this.#run(key, 'refresh', 'http', now, now + this.#o.offlineAfterMs));
    }
  }

  async get(key: string, lastSeenAt: number | null): Promise<Presence> {
    const r = await this.#run(key, 'tick', '', this.#o.now(), 0);
    // Found by a read: still announced, once, like any transition.
    if (r.changed) this.#announce(key, r.presence);
    if (r.presence.online || r.presence.since !== null) return r.presence;
    return { online: false, since: lastSeenAt === null ? null : new Date(lastSeenAt).toISOString() };
  }

  onChange(listener: PresenceListener): void {
    this.#listeners.push(listener);
  }

  async forget(key: string): Promise<void> {
    // The sockets this relay held for it are closed by the 'deleted' event; their goodbyes change nothing then.
    this.#sockets.delete(key);
    const p = this.#o.prefix;
    await this.#o.client.multi().del([`${p}presence:${key}`, `${p}presence-state:${key}`]).zRem(`${p}presence-due`, key).exec();
  }

  /** Renews this relay's word for the sockets it holds (and puts it back after Redis lost it). */
  async refresh(): Promise<void> {
    const now = this.#o.now();
    for (const key of [...this.#sockets.keys()]) {
      const r = await this.#run(key, 'refresh', this.#o.relayId, now, now + this.#o.socketTtlMs);
      if (r.changed) this.#announce(key, r.presence);
    }
  }

  /** Looks at the keys whose earliest entry has expired; each transition found is announced by the relay that found it. */
  async sweep(): Promise<void> {
    const now = this.#o.now();
    const due = await this.#o.client.zRangeByScore(`${this.#o.prefix}presence-due`, '-inf', now, { LIMIT: { offset: 0, count: 500 } });
    for (const key of due) {
      const r = await this.#run(key, 'tick', '', now, 0);
      if (r.changed) this.#announce(key, r.presence);
    }
  }

  /** Stops renewing; the sockets this relay held are given up (announced if that takes their publisher offline). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#timers) clearInterval(t);
    const now = this.#o.now();
    for (const key of [...this.#sockets.keys()]) {
      this.#sockets.delete(key);
      const r = await this.#run(key, 'drop', this.#o.relayId, now, 0).catch(() => null);
      if (r?.changed) this.#announce(key, r.presence);
    }
  }

  #changed(r: { changed: boolean; presence: Presence }): Presence | null {
    return r.changed ? r.presence : null;
  }

  #announce(key: string, p: Presence): void {
    for (const l of this.#listeners) l(key, p);
  }

  async #run(key: string, action: 'refresh' | 'drop' | 'tick', member: string, now: number, expires: number): Promise<{ changed: boolean; presence: Presence }> {
    const p = this.#o.prefix;
    const reply = (await this.#o.client.eval(STEP, {
      keys: [`${p}presence:${key}`, `${p}presence-state:${key}`, `${p}presence-due`],
      arguments: [key, action, member, String(now), String(expires), String(KEEP_MS)],
    })) as [number, string, string];
    const [changed, online, since] = reply;
    const sinceMs = since === '' ? null : Number(since);
    return { changed: changed === 1, presence: { online: online === '1', since: sinceMs === null ? null : new Date(sinceMs).toISOString() } };
  }
}
