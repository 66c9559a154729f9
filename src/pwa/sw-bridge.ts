// The page's side of the service worker: registration, the first install's progress, updates. Started once by
// main.ts, before the app loads; the app reads it through PwaController. Service-worker code stays out of the UI.
import { registerSW } from 'virtual:pwa-register';
import { beforeModelLoad } from './model-wait-policy.ts';
import type { OfflineState, PrecacheProgress } from './precache-progress.ts';
import { parseFromServiceWorker, type ToServiceWorker } from './sw-messages.ts';
import { afterTakeover } from './update-policy.ts';


export class ServiceWorkerBridge extends EventTarget {
  offline: OfflineState = 'unsupported';
  progress: PrecacheProgress | null = null;
  /** A new version is installed and waits for the user. */
  updateWaiting = false;
  /** Another tab activated a new version while this one was counting: reload when convenient. */
  takeoverPending = false;
  error: string | null = null;
  /** Set by the app: whether it is counting now (the update policy never interrupts a count). */
  counting: () => boolean = () => false;

  private started = false;
  private registration: ServiceWorkerRegistration | null = null;
  private updateSW: ((reload?: boolean) => Promise<void>) | null = null;
  /** A first install is running, or finished but has not taken the page over yet. */
  private firstInstall = false;
  private lastProgressAt = performance.now();
  private requestedHere = false;

  start(): void {
    if (this.started) return;
    this.started = true;
    if (!('serviceWorker' in navigator) || !window.isSecureContext) return this.set({ offline: 'unsupported' });
    const sw = navigator.serviceWorker;
    this.set({ offline: sw.controller ? 'ready' : 'starting' });
    sw.addEventListener('message', (e: MessageEvent) => this.onMessage(e.data));
    let controlled = Boolean(sw.controller);
    sw.addEventListener('controllerchange', () => {
      const first = !controlled;
      controlled = true;
      if (first) {
        // The first install took the page over (clientsClaim): from now on the model comes from the cache.
        this.firstInstall = false;
        this.set({ offline: 'ready' });
      } else {
        // A new version took over: this page asked for it, or another tab did. (workbox-window only reports this
        // for pages that were controlled when they registered, so a page still in its first session would miss it.)
        this.onTakeover();
      }
    });
    this.updateSW = registerSW({
      immediate: true,
      onOfflineReady: () => {
        if (!this.firstInstall) this.set({ offline: 'ready' });
      },
      onNeedRefresh: () => this.set({ updateWaiting: true }),
      // Handled on `controllerchange` above; without this, the plugin would reload by itself, even mid-count.
      onNeedReload: () => {},
      onRegisteredSW: (_url, registration) => {
        if (registration) this.onRegistered(registration);
      },
      onRegisterError: (err: unknown) => this.set({ offline: 'failed', error: describe(err) }),
    });
  }

  /** The user accepted the new version: activate it; the page reloads when it takes over. */
  async applyUpdate(): Promise<void> {
    this.requestedHere = true;
    if (this.takeoverPending) return location.reload();
    await this.updateSW?.(true);
  }

  /** Asks the server for a new version (the browser only checks on navigation, which a phone on a pole never does). */
  async checkForUpdate(): Promise<void> {
    try {
      await this.registration?.update();
    } catch {
      // Offline or the server is down: the next check will do.
    }
  }

  /** Resolves when the model may load: at once, or after the first install stored it (see model-wait-policy.ts). */
  async whenReadyForModel(): Promise<void> {
    for (;;) {
      const decision = beforeModelLoad({
        serviceWorker: this.offline !== 'unsupported' && this.offline !== 'failed',
        controlled: Boolean(navigator.serviceWorker?.controller),
        installing: this.firstInstall || this.offline === 'starting',
        msSinceProgress: performance.now() - this.lastProgressAt,
      });
      if (decision === 'load') return;
      await this.nextChange(5_000);
    }
  }

  private onRegistered(registration: ServiceWorkerRegistration): void {
    this.registration = registration;
    const installing = registration.installing ?? registration.waiting;
    if (navigator.serviceWorker.controller || !installing) {
      // Controlled already, or an active worker that does not control this page (a hard reload): nothing to wait for.
      if (this.offline === 'starting') this.set({ offline: registration.active ? 'ready' : 'failed' });
      return;
    }
    this.firstInstall = true;
    this.lastProgressAt = performance.now();
    this.set({ offline: 'caching' });
    installing.addEventListener('statechange', () => {
      if (installing.state !== 'redundant' || !this.firstInstall) return;
      this.firstInstall = false;
      this.set({ offline: 'failed', error: 'The app could not be saved for offline use (a download failed). It works online and tries again on the next visit.' });
    });
    // Ask for the progress so far: the install may have started before this page listened.
    const ask: ToServiceWorker = { type: 'GET_PRECACHE_PROGRESS' };
    installing.postMessage(ask);
  }

  private onMessage(data: unknown): void {
    const msg = parseFromServiceWorker(data);
    if (!msg) return;
    this.lastProgressAt = performance.now();
    this.set({ progress: msg.progress, ...(msg.installing && this.firstInstall ? { offline: 'caching' as const } : {}) });
  }

  private onTakeover(): void {
    if (afterTakeover({ requestedHere: this.requestedHere, counting: this.counting() }) === 'reload') location.reload();
    else this.set({ takeoverPending: true, updateWaiting: false });
  }

  private set(change: Partial<Pick<ServiceWorkerBridge, 'offline' | 'progress' | 'updateWaiting' | 'takeoverPending' | 'error'>>): void {
    Object.assign(this, change);
    this.dispatchEvent(new Event('change'));
  }

  private nextChange(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.removeEventListener('change', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.addEventListener('change', done);
    });
  }
}

function describe(err: unknown): string {
  return `The app could not be saved for offline use (${err instanceof Error ? err.message : String(err)}). It works online.`;
}

/** One per page. */
export const serviceWorkerBridge = new ServiceWorkerBridge();
