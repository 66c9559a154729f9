// Fan-out between relays over Redis pub/sub: every relay publishes the lot events it stores on one channel and
// hears every relay's (its own included), so each relay's viewers get every state, in the order Redis received them.
// `publish` resolves once Redis has taken the event, which is before the publisher is acknowledged. Each message names
// the relay that sent it, so a listener can tell its own relay's events from the others'.
//
// Pub/sub delivers at most once: a relay whose subscriber connection drops misses what was sent meanwhile (its
// viewers keep the last state and catch up with the next one; the log says so).
import type { Broadcaster, LotEvent, LotEventListener } from './broadcaster.ts';
import type { Logger } from './log.ts';
import type { RedisClient } from './redis-link.ts';

/** A message from the channel, if it is a lot event (anything else is dropped: the channel may be shared). */
export function parseLotEvent(text: string): { event: LotEvent; origin: string | null } | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const { origin, ...rest } = v as { origin?: unknown };
  const event = lotEventOf(rest);
  return event ? { event, origin: typeof origin === 'string' ? origin : null } : null;
}

function lotEventOf(v: object): LotEvent | null {
  const e = v as Partial<Record<string, unknown>>;
  if (typeof e.lot !== 'string') return null;
  if (e.kind === 'state' && typeof e.revision === 'number' && typeof e.receivedAt === 'string' && typeof e.metadata === 'object' && e.metadata !== null) {
    return v as LotEvent;
  }
  if (e.kind === 'presence' && typeof e.publisher === 'object' && e.publisher !== null) return v as LotEvent;
  if (e.kind === 'deleted') return { kind: 'deleted', lot: e.lot };
  return null;
}

export class RedisBroadcaster implements Broadcaster {
  readonly #listeners = new Set<LotEventListener>();
  readonly #commands: RedisClient;
  readonly #subscriber: RedisClient;
  readonly #channel: string;
  readonly #log: Logger;
  readonly #origin: string;

  private constructor(commands: RedisClient, subscriber: RedisClient, channel: string, log: Logger, origin: string) {
    this.#commands = commands;
    this.#subscriber = subscriber;
    this.#channel = channel;
    this.#log = log;
    this.#origin = origin;
  }

  /** Subscribes `subscriber` (a connection of its own) to the deployment's channel; `origin` names this relay. */
  static async start(commands: RedisClient, subscriber: RedisClient, prefix: string, log: Logger, origin: string): Promise<RedisBroadcaster> {
    const b = new RedisBroadcaster(commands, subscriber, `${prefix}events`, log, origin);
    await subscriber.subscribe(b.#channel, (message: string) => b.#deliver(message));
    return b;
  }

  async publish(event: LotEvent): Promise<void> {
    await this.#commands.publish(this.#channel, JSON.stringify({ ...event, origin: this.#origin }));
  }

  subscribe(listener: LotEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    if (this.#subscriber.isReady) await this.#subscriber.unsubscribe(this.#channel).catch(() => {});
  }

  #deliver(message: string): void {
    const parsed = parseLotEvent(message);
    if (!parsed) {
      this.#log.warn(`fan-out: ignoring a message on ${this.#channel} that is not a lot event`);
      return;
    }
    for (const listener of [...this.#listeners]) {
      try {
        listener(parsed.event, parsed.origin === this.#origin);
      } catch (e) {
        // One failing subscriber must not starve the others.
        this.#log.error(`fan-out listener: ${String(e)}`);
      }
    }
  }
}
