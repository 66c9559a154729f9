// The messages between the page and the service worker. The page validates what it receives.
import type { PrecacheProgress } from './precache-progress.ts';

/** Page → service worker. `SKIP_WAITING` is the message workbox-window's `messageSkipWaiting()` sends. */
export type ToServiceWorker = { readonly type: 'SKIP_WAITING' } | { readonly type: 'GET_PRECACHE_PROGRESS' };

/** Service worker → page: how far the offline copy is while the service worker installs. */
export type FromServiceWorker = { readonly type: 'precache-progress'; readonly progress: PrecacheProgress; readonly installing: boolean };

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** Returns the message if it is one of ours and well formed, else null (other libraries post messages too). */
export function parseFromServiceWorker(data: unknown): FromServiceWorker | null {
  if (typeof data !== 'object' || data === null) return null;
  const m = data as Record<string, unknown>;
  if (m.type !== 'precache-progress' || typeof m.installing !== 'boolean') return null;
  const p = m.progress as Record<string, unknown> | null;
  if (typeof p !== 'object' || p === null) return null;
  const { bytesDone, bytesTotal, filesDone, filesTotal } = p;
  if (!isCount(bytesDone) || !isCount(bytesTotal) || !isCount(filesDone) || !isCount(filesTotal)) return null;
  return { type: 'precache-progress', installing: m.installing, progress: { bytesDone, bytesTotal, filesDone, filesTotal } };
}
