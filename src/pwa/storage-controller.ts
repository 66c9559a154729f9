import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { StorageFacts } from './storage-summary.ts';

/** The part of `navigator.storage` we use. */
export interface StorageApi {
  estimate(): Promise<StorageEstimate>;
  persisted(): Promise<boolean>;
  persist(): Promise<boolean>;
}

/**
 * How much the app stores on this device and whether the browser may clear it: reads the estimate and the persistence
 * flag, and asks for persistent storage once counting starts (Chrome grants it to installed apps without a prompt).
 */
export class StorageController implements ReactiveController {
  facts: StorageFacts = { usage: null, quota: null, persisted: null };
  private asked = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly api: StorageApi | null = navigator.storage && 'persist' in navigator.storage ? navigator.storage : null,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    void this.refresh();
  }

  async refresh(): Promise<void> {
    if (!this.api) return;
    try {
      const [estimate, persisted] = await Promise.all([this.api.estimate(), this.api.persisted()]);
      this.facts = { usage: estimate.usage ?? null, quota: estimate.quota ?? null, persisted };
    } catch {
      // Some browsers refuse these in private windows: keep what we knew.
    }
    this.host.requestUpdate();
  }

  /** Asks once per session by itself (when counting starts); the button in the panel asks again on demand. */
  async requestPersistence(force = false): Promise<void> {
    if (!this.api || (this.asked && !force) || this.facts.persisted) return;
    this.asked = true;
    try {
      await this.api.persist();
    } catch {
      // Not granted: the panel keeps saying so.
    }
    await this.refresh();
  }
}
