// On the first visit, whether to wait for the service worker to store the offline copy before loading the model.

/** If the offline copy makes no progress for this long, stop waiting and download the model directly. */
export const PRECACHE_STALL_MS = 60_000;

export interface FirstVisitSituation {
  /** The browser supports service workers and registration did not fail. */
  readonly serviceWorker: boolean;
  /** A service worker already controls the page: the model's requests go through it (and its cache). */
  readonly controlled: boolean;
  /** A first service worker is installing: it is downloading the model into the cache right now. */
  readonly installing: boolean;
  /** Milliseconds since the install last reported progress (or started). */
  readonly msSinceProgress: number;
}

/**
 * `wait` while a first install is storing the model: loading it in parallel would download the same 18 MB twice and
 * split the bandwidth, so the first count would come later, not sooner. Otherwise (or if the install stalls) `load`.
 */
export function beforeModelLoad(s: FirstVisitSituation): 'wait' | 'load' {
  if (!s.serviceWorker || s.controlled || !s.installing) return 'load';
  return s.msSinceProgress < PRECACHE_STALL_MS ? 'wait' : 'load';
}
