// Fan-out between whoever stored a change and every socket that should hear of it. The in-process version is all a
// single relay needs; a Redis or PostgreSQL LISTEN/NOTIFY version would carry the same JSON-safe events between relays.
import type { Layout, LotMetadata, Presence } from '../../src/share/protocol.ts';

export type LotEvent =
  | {
      kind: 'state';
      lot: string;
      metadata: LotMetadata;
      /** Present only when the layout changed with this state. */
      layout?: Layout;
      receivedAt: string;
      revision: number;
    }
  | { kind: 'presence'; lot: string; publisher: Presence }
  /** The lot was deleted (or expired): its sockets are closed. */
  | { kind: 'deleted'; lot: string };

/** `local`: the event was published by this relay (always, in process); false for another relay's. */
export type LotEventListener = (event: LotEvent, local: boolean) => void;

export interface Broadcaster {
  publish(event: LotEvent): Promise<void>;
  /** Every lot's events; returns the unsubscribe function. */
  subscribe(listener: LotEventListener): () => void;
  close(): Promise<void>;
}

export class InProcessBroadcaster implements Broadcaster {
  readonly #listeners = new Set<LotEventListener>();

  constructor(private readonly onListenerError: (e: unknown) => void = () => {}) {}

  async publish(event: LotEvent): Promise<void> {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event, true);
      } catch (e) {
        // One failing subscriber must not starve the others.
        this.onListenerError(e);
      }
    }
  }

  subscribe(listener: LotEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#listeners.clear();
  }
}
