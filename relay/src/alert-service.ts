// Alerts at work: feeds each stored state and presence change to the pure rules (alerts.ts), delivers the events to
// the lot's webhooks (signed, retried with exponential backoff, logged) and to whoever listens (MQTT).
//
// Several relays: each is told only of what it stored or noticed itself (one relay per state or presence change), and
// the lot's alert state is read, stepped and written as one step in the shared store (`updateAlertState`), so an event
// is raised, delivered and logged once across the relays. What was announced offline is in that state too, so the
// relay that sees the counter come back says so, whichever relay said it went.
import type { LotMetadata } from '../../src/share/metadata.ts';
import type { Presence } from '../../src/share/protocol.ts';
import {
  DEFAULT_RULES,
  INITIAL_ALERT_STATE,
  nextOverstayAt,
  stepAlerts,
  type AlertEvent,
  type AlertRules,
  type AlertState,
  type RaisedEvent,
} from './alerts.ts';
import type { Logger } from './log.ts';
import type { OpsStore, WebhookRecord } from './ops-store.ts';
import { newId, postJson, retryable, retryDelay, sign, SIGNATURE_HEADER, type RetryPolicy } from './webhooks.ts';

export interface AlertServiceOptions {
  store: OpsStore;
  log: Logger;
  /** Webhooks may target loopback and private addresses (the operator's `--allow-private-webhooks`). */
  allowPrivate: boolean;
  retry: RetryPolicy;
  /** One delivery attempt gives up after this long. */
  timeoutMs: number;
  now?: () => number;
  /** The lot's latest stored state, for timers and presence events (another relay may have stored it). */
  latest?: (lot: string) => Promise<{ metadata: LotMetadata; receivedAt: number } | null>;
  /** Whether the lot's counter (or one camera) is online now, on any relay: checked before offline is announced. */
  online?: (lot: string, camera: string | undefined) => Promise<boolean>;
}

export type AlertListener = (event: AlertEvent) => void;

const iso = (ms: number) => new Date(ms).toISOString();

export class AlertService {
  readonly #o: AlertServiceOptions;
  readonly #now: () => number;
  readonly #listeners = new Set<AlertListener>();
  /** Each lot's latest state, for the counts in presence events and the overstay timer. */
  readonly #latest = new Map<string, { metadata: LotMetadata; receivedAt: number }>();
  /** Per lot, alert steps run one after another (state read, events raised, state written). */
  readonly #queues = new Map<string, Promise<void>>();
  /** `<lot>` or `<lot>/<camera>`: the grace timer running before offline is announced. */
  readonly #graceTimers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #overstayTimers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #retryTimers = new Set<ReturnType<typeof setTimeout>>();
  readonly #inFlight = new Set<Promise<void>>();
  #closed = false;

  constructor(o: AlertServiceOptions) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
  }

  /** Every raised event (MQTT publishes them on `lotwatch/<lot>/event`); returns the function that removes it. */
  onEvent(listener: AlertListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async rules(lot: string): Promise<AlertRules> {
    return (await this.#o.store.alertRules(lot)) ?? DEFAULT_RULES;
  }

  /** A state this relay stored for the lot. */
  stateStored(lot: string, metadata: LotMetadata, receivedAt: number): Promise<void> {
    this.#latest.set(lot, { metadata, receivedAt });
    return this.#enqueue(lot, () => this.#evaluate(lot));
  }

  /** The lot's counter (or one of its cameras) came or went. Offline is announced only after the grace period. */
  presenceChanged(lot: string, presence: Presence, camera?: string): Promise<void> {
    return this.#enqueue(lot, async () => {
      const key = camera === undefined ? lot : `${lot}/${camera}`;
      const who = camera ?? '';
      const extra = camera === undefined ? {} : { camera };
      const timer = this.#graceTimers.get(key);
      if (presence.online) {
        clearTimeout(timer);
        this.#graceTimers.delete(key);
        const wasAnnounced = await this.#o.store.updateAlertState(lot, (prev) => {
          const s = { ...INITIAL_ALERT_STATE, ...prev };
          if (!s.offline?.includes(who)) return { state: s, result: false };
          return { state: { ...s, offline: s.offline.filter((k) => k !== who) }, result: true };
        });
        if (wasAnnounced) await this.#raiseNow(lot, [{ type: 'counter_online', ...extra }]);
        return;
      }
      if (timer !== undefined) return;
      const graceMs = (await this.rules(lot)).offline_grace_s * 1000;
      const announce = async () => {
        // Back meanwhile, perhaps through another relay (which then told nobody here).
        if (await this.#o.online?.(lot, camera)) return;
        const first = await this.#o.store.updateAlertState(lot, (prev) => {
          const s = { ...INITIAL_ALERT_STATE, ...prev };
          if (s.offline?.includes(who)) return { state: s, result: false };
          return { state: { ...s, offline: [...(s.offline ?? []), who] }, result: true };
        });
        if (first) await this.#raiseNow(lot, [{ type: 'counter_offline', since: presence.since, ...extra }]);
      };
      if (graceMs === 0) return announce();
      const t = setTimeout(() => {
        if (this.#graceTimers.get(key) !== t) return;
        this.#graceTimers.delete(key);
        void this.#enqueue(lot, announce);
      }, graceMs);
      t.unref();
      this.#graceTimers.set(key, t);
    });
  }

  /** Forgets a deleted lot's timers (its stored data goes with the lot). */
  forgetLot(lot: string): void {
    this.#latest.delete(lot);
    clearTimeout(this.#overstayTimers.get(lot));
    this.#overstayTimers.delete(lot);
    for (const [key, t] of this.#graceTimers) {
      if (key !== lot && !key.startsWith(`${lot}/`)) continue;
      clearTimeout(t);
      this.#graceTimers.delete(key);
    }
  }

  /** Waits for deliveries under way (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.#queues.values()]);
    while (this.#inFlight.size) await Promise.all([...this.#inFlight]);
  }

  close(): void {
    this.#closed = true;
    for (const t of [...this.#overstayTimers.values(), ...this.#retryTimers]) clearTimeout(t);
    for (const t of this.#graceTimers.values()) clearTimeout(t);
    this.#graceTimers.clear();
    this.#overstayTimers.clear();
    this.#retryTimers.clear();
  }

  #enqueue(lot: string, work: () => Promise<void>): Promise<void> {
    const next = (this.#queues.get(lot) ?? Promise.resolve()).then(work).catch((e: unknown) => {
      this.#o.log.error(`alerts of lot "${lot}": ${e instanceof Error ? e.message : String(e)}`);
    });
    this.#queues.set(lot, next);
    void next.then(() => {
      if (this.#queues.get(lot) === next) this.#queues.delete(lot);
    });
    return next;
  }

  async #evaluate(lot: string): Promise<void> {
    const latest = this.#latest.get(lot);
    if (!latest || this.#closed) return;
    const rules = await this.rules(lot);
    const now = this.#now();
    const { raised, state } = await this.#o.store.updateAlertState(lot, (stored) => {
      const prev: AlertState = { ...INITIAL_ALERT_STATE, ...stored };
      // Another relay decided from a newer state already: this one would undo it.
      if (prev.decidedAt !== undefined && latest.receivedAt < prev.decidedAt) return { state: prev, result: { raised: [], state: prev } };
      const step = stepAlerts(prev, rules, latest.metadata, latest.receivedAt, now);
      const next: AlertState = { ...prev, ...step.state, decidedAt: latest.receivedAt };
      return { state: next, result: { raised: step.raised, state: next } };
    });
    this.#raise(lot, raised);
    this.#scheduleOverstay(lot, rules, latest, state);
  }

  /** Raises presence events with the lot's counts as stored (possibly by another relay). */
  async #raiseNow(lot: string, raised: readonly RaisedEvent[]): Promise<void> {
    const stored = await this.#o.latest?.(lot);
    if (stored && (this.#latest.get(lot)?.receivedAt ?? -Infinity) <= stored.receivedAt) this.#latest.set(lot, stored);
    this.#raise(lot, raised);
  }

  /** A slot can pass its limit with no new state: look again when the next one is due. */
  #scheduleOverstay(lot: string, rules: AlertRules, latest: { metadata: LotMetadata; receivedAt: number }, state: AlertState): void {
    const old = this.#overstayTimers.get(lot);
    if (old) clearTimeout(old);
    this.#overstayTimers.delete(lot);
    const due = nextOverstayAt(rules, latest.metadata, latest.receivedAt, state.overstays);
    if (due === null || this.#closed) return;
    const t = setTimeout(() => {
      this.#overstayTimers.delete(lot);
      void this.#enqueue(lot, async () => {
        // The lot as it is now: a later state may have come through another relay.
        const stored = await this.#o.latest?.(lot);
        if (stored === null) return this.forgetLot(lot);
        if (stored && stored.receivedAt >= latest.receivedAt) this.#latest.set(lot, stored);
        await this.#evaluate(lot);
      });
    }, Math.max(0, due - this.#now()) + 1);
    t.unref();
    this.#overstayTimers.set(lot, t);
  }

  #raise(lot: string, raised: readonly RaisedEvent[]): void {
    if (raised.length === 0 || this.#closed) return;
    const m = this.#latest.get(lot)?.metadata;
    for (const r of raised) {
      const event: AlertEvent = {
        id: newId('evt'),
        ...r,
        lot,
        at: iso(this.#now()),
        available: m?.available_slots ?? null,
        occupied: m?.occupied_slots ?? null,
        total: m?.total_slots ?? null,
        partial: m?.partial ?? false,
      };
      this.#o.log.info(`lot "${lot}": ${event.type}${event.camera ? ` (camera ${event.camera})` : ''}`);
      for (const l of this.#listeners) {
        try {
          l(event);
        } catch (e) {
          this.#o.log.error(`alert listener: ${String(e)}`);
        }
      }
      this.#track(this.#deliverAll(lot, event));
    }
  }

  #track(p: Promise<void>): void {
    this.#inFlight.add(p);
    void p.finally(() => this.#inFlight.delete(p));
  }

  async #deliverAll(lot: string, event: AlertEvent): Promise<void> {
    try {
      const hooks = (await this.#o.store.webhooks(lot)).filter((w) => w.events.includes(event.type));
      await Promise.all(hooks.map((w) => this.#attempt(lot, w, event, 1)));
    } catch (e) {
      this.#o.log.error(`webhooks of lot "${lot}": ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  async #attempt(lot: string, hook: WebhookRecord, event: AlertEvent, attempt: number): Promise<void> {
    if (this.#closed) return;
    const body = JSON.stringify(event);
    // Signed at each attempt, so a late retry is not refused as a replay.
    const headers = {
      [SIGNATURE_HEADER]: sign(hook.secret, Math.floor(this.#now() / 1000), body),
      'X-Lotwatch-Event': event.type,
      'X-Lotwatch-Delivery': event.id,
    };
    const r = await postJson(new URL(hook.url), body, headers, { allowPrivate: this.#o.allowPrivate, timeoutMs: this.#o.timeoutMs });
    const delivered = r.status !== null && r.status >= 200 && r.status < 300;
    const delay = delivered || !retryable(r) ? null : retryDelay(this.#o.retry, attempt);
    const at = this.#now();
    await this.#o.store.addDelivery(lot, {
      webhook_id: hook.id,
      event_id: event.id,
      event_type: event.type,
      attempt,
      outcome: delivered ? 'delivered' : delay === null ? 'failed' : 'retrying',
      http_status: r.status,
      error: r.error ?? (delivered ? null : `HTTP ${r.status}`),
      at: iso(at),
      next_at: delay === null ? null : iso(at + delay),
    });
    if (delay === null || this.#closed) {
      if (!delivered) this.#o.log.warn(`lot "${lot}": webhook ${hook.id} gave up on ${event.type} after ${attempt} attempt(s): ${r.error ?? `HTTP ${r.status}`}`);
      return;
    }
    const t = setTimeout(() => {
      this.#retryTimers.delete(t);
      this.#track(this.#attempt(lot, hook, event, attempt + 1));
    }, delay);
    t.unref();
    this.#retryTimers.add(t);
  }
}
