// Is a lot's counting device online? Pure: the relay feeds it what happened and the time.
//
// A publisher is online while it holds an authenticated WebSocket, or for `offlineAfterMs` after its last
// HTTP state (scripts publish over HTTP and have no connection to watch). Offline "since" is when it was last
// heard from, so a viewer reads "counter offline since 14:02" rather than the time the relay noticed.

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
