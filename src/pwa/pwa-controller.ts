import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ServiceWorkerBridge } from './sw-bridge.ts';
import { decideUpdate, isUpdateCheckDue, type UpdateAction, type UpdateChoice } from './update-policy.ts';

/**
 * The installed-app state for an element: offline readiness and first-install progress, online or not, and the
 * update offer. Reads the page's ServiceWorkerBridge; checks for a new version hourly while visible and online.
 */
export class PwaController implements ReactiveController {
  online = navigator.onLine;
  private choice: UpdateChoice = 'undecided';
  private lastCheck = Date.now();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    readonly bridge: ServiceWorkerBridge,
    counting: () => boolean,
  ) {
    bridge.counting = counting;
    host.addController(this);
  }

  hostConnected(): void {
    this.bridge.addEventListener('change', this.onChange);
    window.addEventListener('online', this.onNetwork);
    window.addEventListener('offline', this.onNetwork);
    document.addEventListener('visibilitychange', this.maybeCheck);
    this.timer = setInterval(this.maybeCheck, 60_000);
  }

  hostDisconnected(): void {
    this.bridge.removeEventListener('change', this.onChange);
    window.removeEventListener('online', this.onNetwork);
    window.removeEventListener('offline', this.onNetwork);
    document.removeEventListener('visibilitychange', this.maybeCheck);
    clearInterval(this.timer);
  }

  get update(): UpdateAction {
    if (this.bridge.takeoverPending) return this.choice === 'later' ? 'remind' : 'offer';
    return decideUpdate({ waiting: this.bridge.updateWaiting, choice: this.choice });
  }

  acceptUpdate(): void {
    this.choice = 'now';
    this.host.requestUpdate();
    void this.bridge.applyUpdate();
  }

  postponeUpdate(): void {
    this.choice = 'later';
    this.host.requestUpdate();
  }

  /** "Check for updates" in the storage panel, and the hourly check. */
  async checkNow(): Promise<void> {
    this.lastCheck = Date.now();
    await this.bridge.checkForUpdate();
  }

  private onChange = (): void => {
    this.host.requestUpdate();
  };

  private onNetwork = (): void => {
    this.online = navigator.onLine;
    this.host.requestUpdate();
    this.maybeCheck();
  };

  private maybeCheck = (): void => {
    if (isUpdateCheckDue({ now: Date.now(), lastCheck: this.lastCheck, online: navigator.onLine, hidden: document.hidden })) void this.checkNow();
  };
}
