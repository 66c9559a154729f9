import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Slot } from '../occupancy/types.ts';
import { DEFAULT_SETTINGS, type Settings } from '../settings/settings.ts';
import { DEFAULT_LOT_ID, openLotwatchDB, type LotwatchDB } from '../storage/db.ts';
import type { LotCalibration } from '../evidence/calibration.ts';
import { loadCalibration, saveCalibration } from '../storage/calibration-store.ts';
import type { RelayConfig } from '../share/relay-config.ts';
import type { SceneReference } from '../motion/scene.ts';
import { loadRelayConfig, saveRelayConfig } from '../storage/relay-config-store.ts';
import { loadScene, saveScene } from '../storage/scene-store.ts';
import { loadSettings, saveSettings } from '../storage/settings-store.ts';
import { SlotStore } from '../storage/slot-store.ts';

/** Owns the IndexedDB connection for an element: the lot's slots and the settings, loaded on connect. */
export class LotStoreController implements ReactiveController {
  slots: readonly Slot[] = [];
  settings: Settings = DEFAULT_SETTINGS;
  loaded = false;
  error: string | null = null;
  private db: LotwatchDB | null = null;
  private store: SlotStore | null = null;
  readonly ready: Promise<void>;
  private resolveReady!: () => void;

  constructor(
    private readonly host: ReactiveControllerHost,
    readonly lotId = DEFAULT_LOT_ID,
    /** Called after the slots changed (an edit, an import), not on every frame. */
    private readonly slotsChanged: () => void = () => {},
  ) {
    host.addController(this);
    this.ready = new Promise((r) => (this.resolveReady = r));
  }

  async hostConnected(): Promise<void> {
    try {
      this.db = await openLotwatchDB();
      this.store = new SlotStore(this.db, this.lotId);
      [this.slots, this.settings] = await Promise.all([this.store.list(), loadSettings(this.db)]);
      this.loaded = true;
    } catch (err) {
      this.error = `Saved slots could not be read (${err instanceof Error ? err.message : String(err)}). Changes will not be kept.`;
    }
    this.resolveReady();
    this.host.requestUpdate();
  }

  hostDisconnected(): void {
    this.db?.close();
    this.db = null;
  }

  async replaceSlots(slots: readonly Slot[]): Promise<void> {
    await this.commit(slots, () => this.store?.replaceAll(slots));
  }

  async saveSettings(settings: Settings): Promise<void> {
    this.settings = settings;
    this.host.requestUpdate();
    if (this.db) await saveSettings(this.db, settings);
  }

  async loadRelayConfig(): Promise<RelayConfig | null> {
    await this.ready;
    return this.db ? loadRelayConfig(this.db) : null;
  }

  async saveRelayConfig(config: RelayConfig | null): Promise<void> {
    await this.ready;
    if (this.db) await saveRelayConfig(this.db, config);
  }

  async loadCalibration(): Promise<LotCalibration | null> {
    await this.ready;
    return this.db ? loadCalibration(this.db, this.lotId) : null;
  }

  async saveCalibration(calibration: LotCalibration): Promise<void> {
    await this.ready;
    if (this.db) await saveCalibration(this.db, this.lotId, calibration);
  }

  /** The layout's scene reference (what the camera saw when the slots were marked), or null. */
  async loadScene(): Promise<SceneReference | null> {
    await this.ready;
    return this.db ? loadScene(this.db, this.lotId) : null;
  }

  async saveScene(scene: SceneReference): Promise<void> {
    await this.ready;
    if (this.db) await saveScene(this.db, this.lotId, scene);
  }

  /** Shows the change at once, then stores it; if storing fails, says so and keeps what is on screen. */
  private async commit(next: readonly Slot[], write: () => Promise<void> | undefined): Promise<void> {
    this.slots = next;
    this.host.requestUpdate();
    this.slotsChanged();
    try {
      await write();
    } catch (err) {
      this.error = `A change could not be saved (${err instanceof Error ? err.message : String(err)}).`;
      this.host.requestUpdate();
    }
  }
}
