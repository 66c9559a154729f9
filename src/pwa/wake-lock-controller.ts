import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { nextWakeLockStep, type WakeLockState } from './wake-lock-policy.ts';

/** The part of the Screen Wake Lock API we use (`navigator.wakeLock`); tests and old browsers pass their own or null. */
export interface WakeLockApi {
  request(type: 'screen'): Promise<WakeLockSentinel>;
}

/**
 * Keeps the screen on while the app counts: requests the lock, takes it again when the page comes back from the
 * background (browsers drop it when hidden), and releases it when counting stops.
 */
export class WakeLockController implements ReactiveController {
  state: WakeLockState;
  private wanted = false;
  private sentinel: WakeLockSentinel | null = null;
  private pending = false;
  private refused = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly api: WakeLockApi | null = 'wakeLock' in navigator ? navigator.wakeLock : null,
  ) {
    this.state = api ? 'off' : 'unsupported';
    host.addController(this);
  }

  hostConnected(): void {
    document.addEventListener('visibilitychange', this.onVisibility);
  }

  hostDisconnected(): void {
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.setWanted(false);
  }

  /** Call whenever counting starts or stops; cheap to call on every render. */
  setWanted(wanted: boolean): void {
    if (wanted !== this.wanted) this.refused = false;
    this.wanted = wanted;
    this.sync();
  }

  private onVisibility = (): void => {
    this.refused = false;
    this.sync();
  };

  private sync(): void {
    if (!this.api) return;
    const step = nextWakeLockStep({
      wanted: this.wanted,
      hidden: document.hidden,
      held: this.sentinel !== null,
      pending: this.pending,
      refused: this.refused,
    });
    if (step === 'request') void this.request(this.api);
    else if (step === 'release') void this.release();
  }

  private async request(api: WakeLockApi): Promise<void> {
    this.pending = true;
    try {
      const sentinel = await api.request('screen');
      this.sentinel = sentinel;
      this.set('on');
      // The browser releases it by itself when the page is hidden (or the battery saver says so).
      sentinel.addEventListener('release', () => {
        if (this.sentinel !== sentinel) return;
        this.sentinel = null;
        this.set('off');
        this.sync();
      });
    } catch {
      // Refused (battery saver, permissions policy) or the page was hidden meanwhile: retry on the next visibility change.
      this.refused = true;
      this.set('refused');
    } finally {
      this.pending = false;
    }
    this.sync();
  }

  private async release(): Promise<void> {
    const sentinel = this.sentinel;
    this.sentinel = null;
    this.set('off');
    await sentinel?.release().catch(() => {});
  }

  private set(state: WakeLockState): void {
    this.state = state;
    this.host.requestUpdate();
  }
}
