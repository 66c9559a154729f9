import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { cameraRetryDelayMs } from '../camera/camera-retry.ts';

/**
 * Gets the camera back by itself after it stopped (unplugged, taken by another app): tries again after 2 s, 5 s,
 * 10 s, 30 s, then every minute, until it works or the user picks a source. Nobody may be near a phone on a pole.
 */
export class CameraRecoveryController implements ReactiveController {
  /** Retries made so far in this recovery; `recovering` while it lasts. */
  attempt = 0;
  recovering = false;
  /** Epoch ms of the next try, for the notice. */
  nextTryAt: number | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private generation = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    /** Opens the camera again; resolves true when it is live. */
    private readonly reopen: () => Promise<boolean>,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.cancel();
  }

  /** The camera ended by itself: start trying. */
  start(): void {
    this.cancel();
    this.recovering = true;
    this.attempt = 0;
    this.schedule(++this.generation);
  }

  /** The user chose a source (or stopped): their choice wins. */
  cancel(): void {
    this.generation++;
    clearTimeout(this.timer);
    if (this.recovering) {
      this.recovering = false;
      this.nextTryAt = null;
      this.host.requestUpdate();
    }
  }

  private schedule(generation: number): void {
    const delay = cameraRetryDelayMs(this.attempt);
    this.nextTryAt = Date.now() + delay;
    this.host.requestUpdate();
    this.timer = setTimeout(async () => {
      if (generation !== this.generation) return;
      this.attempt++;
      const live = await this.reopen().catch(() => false);
      if (generation !== this.generation) return;
      if (live) {
        this.recovering = false;
        this.nextTryAt = null;
        this.host.requestUpdate();
      } else {
        this.schedule(generation);
      }
    }, delay);
  }
}
