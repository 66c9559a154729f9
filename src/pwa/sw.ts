// The service worker: keeps the whole app (shell, analysis worker, WASM binaries, model weights) in the precache, so
// after the first visit lotwatch opens, loads its model and counts with no network at all. Built by vite-plugin-pwa
// (injectManifest): the build replaces `self.__WB_MANIFEST` with the list of files and their revisions.
/// <reference lib="webworker" />
import { clientsClaim } from 'workbox-core';
import type { WorkboxPlugin } from 'workbox-core/types.js';
import { cleanupOutdatedCaches, PrecacheController, PrecacheRoute, type PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { NAVIGATION_DENYLIST } from './navigation-routes.ts';
import { PrecacheTally } from './precache-progress.ts';
import type { FromServiceWorker, ToServiceWorker } from './sw-messages.ts';

/** Manifest entries carry their size (`bytes`, added at build time in pwa.config.ts) for the progress bar. */
type SizedPrecacheEntry = PrecacheEntry & { bytes?: number };
declare const self: ServiceWorkerGlobalScope;

// The build puts the list here; workbox-precaching types it without our `bytes`.
const manifest = self.__WB_MANIFEST as Array<SizedPrecacheEntry | string>;
const absolute = (url: string) => new URL(url, self.location.href).href;
const tally = new PrecacheTally(
  manifest.map((e) => (typeof e === 'string' ? { url: absolute(e), bytes: 0 } : { url: absolute(e.url), bytes: e.bytes ?? 0 })),
);

/** Workbox stores revisioned files under `url?__WB_REVISION__=…`; progress is kept by the plain URL. */
function plainUrl(request: Request): string {
  const url = new URL(request.url);
  url.searchParams.delete('__WB_REVISION__');
  return url.href;
}

let installing = false;
let lastReport = 0;
let reportTimer: ReturnType<typeof setTimeout> | undefined;

/** Tells every window of the app, controlled or not yet, how far the offline copy is; at most 4 times a second. */
function report(force = false): void {
  const now = Date.now();
  clearTimeout(reportTimer);
  if (!force && now - lastReport < 250) {
    reportTimer = setTimeout(() => report(true), 250 - (now - lastReport));
    return;
  }
  lastReport = now;
  const message: FromServiceWorker = { type: 'precache-progress', progress: tally.progress, installing };
  void self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((clients) => {
    for (const c of clients) c.postMessage(message);
  });
}

/** Counts bytes as each file streams into the cache; the model shards are 4 MB each, so files alone are too coarse. */
const progressPlugin: WorkboxPlugin = {
  fetchDidSucceed: async ({ request, response }) => {
    if (!installing || !response.body || response.redirected) return response;
    const url = plainUrl(request);
    const counter = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        tally.addBytes(url, chunk.byteLength);
        report();
        controller.enqueue(chunk);
      },
    });
    return new Response(response.body.pipeThrough(counter), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  },
  cacheDidUpdate: async ({ request }) => {
    tally.finish(plainUrl(request));
    report();
  },
  // Already stored by an earlier version (same revision): nothing to download, but it counts as done.
  cachedResponseWillBeUsed: async ({ request, cachedResponse }) => {
    if (installing && cachedResponse) {
      tally.finish(plainUrl(request));
      report();
    }
    return cachedResponse ?? null;
  },
};

const precache = new PrecacheController({ plugins: [progressPlugin] });

self.addEventListener('install', (event) => {
  installing = true;
  report(true);
  event.waitUntil(
    precache.install(event).finally(() => {
      installing = false;
      report(true);
    }),
  );
});
self.addEventListener('activate', (event) => {
  event.waitUntil(precache.activate(event));
});
precache.addToCacheList(manifest);
cleanupOutdatedCaches();

// Precached files (the model's shards too: their URLs have no extension, the manifest lists them one by one).
registerRoute(new PrecacheRoute(precache));
// Any other navigation in scope gets the app shell (`/`, `/?start=camera`, the viewer's `/v/<lot>`), except the
// relay's API paths on the same origin, which must reach the network.
registerRoute(new NavigationRoute(precache.createHandlerBoundToURL('index.html'), { denylist: [...NAVIGATION_DENYLIST] }));

// A first install takes the open page over at once (nothing older is running). An update only activates when the
// user accepts it (`SKIP_WAITING` from the page) or every tab is closed, so this never swaps code under a count.
clientsClaim();

self.addEventListener('message', (event: ExtendableMessageEvent) => {
  const msg = event.data as ToServiceWorker | null;
  if (msg?.type === 'SKIP_WAITING') void self.skipWaiting();
  else if (msg?.type === 'GET_PRECACHE_PROGRESS') report(true);
});
