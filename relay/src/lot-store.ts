// Where lots live between restarts: SQLite for one relay (sqlite-lot-store.ts), PostgreSQL for several side by side
// (pg-lot-store.ts). Async, so nothing above this interface knows which one is used; both pass the same contract
// tests (tests/relay/store-contract.test.ts).
import type { Timeline } from '../../src/history/types.ts';
import type { Layout, LotMetadata } from '../../src/share/protocol.ts';

export interface StoredState {
  metadata: LotMetadata;
  layout: Layout | null;
  /** Relay time the state arrived, ISO-8601. */
  receivedAt: string;
  /** Increases by one with every state stored for the lot; orders states across relays. */
  revision: number;
}

export interface LotRecord {
  lot: string;
  /** SHA-256 of the publish token, hex; null while nobody has claimed the lot. */
  tokenHash: string | null;
  createdAt: string;
  state: StoredState | null;
  /** Last time the publisher was known to be there, ISO-8601. */
  publisherSeenAt: string | null;
}

export interface StateToSave {
  metadata: LotMetadata;
  /** Undefined keeps the stored layout. */
  layout?: Layout | undefined;
  receivedAt: string;
}

export interface SavedState {
  revision: number;
  layout: Layout | null;
  layoutChanged: boolean;
  /** The lot as it was just before this state: whether a counting span goes on is decided from it, the same way
   *  on every relay. */
  previous: { receivedAt: string | null; publisherSeenAt: string | null };
}

export type ClaimResult = 'claimed' | 'taken' | 'full';

/** A received state, for the lot's history. Relay time orders history; the device's time is kept for reference. */
export interface HistoryEntry {
  metadata: LotMetadata;
  /** Relay time the state arrived, epoch ms. */
  receivedAt: number;
  /** The device's `last_updated`, epoch ms (its clock may be off). */
  deviceAt: number;
  /** The first state since the publisher (re)connected or fell silent: a new counting span, after a gap. */
  newSpan: boolean;
}

export interface LotStore {
  get(lot: string): Promise<LotRecord | null>;
  /** Creates the lot with this token hash, or gives one to an unclaimed lot; refuses a claimed lot or a full store. */
  claim(lot: string, tokenHash: string, at: string, maxLots: number): Promise<ClaimResult>;
  /** Sets the token hash whatever it was (the operator's `--token`), creating the lot if needed. */
  setToken(lot: string, tokenHash: string, at: string): Promise<void>;
  /** Creates the lot unclaimed if it does not exist. */
  ensure(lot: string, at: string): Promise<void>;
  /** Null when the lot does not exist. */
  saveState(lot: string, state: StateToSave): Promise<SavedState | null>;
  markPublisherSeen(lot: string, at: string): Promise<void>;
  /**
   * Adds a state to the lot's history and extends its counting span. A state already recorded (same device time and
   * content: a re-delivery after a reconnect) is not recorded again. Returns whether it was new.
   */
  recordHistory(lot: string, entry: HistoryEntry): Promise<boolean>;
  /** The lot's history for [from, to): the spans that overlap it, and its states from the last one before `from`. */
  history(lot: string, from: number, to: number): Promise<Timeline>;
  /** Removes the lot with its state and history; false when there was no such lot. */
  delete(lot: string): Promise<boolean>;
  /**
   * Removes, in one step, every lot created before `createdBefore` that was never published to, except `keep` (the
   * default lot); returns their ids. A lot published to meanwhile is not removed.
   */
  expireUnpublished(createdBefore: string, keep: string): Promise<string[]>;
  /** Checks the stored data is readable, for the log at start; `detail` says what was checked and found. */
  integrity?(): Promise<{ ok: boolean; detail: string }>;
  /** Null while the store answers, else what is wrong (for `/healthz`). */
  check(): Promise<string | null>;
  close(): Promise<void>;
}
