// Which page navigations the service worker answers with the app shell. Pure, shared by the service worker and tests.

/**
 * Paths on the app's own origin that belong to the relay (its API and socket), not to the app. The service worker
 * never answers a navigation to them with the cached shell, so `/metadata` opened in a tab shows the relay's JSON.
 * Matched against `pathname + search`, as Workbox's NavigationRoute does.
 */
export const NAVIGATION_DENYLIST: readonly RegExp[] = [/^\/metadata(?:[/?]|$)/, /^\/ws(?:[/?]|$)/, /^\/lots(?:[/?]|$)/, /^\/api(?:[/?]|$)/];

/** True when a navigation to this path (with its query) should get the app shell, online or offline. */
export function isShellNavigation(pathAndSearch: string): boolean {
  return !NAVIGATION_DENYLIST.some((re) => re.test(pathAndSearch));
}
