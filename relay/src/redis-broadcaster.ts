// Fan-out between relays over Redis pub/sub: every relay publishes the lot events it stores on one channel and
// hears every relay's (its own included), so each relay's viewers get every state, in the order Redis received them.
// `publish` resolves once Redis has taken the event, which is before the publisher is acknowledged.
//
// Pub/sub delivers at most once: a relay whose subscriber connection drops misses what was sent meanwhile (its
// viewers keep the last state and catch up with the next one; the log says so).
import type { Broadcaster, LotEvent, LotEventListener } from './broadcaster.ts';
import type { Logger } from './log.ts';
import type { RedisClient } from './redis-link.ts';

/** A message from the channel, if it is a lot event (anything else is dropped: the channel may be shared). */
export function parseLotEvent(text: string): LotEvent | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
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

  private constructor(commands: RedisClient, subscriber: RedisClient, channel: string, log: Logger) {
    this.#commands = commands;
    this.#subscriber = subscriber;
    this.#channel = channel;
    this.#log = log;
  }

  /** Subscribes `subscriber` (a connection of its own) to the deployment's channel. */
  static async start(commands: RedisClient, subscriber: RedisClient, prefix: string, log: Logger): Promise<RedisBroadcaster> {
    const b = new RedisBroadcaster(commands, subscriber, `${prefix}events`, log);
    await subscriber.subscribe(b.#channel, (message: string) => b.#deliver(message));
    return b;
  }

  async publish(event: LotEvent): Promise<void> {
    await this.#commands.publish(this.#channel, JSON.stringify(event));
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
    const event = parseLotEvent(message);
    if (!event) {
      this.#log.warn(`fan-out: ignoring a message on ${this.#channel} that is not a lot event`);
      return;
    }
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (e) {
        // One failing subscriber must not starve the others.
        this.#log.error(`fan-out listener: ${String(e)}`);
      }
    }
  }
}
