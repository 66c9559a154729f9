// What relays share besides the store, with the same cases for the in-process versions and the Redis ones (a real
// redis-server started here): fan-out (Broadcaster), publisher presence (PresenceTracker), rate limits
// (RateLimiterFactory). "Relays" here are several instances on one Redis; in process, one instance stands for all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessBroadcaster, type Broadcaster, type LotEvent } from '../../relay/src/broadcaster.ts';
import { silentLogger } from '../../relay/src/log.ts';
import { InProcessPresence, type PresenceTracker } from '../../relay/src/presence.ts';
import { KeyedRateLimiter, type RateLimiterFactory } from '../../relay/src/rate-limit.ts';
import { RedisBroadcaster } from '../../relay/src/redis-broadcaster.ts';
import { closeRedis, connectRedis, type RedisClient } from '../../relay/src/redis-link.ts';
import { RedisPresence } from '../../relay/src/redis-presence.ts';
import { redisRateLimiters } from '../../relay/src/redis-rate-limit.ts';
import type { Presence } from '../../src/share/protocol.ts';
import { enginesAvailable, startRedis, type Redis } from '../support/engines.ts';
import { until, withTimeout } from './support.ts';

let redis: Redis | null = null;
const clients: RedisClient[] = [];
const closers: (() => Promise<void>)[] = [];
let prefixes = 0;
const connect = async () => {
  const c = await connectRedis(redis!.url, silentLogger, 'test');
  clients.push(c);
  return c;
};

/** One deployment's worth of shared things, made fresh per case. */
interface Kind {
  name: string;
  /** Several relays see each other (Redis); in process there is only one. */
  shared: boolean;
  available: () => boolean;
  /** Broadcasters of `n` relays on one bus. */
  broadcasters(n: number): Promise<Broadcaster[]>;
  /** Presence trackers of `n` relays; `mortal` ones never renew nor sweep (a relay that will be killed). */
  presence(n: number, o: { offlineAfterMs: number; socketTtlMs: number; mortal?: number[] }): Promise<PresenceTracker[]>;
  /** Limiter factories of `n` relays. */
  limiters(n: number): Promise<RateLimiterFactory[]>;
}

const kinds: Kind[] = [
  {
    name: 'in process',
    shared: false,
    available: () => true,
    broadcasters: async (n) => {
      const b = new InProcessBroadcaster();
      return Array.from({ length: n }, () => b);
    },
    presence: async (n, o) => {
      const p = new InProcessPresence(o.offlineAfterMs);
      closers.push(() => p.close());
      return Array.from({ length: n }, () => p);
    },
    limiters: async (n) => {
      const l: RateLimiterFactory = (_name, rule) => new KeyedRateLimiter(rule);
      return Array.from({ length: n }, () => l);
    },
  },
  {
    name: 'Redis',
    shared: true,
    available: () => enginesAvailable('redis'),
    broadcasters: async (n) => {
      const prefix = `t${++prefixes}:`;
      return Promise.all(
        Array.from({ length: n }, async (_, i) => {
          const b = await RedisBroadcaster.start(await connect(), await connect(), prefix, silentLogger, `relay-${i}`);
          closers.push(() => b.close());
          return b;
        }),
      );
    },
    presence: async (n, o) => {
      const prefix = `t${++prefixes}:`;
      return Promise.all(
        Array.from({ length: n }, async (_, i) => {
          const mortal = o.mortal?.includes(i);
          const p = new RedisPresence({
            client: await connect(), relayId: `relay-${i}`, prefix, offlineAfterMs: o.offlineAfterMs, log: silentLogger,
            socketTtlMs: o.socketTtlMs, refreshMs: mortal ? 0 : o.socketTtlMs / 4, sweepMs: mortal ? 0 : 20,
          });
          if (!mortal) closers.push(() => p.close());
          return p;
        }),
      );
    },
    limiters: async (n) => {
      const prefix = `t${++prefixes}:`;
      return Promise.all(Array.from({ length: n }, async () => redisRateLimiters(await connect(), prefix)));
    },
  },
];

const state = (lot: string, revision: number): LotEvent => ({
  kind: 'state',
  lot,
  metadata: { total_slots: 3, occupied_slots: revision % 4, available_slots: 3 - (revision % 4), last_updated: new Date(1_700_000_000_000 + revision).toISOString(), slots: [] },
  receivedAt: new Date(1_700_000_000_000 + revision).toISOString(),
  revision,
});

/** Records every change the trackers announce by themselves (in process, the relays' one tracker once). */
function announcements(trackers: PresenceTracker[]): { relay: number; lot: string; p: Presence }[] {
  const seen: { relay: number; lot: string; p: Presence }[] = [];
  [...new Set(trackers)].forEach((t, relay) => t.onChange((lot, p) => seen.push({ relay, lot, p })));
  return seen;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(kinds)('shared between relays: $name', (kind) => {
  const ready = kind.available();
  beforeAll(async () => {
    if (ready && kind.shared) redis = await startRedis();
  }, 30_000);
  afterAll(async () => {
    for (const c of closers.splice(0)) await c();
    for (const c of clients.splice(0)) closeRedis(c);
    if (kind.shared) await redis?.stop();
  });

  describe.runIf(ready)('fan-out', () => {
    it('gives every subscriber on every relay every event, in order, as sent', async () => {
      const [a, b, c] = await kind.broadcasters(3);
      const got: LotEvent[][] = [[], [], []];
      [a, b, c].forEach((x, i) => x!.subscribe((e) => got[i]!.push(e)));
      const sent: LotEvent[] = Array.from({ length: 50 }, (_, i) => (i % 10 === 9 ? ({ kind: 'presence', lot: 'n', publisher: { online: i % 20 === 9, since: null } } as const) : state('n', i + 1)));
      // A deleted lot: every relay closes its sockets.
      sent.push({ kind: 'deleted', lot: 'n' });
      // From two relays, one after the other: each relay's own order is kept.
      for (const [i, e] of sent.entries()) await (i < 25 ? a : b)!.publish(e);
      await withTimeout((async () => { while (got.some((g) => g.length < sent.length)) await sleep(10); })(), 3000, 'all events');
      for (const g of got) expect(g).toEqual(sent);
    });

    it('tells a listener whether an event came from its own relay', async () => {
      const [a, b] = await kind.broadcasters(2);
      const heard: string[] = [];
      a!.subscribe((e, local) => heard.push(`a:${e.lot}:${local}`));
      if (kind.shared) b!.subscribe((e, local) => heard.push(`b:${e.lot}:${local}`));
      await a!.publish({ kind: 'deleted', lot: 'from-a' });
      await withTimeout((async () => { while (heard.length < (kind.shared ? 2 : 1)) await sleep(10); })(), 3000, 'the event');
      expect(heard.sort()).toEqual(kind.shared ? ['a:from-a:true', 'b:from-a:false'] : ['a:from-a:true']);
    });

    it('stops after unsubscribing, and one failing subscriber does not starve the others', async () => {
      const [a, b] = await kind.broadcasters(2);
      const got: number[] = [];
      const off = b!.subscribe((e) => got.push(e.kind === 'state' ? e.revision : -1));
      b!.subscribe(() => {
        throw new Error('a broken subscriber');
      });
      const after: number[] = [];
      b!.subscribe((e) => after.push(e.kind === 'state' ? e.revision : -1));
      await a!.publish(state('x', 1));
      await withTimeout((async () => { while (after.length < 1) await sleep(10); })(), 3000, 'first event');
      off();
      await a!.publish(state('x', 2));
      await withTimeout((async () => { while (after.length < 2) await sleep(10); })(), 3000, 'second event');
      expect(got).toEqual([1]);
      expect(after).toEqual([1, 2]);
    });
  });

  describe.runIf(ready)('presence', () => {
    it('is online while a publisher socket is open anywhere, and offline since it closed', async () => {
      const [a, b] = await kind.presence(2, { offlineAfterMs: 60_000, socketTtlMs: 5_000 });
      const t0 = Date.now();
      const on = await a!.record('lot1', 'socket-opened');
      expect(on?.online).toBe(true);
      expect(Date.parse(on!.since!)).toBeGreaterThanOrEqual(t0);
      expect(await b!.get('lot1', null)).toEqual(on);
      // A second socket (here on the other relay) and the first one leaving: still online, nothing to announce.
      expect(await b!.record('lot1', 'socket-opened')).toBeNull();
      expect(await a!.record('lot1', 'socket-closed')).toBeNull();
      expect(await b!.record('lot1', 'socket-state')).toBeNull();
      const off = await b!.record('lot1', 'socket-closed');
      expect(off?.online).toBe(false);
      expect(Date.parse(off!.since!)).toBeGreaterThanOrEqual(Date.parse(on!.since!));
      expect(await a!.get('lot1', null)).toEqual(off);
    });

    it('says "offline since" the store\'s last-seen time for a lot nobody has heard of', async () => {
      const [a] = await kind.presence(1, { offlineAfterMs: 60_000, socketTtlMs: 5_000 });
      expect(await a!.get('quiet', Date.parse('2025-08-07T14:20:30Z'))).toEqual({ online: false, since: '2025-08-07T14:20:30.000Z' });
      expect(await a!.get('never', null)).toEqual({ online: false, since: null });
    });

    it('forgets a deleted lot everywhere: nothing of it is kept or announced afterwards', async () => {
      const [a, b] = await kind.presence(2, { offlineAfterMs: 300, socketTtlMs: 5_000 });
      const seen = announcements([a!, b!]);
      expect((await a!.record('gone', 'http-state'))?.online).toBe(true);
      expect((await b!.record('gone', 'socket-opened'))).toBeNull();
      await b!.forget('gone');
      expect(await a!.get('gone', null)).toEqual({ online: false, since: null });
      // Its HTTP publisher's time runs out, unannounced: the lot is gone.
      await sleep(450);
      expect(seen).toEqual([]);
    });

    it('turns an HTTP publisher offline by itself when it falls silent, announced once', async () => {
      const trackers = await kind.presence(3, { offlineAfterMs: 300, socketTtlMs: 5_000 });
      const seen = announcements(trackers);
      const on = await trackers[0]!.record('lot2', 'http-state');
      expect(on?.online).toBe(true);
      await until(() => (seen.length > 0 ? true : undefined));
      expect(seen[0]).toMatchObject({ lot: 'lot2', p: { online: false, since: on!.since } });
      // Nobody announces it twice.
      await sleep(150);
      expect(seen).toHaveLength(1);
      expect((await trackers[1]!.get('lot2', null)).online).toBe(false);
    });

    // Only where presence outlives a relay: the one holding the socket is killed (it stops renewing, drops nothing).
    it.runIf(kind.shared)('survives the loss of the publisher\'s relay: offline after its word runs out, unless the publisher came back elsewhere', async () => {
      const [killed, b, c] = await kind.presence(3, { offlineAfterMs: 60_000, socketTtlMs: 300, mortal: [0] });
      await killed!.record('lot3', 'socket-opened');
      await killed!.record('lot4', 'socket-opened');
      await c!.record('lot4', 'socket-opened');
      const seen = announcements([b!, c!]);
      await until(() => (seen.length > 0 ? true : undefined));
      expect(seen[0]).toMatchObject({ lot: 'lot3', p: { online: false } });
      expect((await b!.get('lot4', null)).online).toBe(true);
      expect((await c!.get('lot3', null)).online).toBe(false);
      expect(seen).toHaveLength(1);
    });
  });

  describe.runIf(ready)('rate limits', () => {
    it('allows a burst, then refuses with the seconds to wait, and refills with time; keys are apart', async () => {
      const [l] = await kind.limiters(1);
      const rule = { perSecond: 2, burst: 3 };
      const http = l!('http', rule);
      const t = 1_700_000_000_000;
      const takes = [];
      for (let i = 0; i < 4; i++) takes.push(await http.take('10.0.0.1', t));
      expect(takes.map((r) => r.allowed)).toEqual([true, true, true, false]);
      expect(takes[3]!.retryAfter).toBe(1);
      expect((await http.take('10.0.0.2', t)).allowed).toBe(true);
      expect((await l!('other', rule).take('10.0.0.1', t)).allowed).toBe(true);
      expect((await http.take('10.0.0.1', t + 499)).allowed).toBe(false);
      expect((await http.take('10.0.0.1', t + 1000)).allowed).toBe(true);
    });

    it.runIf(kind.shared)('counts one client across relays: three relays do not triple its rate', async () => {
      const relays = await kind.limiters(3);
      const rule = { perSecond: 1, burst: 5 };
      const t = 1_700_000_000_000;
      const results = await Promise.all(Array.from({ length: 9 }, (_, i) => relays[i % 3]!('http', rule).take('10.0.0.9', t)));
      expect(results.filter((r) => r.allowed)).toHaveLength(5);
    });

    it('charges what a request cost after the fact: into debt down to one burst, paid back with time', async () => {
      const [l] = await kind.limiters(1);
      const history = l!('history', { perSecond: 2, burst: 10 });
      const t = 1_700_000_000_000;
      expect((await history.take('10.0.0.3', t)).allowed).toBe(true);
      // A query that replayed a lot: 100 tokens, but the debt stops at one burst (-10).
      await history.charge('10.0.0.3', t, 100);
      const refused = await history.take('10.0.0.3', t + 1000);
      expect(refused).toEqual({ allowed: false, retryAfter: 5 });
      // -8 a second later, so 4.5 s more to earn back one token.
      expect((await history.take('10.0.0.3', t + 5000)).allowed).toBe(false);
      expect((await history.take('10.0.0.3', t + 5500)).allowed).toBe(true);
      await history.charge('10.0.0.4', t, 0);
      expect((await history.take('10.0.0.4', t)).allowed).toBe(true);
    });

    it.runIf(kind.shared)('a cost charged on one relay holds the client back on the others', async () => {
      const [a, b, c] = await kind.limiters(3);
      const rule = { perSecond: 10 / 3600, burst: 10 };
      const t = 1_700_000_000_000;
      await a!('create', rule).charge('10.0.0.5', t, 10);
      expect((await b!('create', rule).take('10.0.0.5', t)).allowed).toBe(false);
      expect((await c!('create', rule).take('10.0.0.6', t)).allowed).toBe(true);
    });
  });
});
