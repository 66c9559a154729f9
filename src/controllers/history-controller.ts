import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { planRecord, type RecorderMemory } from '../history/recorder-plan.ts';
import type { LotSnapshot, SlotEvent } from '../history/types.ts';
import type { LotState } from '../occupancy/types.ts';
import type { DeviceHistory } from '../storage/device-history.ts';
import { openLotwatchDB, type LotwatchDB } from '../storage/db.ts';
import { HistoryStore } from '../storage/history-store.ts';

const FLUSH_AFTER_MS = 2_000;
const MAINTAIN_EVERY_MS = 3_600_000;
const HASH = '#/history';

/**
 * The counter's history: records every slot change and a heartbeat snapshot of the lot from each processed frame
 * (batched into one IndexedDB transaction every couple of seconds), aggregates finished hours and drops old events
 * hourly, and opens the history view at `#/history`. That upkeep and the view (reports, charts) are loaded when
 * needed, not with the counter.
 */
export class HistoryController implements ReactiveController {
  /** Whether the history view is open (`#/history`) and its code is loaded. */
  open = false;
  error: string | null = null;
  source: DeviceHistory | null = null;
  private db: LotwatchDB | null = null;
  private store: HistoryStore | null = null;
  private memory: RecorderMemory | null = null;
  private events: SlotEvent[] = [];
  private snapshots: LotSnapshot[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private maintainTimer: ReturnType<typeof setInterval> | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** Settles once the database is open (or failed to open). */
  private opened: Promise<void> = Promise.resolve();
  /** Bumped on every connect and disconnect: work that awaited across one of them is stale and must not apply. */
  private generation = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly lotId: string,
    /** Slot names in layout order, for the view. */
    private readonly names: () => ReadonlyMap<string, string>,
    /** Loads the history view's code. */
    private readonly loadView: () => Promise<unknown>,
    /** Slot id → zone, for the per-zone series. */
    private readonly zones?: () => ReadonlyMap<string, string>,
  ) {
    host.addController(this);
  }

  async hostConnected(): Promise<void> {
    const generation = ++this.generation;
    let opened!: () => void;
    this.opened = new Promise((r) => (opened = r));
    addEventListener('hashchange', this.onHash);
    void this.onHash();
    try {
      const db = await openLotwatchDB();
      if (generation !== this.generation) {
        // Disconnected while opening: nobody would close this connection or clear the timer.
        db.close();
        return;
      }
      this.db = db;
      this.store = new HistoryStore(db, this.lotId);
      this.maintainTimer = setInterval(() => void this.maintain(), MAINTAIN_EVERY_MS);
      void this.maintain();
    } catch (err) {
      if (generation === this.generation) this.fail('History is not being recorded', err);
    } finally {
      // Always settle, so a view load waiting on it does not hang.
      opened();
    }
    this.host.requestUpdate();
  }

  hostDisconnected(): void {
    this.generation++;
    removeEventListener('hashchange', this.onHash);
    clearInterval(this.maintainTimer);
    this.maintainTimer = undefined;
    const db = this.db;
    this.db = null;
    void this.flush().finally(() => db?.close());
    this.store = null;
    this.memory = null;
    // The source reads through the store being closed; a reconnect opens the view again with a fresh one.
    this.source = null;
    this.open = false;
  }

  /** Feed every processed frame: what changed becomes events, and a snapshot is written when one is due. */
  observe(lot: LotState, at: number): void {
    const plan = planRecord(this.memory, this.lotId, lot, at);
    this.memory = plan.memory;
    this.events.push(...plan.events);
    if (plan.snapshot) this.snapshots.push(plan.snapshot);
    if ((plan.events.length || plan.snapshot) && this.flushTimer === undefined) {
      this.flushTimer = setTimeout(() => void this.flush(), FLUSH_AFTER_MS);
    }
  }

  /** Writes what is waiting, after any write already under way. */
  flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const events = this.events.splice(0);
    const snapshots = this.snapshots.splice(0);
    const store = this.store;
    if (!events.length && !snapshots.length) return this.writing;
    if (!store) {
      // The batch is dropped, perhaps with its span's full snapshot: the next frame starts a new span with one.
      this.memory = null;
      return this.writing;
    }
    this.writing = this.writing.then(() =>
      store.append(events, snapshots).catch((err: unknown) => {
        // As above: history must not go on from a base state that was never written.
        this.memory = null;
        this.fail('History could not be saved', err);
      }),
    );
    return this.writing;
  }

  /** Aggregates the hours that are over and drops raw events past retention (see history-maintenance.ts). */
  private async maintain(): Promise<void> {
    const store = this.store;
    if (!store) return;
    try {
      const { maintainHistory } = await import('../storage/history-maintenance.ts');
      await this.flush();
      await maintainHistory(store, Date.now(), (await store.settings()).retentionDays);
    } catch (err) {
      // A store closed by a disconnect meanwhile is no failure to show.
      if (store === this.store) this.fail('History could not be tidied up', err);
    }
  }

  private fail(what: string, err: unknown): void {
    this.error = `${what} (${err instanceof Error ? err.message : String(err)}).`;
    this.host.requestUpdate();
  }

  private onHash = async (): Promise<void> => {
    const generation = this.generation;
    const wanted = location.hash === HASH;
    if (wanted && !this.open) {
      try {
        const [, { DeviceHistory }] = await Promise.all([this.loadView(), import('../storage/device-history.ts'), this.opened]);
        // Disconnected meanwhile: leave `open` and `source` to the next connect.
        if (generation !== this.generation) return;
        if (this.store && !this.source) this.source = new DeviceHistory(this.store, { names: this.names, zones: this.zones, beforeRead: () => this.flush() });
      } catch (err) {
        if (generation === this.generation) this.fail('The history view could not be loaded', err);
        return;
      }
    }
    this.open = wanted && location.hash === HASH;
    this.host.requestUpdate();
  };
}
