// Is a lot's counting device online? The steps are pure (the relay feeds them what happened and the time); a
// tracker below keeps their state, in this process or shared between relays.
//
// A publisher is online while it holds an authenticated WebSocket, or for `offlineAfterMs` after its last
// HTTP state (scripts publish over HTTP and have no connection to watch). Offline "since" is when it was last
// heard from, so a viewer reads "counter offline since 14:02" rather than the time the relay noticed.
import type { Presence } from '../../src/share/protocol.ts';

export interface PresenceState {
  sockets: number;
  lastHttpAt: number | null;
  /** Last time the publisher was known to be there (state received or socket closed), epoch ms. */
  lastSeenAt: number | null;
  online: boolean;
  /** When `online` last changed; while offline, the last time the publisher was seen. */
  since: number | null;
}

export type PresenceInput = 'socket-opened' | 'socket-closed' | 'http-state' | 'socket-state' | 'tick';

export const initialPresence = (lastSeenAt: number | null): PresenceState => ({
  sockets: 0,
  lastHttpAt: null,
  lastSeenAt,
  online: false,
  since: lastSeenAt,
});

export function stepPresence(p: PresenceState, input: PresenceInput, now: number, offlineAfterMs: number): PresenceState {
  const sockets = Math.max(0, p.sockets + (input === 'socket-opened' ? 1 : input === 'socket-closed' ? -1 : 0));
  const lastHttpAt = input === 'http-state' ? now : p.lastHttpAt;
  const heard = input !== 'tick';
  const lastSeenAt = heard ? now : p.lastSeenAt;
  const online = sockets > 0 || (lastHttpAt !== null && now - lastHttpAt < offlineAfterMs);
  if (online === p.online) return { sockets, lastHttpAt, lastSeenAt, online, since: p.since };
  return { sockets, lastHttpAt, lastSeenAt, online, since: online ? now : lastSeenAt };
}

/** When a `tick` could next change this lot's presence (an HTTP publisher timing out), or null. */
export function nextExpiry(p: PresenceState, offlineAfterMs: number): number | null {
  return p.online && p.sockets === 0 && p.lastHttpAt !== null ? p.lastHttpAt + offlineAfterMs : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Trackers: where presence lives. One relay keeps it in memory; several share it in Redis (redis-presence.ts).

/** Something the publisher of a lot did on this relay. */
export type PresenceInputEvent = Exclude<PresenceInput, 'tick'>;

export type PresenceListener = (lot: string, presence: Presence) => void;

/**
 * Presence per key. The relay keys by lot today; a key is any string, so presence per camera (`<lot>/<camera>`)
 * fits the same trackers.
 */
export interface PresenceTracker {
  /** Records an event; resolves with the new presence when it changed (the caller announces it), else null. */
  record(key: string, input: PresenceInputEvent): Promise<Presence | null>;
  /** Presence now. `lastSeenAt` (epoch ms, from the store) answers "since" for a key nobody has heard of yet. */
  get(key: string, lastSeenAt: number | null): Promise<Presence>;
  /** Changes noticed without an event (an HTTP publisher fell silent, a relay holding a socket vanished). */
  onChange(listener: PresenceListener): void;
  /** Forgets a key (its lot was deleted): no change of it is announced afterwards. */
  forget(key: string): Promise<void>;
  close(): Promise<void>;
}

const view = (p: PresenceState): Presence => ({ online: p.online, since: p.since === null ? null : new Date(p.since).toISOString() });

/** Presence in this process: the pure steps above, with a timer per HTTP-only publisher. */
export class InProcessPresence implements PresenceTracker {
  readonly #states = new Map<string, PresenceState>();
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #listeners: PresenceListener[] = [];

  constructor(
    private readonly offlineAfterMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async record(key: string, input: PresenceInputEvent): Promise<Presence | null> {
    return this.#step(key, input);
  }

  async get(key: string, lastSeenAt: number | null): Promise<Presence> {
    return view(this.#states.get(key) ?? initialPresence(lastSeenAt));
  }

  onChange(listener: PresenceListener): void {
    this.#listeners.push(listener);
  }

  async forget(key: string): Promise<void> {
    clearTimeout(this.#timers.get(key));
    this.#timers.delete(key);
    this.#states.delete(key);
  }

  async close(): Promise<void> {
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }

  #step(key: string, input: PresenceInput): Presence | null {
    const before = this.#states.get(key) ?? initialPresence(null);
    const after = stepPresence(before, input, this.now(), this.offlineAfterMs);
    this.#states.set(key, after);
    this.#schedule(key, after);
    return after.online === before.online ? null : view(after);
  }

  /** HTTP-only publishers have no socket to lose; a timer turns them offline when they fall silent. */
  #schedule(key: string, p: PresenceState): void {
    const old = this.#timers.get(key);
    if (old) clearTimeout(old);
    this.#timers.delete(key);
    const at = nextExpiry(p, this.offlineAfterMs);
    if (at === null) return;
    const t = setTimeout(() => {
      this.#timers.delete(key);
      const changed = this.#step(key, 'tick');
      if (changed) for (const l of this.#listeners) l(key, changed);
    }, Math.max(0, at - this.now()) + 1);
    t.unref();
    this.#timers.set(key, t);
  }
}
