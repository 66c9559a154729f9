// What the relay does with lots, whatever the transport: create, authorise, store and fan out states, and track
// whether each lot's publisher is online. HTTP routes and WebSocket sessions both call this.
import {
  lotPaths,
  toLotMetadata,
  type ErrorCode,
  type LotCreated,
  type LotMetadata,
  type Presence,
  type PublishedState,
} from '../../src/share/protocol.ts';
import type { HistoryRequest } from '../../src/history/query.ts';
import { isCounted, zonesOf } from '../../src/share/metadata.ts';
import { generateLotId, generateToken, hashToken, tokenMatches } from './auth.ts';
import type { Broadcaster, LotEvent } from './broadcaster.ts';
import type { HistoryAnswer } from './history-answer.ts';
import { InProcessHistoryRunner, type HistoryRunner } from './history-runner.ts';
import type { Logger } from './log.ts';
import type { LotRecord, LotStore } from './lot-store.ts';
import { InProcessPresence, type PresenceInputEvent, type PresenceTracker } from './presence.ts';

export interface LotServiceOptions {
  store: LotStore;
  broadcaster: Broadcaster;
  /** Where presence is kept; in this process unless given (Redis when relays share lots). */
  presence?: PresenceTracker;
  offlineAfterMs: number;
  maxLots: number;
  log: Logger;
  now?: () => number;
  /** Computes history answers; by default in-process from the store. */
  history?: HistoryRunner;
  /** SHA-256 of the operator's token, or null when there is none. */
  operatorTokenHash?: string | null;
  /**
   * One relay alone (the default): while it was down nobody was listening, so a state stored before it started does
   * not continue a span. False when relays share the store: another relay may have been listening meanwhile.
   */
  restartIsGap?: boolean;
}

export type Failure = { ok: false; code: ErrorCode; message: string };
export type AuthResult = { ok: true } | Failure;

/** Told of what this relay stored or noticed itself (not of what other relays fan out): alerts hang here. */
export type LotObserver = (event: LotEvent) => void;

const iso = (ms: number) => new Date(ms).toISOString();
const ms = (isoTime: string | null | undefined) => (isoTime == null ? null : Date.parse(isoTime));

/**
 * Relay time of a lot's last state while its counting span is open, from what the store holds: null when there is
 * no state, or when the publisher left (its socket closed, which stamps `publisherSeenAt`) after that state. Read from
 * the store rather than kept per process, so every relay of a cluster decides spans alike.
 */
export function openSpanLastState(receivedAt: string | null | undefined, publisherSeenAt: string | null | undefined): number | null {
  const last = ms(receivedAt);
  const seen = ms(publisherSeenAt);
  return last === null || (seen !== null && seen > last) ? null : last;
}

export class LotService {
  readonly #store: LotStore;
  readonly #broadcaster: Broadcaster;
  readonly #offlineAfterMs: number;
  readonly #maxLots: number;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #history: HistoryRunner;
  readonly #operatorTokenHash: string | null;
  #defaultLot: string | null = null;
  readonly #presence: PresenceTracker;
  /** Lots whose last history write failed here: their next state starts a new span. */
  readonly #brokenSpans = new Set<string>();
  /** States older than this do not continue a span (see `restartIsGap`). */
  readonly #spansFrom: number;
  readonly #observers = new Set<LotObserver>();

  constructor(o: LotServiceOptions) {
    this.#store = o.store;
    this.#broadcaster = o.broadcaster;
    this.#offlineAfterMs = o.offlineAfterMs;
    this.#maxLots = o.maxLots;
    this.#log = o.log;
    this.#now = o.now ?? Date.now;
    this.#history = o.history ?? new InProcessHistoryRunner(o.store);
    this.#operatorTokenHash = o.operatorTokenHash ?? null;
    this.#spansFrom = o.restartIsGap === false ? -Infinity : this.#now();
    this.#presence = o.presence ?? new InProcessPresence(o.offlineAfterMs, this.#now);
    // Changes a tracker notices by itself (a silent HTTP publisher, a relay gone) are announced like any other.
    this.#presence.onChange((lot, publisher) => {
      this.#emit({ kind: 'presence', lot, publisher }).catch((e: unknown) => this.#log.error(`presence of lot "${lot}": ${String(e)}`));
    });
  }

  /** Makes sure the default lot exists; a token given at start replaces its token hash. */
  async init(defaultLot: string, token: string | null): Promise<void> {
    this.#defaultLot = defaultLot;
    const at = iso(this.#now());
    if (token !== null) {
      await this.#store.setToken(defaultLot, hashToken(token), at);
      this.#log.info(`lot "${defaultLot}": publish token set from the command line or environment`);
    } else {
      await this.#store.ensure(defaultLot, at);
      const rec = await this.#store.get(defaultLot);
      if (rec?.tokenHash === null) this.#log.info(`lot "${defaultLot}" has no publish token yet: claim it with POST /lots`);
    }
  }

  async get(lot: string): Promise<LotRecord | null> {
    return this.#store.get(lot);
  }

  async createLot(requested: string | null): Promise<{ ok: true; value: LotCreated } | Failure> {
    const lot = requested ?? generateLotId();
    const token = generateToken();
    const result = await this.#store.claim(lot, hashToken(token), iso(this.#now()), this.#maxLots);
    if (result === 'taken') return { ok: false, code: 'lot_exists', message: `lot "${lot}" already exists and has a publish token` };
    if (result === 'full') return { ok: false, code: 'too_many_lots', message: `this relay holds its maximum of ${this.#maxLots} lots` };
    this.#log.info(`lot "${lot}" created`);
    const p = lotPaths(lot);
    return {
      ok: true,
      value: { lot, token, viewer_path: p.viewer, metadata_path: p.metadata, state_path: p.state, publish_path: p.publish, live_path: p.live },
    };
  }

  /** Whether the relay has an operator token. */
  get hasOperator(): boolean {
    return this.#operatorTokenHash !== null;
  }

  /** Is this the operator's token? */
  isOperator(token: string | null): boolean {
    return tokenMatches(token, this.#operatorTokenHash);
  }

  /**
   * Deletes a lot, its state and its history, for whoever holds its publish token or the operator's; its sockets are
   * closed. The default lot comes back at once, empty and unclaimed.
   */
  async deleteLot(lot: string, token: string | null): Promise<{ ok: true } | Failure> {
    const rec = await this.#store.get(lot);
    if (!rec) return { ok: false, code: 'unknown_lot', message: `no lot "${lot}" on this relay` };
    if (!this.isOperator(token) && !tokenMatches(token, rec.tokenHash)) {
      return { ok: false, code: 'unauthorized', message: "deleting a lot needs its publish token or the operator's" };
    }
    await this.#store.delete(lot);
    if (lot === this.#defaultLot) await this.#store.ensure(lot, iso(this.#now()));
    await this.#forget(lot);
    this.#log.info(`lot "${lot}" deleted`);
    return { ok: true };
  }

  /** Removes the lots nobody published to within `ttlMs` of their creation (not the default lot). */
  async expireUnpublished(ttlMs: number): Promise<string[]> {
    const ids = await this.#store.expireUnpublished(iso(this.#now() - ttlMs), this.#defaultLot ?? '');
    for (const lot of ids) await this.#forget(lot);
    if (ids.length > 0) this.#log.info(`${ids.length} lot(s) never published to expired: ${ids.slice(0, 10).join(', ')}${ids.length > 10 ? ', …' : ''}`);
    return ids;
  }

  async authorize(lot: string, token: string | null): Promise<AuthResult> {
    const rec = await this.#store.get(lot);
    if (!rec) return { ok: false, code: 'unknown_lot', message: `no lot "${lot}" on this relay` };
    if (rec.tokenHash === null) {
      return { ok: false, code: 'unauthorized', message: `lot "${lot}" has no publish token yet; claim it with POST /lots` };
    }
    if (!tokenMatches(token, rec.tokenHash)) return { ok: false, code: 'unauthorized', message: 'wrong or missing publish token' };
    return { ok: true };
  }

  /** Adds an observer of this relay's own states and presence changes; returns the function that removes it. */
  observe(observer: LotObserver): () => void {
    this.#observers.add(observer);
    return () => this.#observers.delete(observer);
  }

  /**
   * Stores an authorised state and fans it out. `heard` false: the state was derived by the relay (a lot's cameras
   * merged again after one went offline), so it says nothing about the publisher's presence.
   */
  async publish(
    lot: string,
    state: PublishedState,
    via: 'http' | 'socket',
    heard = true,
  ): Promise<{ ok: true; revision: number; receivedAt: string } | Failure> {
    const now = this.#now();
    const receivedAt = iso(now);
    const metadata = toLotMetadata(state);
    const saved = await this.#store.saveState(lot, { metadata, layout: state.layout, receivedAt });
    if (!saved) return { ok: false, code: 'unknown_lot', message: `no lot "${lot}" on this relay` };
    // Never throws: the live path below goes on whatever happens to the history write.
    await this.#recordHistory(lot, metadata, now, openSpanLastState(saved.previous.receivedAt, saved.previous.publisherSeenAt));
    await this.#emit({
      kind: 'state',
      lot,
      metadata,
      ...(saved.layoutChanged && saved.layout ? { layout: saved.layout } : {}),
      receivedAt,
      revision: saved.revision,
    });
    if (heard) await this.#step(lot, via === 'http' ? 'http-state' : 'socket-state');
    return { ok: true, revision: saved.revision, receivedAt };
  }

  async publisherConnected(lot: string): Promise<void> {
    // Which relay holds a lot's counting device, for whoever runs several.
    this.#log.info(`lot "${lot}": publisher connected`);
    await this.#step(lot, 'socket-opened');
  }

  async publisherDisconnected(lot: string): Promise<void> {
    const now = this.#now();
    await this.#step(lot, 'socket-closed');
    // What happens until it is back is unknown: stamped after its last state, this makes its next state start a span.
    await this.#store.markPublisherSeen(lot, iso(now));
  }

  /** The lot's history answer, computed by the history runner (off the event loop with SQLite). */
  async history(lot: string, q: HistoryRequest): Promise<{ ok: true; answer: HistoryAnswer } | Failure> {
    const rec = await this.#store.get(lot);
    if (!rec) return { ok: false, code: 'unknown_lot', message: `no lot "${lot}" on this relay` };
    const now = this.#now();
    const stored = openSpanLastState(rec.state?.receivedAt, rec.publisherSeenAt);
    const last = stored !== null && stored >= this.#spansFrom ? stored : null;
    const slots = rec.state?.layout?.slots ?? rec.state?.metadata.slots ?? [];
    const names: [string, string][] = slots.map((s) => [s.id, s.name || s.id]);
    const zones = [...zonesOf(slots)];
    const liveSince = last !== null && now - last <= this.#offlineAfterMs ? last : null;
    return { ok: true, answer: await this.#history.run({ lot, request: q, now, names, zones, liveSince }) };
  }

  /**
   * Presence for a lot; the record supplies "last seen" when nobody has heard of the publisher yet, and, while it is
   * online, the status it sent with its last state (counting, paused or stopped).
   */
  async presenceOf(rec: LotRecord): Promise<Presence> {
    const p = await this.#presence.get(rec.lot, ms(rec.publisherSeenAt) ?? ms(rec.state?.receivedAt));
    const status = p.online ? rec.state?.metadata.status : undefined;
    return status ? { ...p, status } : p;
  }

  async close(): Promise<void> {
    await this.#presence.close();
    await this.#history.close();
  }

  /** Drops what this relay knows of a deleted lot's publisher, and tells every relay's sockets. */
  async #forget(lot: string): Promise<void> {
    await this.#presence.forget(lot);
    await this.#emit({ kind: 'deleted', lot });
  }

  /**
   * A state continues the lot's counting span while its publisher stays connected and states keep coming (no
   * silence longer than the offline delay); otherwise it starts a new span, and the time in between is a gap.
   */
  async #recordHistory(lot: string, metadata: LotMetadata, now: number, last: number | null): Promise<void> {
    const newSpan =
      last === null || last < this.#spansFrom || now - last > this.#offlineAfterMs || now < last || this.#brokenSpans.delete(lot);
    const deviceAt = Date.parse(metadata.last_updated);
    // Closed slots and slots of an offline camera are not counted: history leaves them out, like removed slots.
    const counted = metadata.slots.every(isCounted) ? metadata : { ...metadata, slots: metadata.slots.filter(isCounted) };
    try {
      await this.#store.recordHistory(lot, { metadata: counted, receivedAt: now, deviceAt: Number.isNaN(deviceAt) ? now : deviceAt, newSpan });
    } catch (e) {
      // History is a by-product: a failed write must not cost viewers the live state nor the publisher its answer.
      // The next state starts a new span, so history shows a gap rather than a span that may lack its start.
      this.#brokenSpans.add(lot);
      this.#log.warn(`lot "${lot}": history not recorded: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  async #step(lot: string, input: PresenceInputEvent): Promise<void> {
    const changed = await this.#presence.record(lot, input);
    if (changed) await this.#emit({ kind: 'presence', lot, publisher: changed });
  }

  async #emit(event: LotEvent): Promise<void> {
    await this.#broadcaster.publish(event);
    for (const o of this.#observers) {
      try {
        o(event);
      } catch (e) {
        this.#log.error(`lot "${event.lot}": observer failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
}
