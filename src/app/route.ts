import { LOT_ID_PATTERN } from '../share/protocol.ts';
import { DEFAULT_LOT_ID } from '../storage/db.ts';
import type { ViewerRoute } from './lw-viewer-app.ts';

export type Route = { readonly kind: 'counter' } | ViewerRoute;

/**
 * Which page to show: `/v/<lot>` is a relay's read-only viewer link, `#/view` (or `#/view/<lot>`) follows another tab
 * of this browser, anything else is the counter.
 */
export function routeOf(pathname: string, hash: string): Route {
  const relay = /^\/v\/([^/]+)\/?$/.exec(pathname);
  if (relay && LOT_ID_PATTERN.test(decodeURIComponent(relay[1]!))) return { kind: 'relay', lot: decodeURIComponent(relay[1]!) };
  const tab = /^#\/view(?:\/([^/]+))?\/?$/.exec(hash);
  if (tab) {
    const lot = tab[1] ? decodeURIComponent(tab[1]) : DEFAULT_LOT_ID;
    if (LOT_ID_PATTERN.test(lot)) return { kind: 'tab', lot };
  }
  return { kind: 'counter' };
}
