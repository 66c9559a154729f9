// Checks the browser can run lotwatch before loading it, so an old browser gets words instead of a blank page.
import { serviceWorkerBridge } from './pwa/sw-bridge.ts';

const missing = [
  ['custom elements', 'customElements' in window],
  ['IndexedDB', 'indexedDB' in window],
  ['Web Workers', 'Worker' in window],
  ['createImageBitmap', 'createImageBitmap' in window],
  ['OffscreenCanvas', 'OffscreenCanvas' in window],
  ['WebAssembly', typeof WebAssembly === 'object'],
].filter(([, ok]) => !ok).map(([name]) => name);

const root = document.getElementById('app')!;
if (missing.length) {
  root.innerHTML = `<div class="unsupported" role="alert"><h1>This browser cannot run lotwatch</h1>
    <p>It lacks ${missing.join(', ')}. Use a current Chrome, Edge, Firefox or Safari (2023 or later).</p></div>`;
} else {
  // Viewers (another tab's lot, or a relay's /v/<lot> link) never load the counter, its camera or its model.
  const start = async (): Promise<void> => {
    const { routeOf } = await import('./app/route.ts');
    const route = routeOf(location.pathname, location.hash);
    if (route.kind === 'counter') {
      // Registered at once, not after the app: on a first visit the offline copy (and the model in it) starts
      // downloading while the shell starts. Viewers do not register it: they have no use for the 18 MB model.
      serviceWorkerBridge.start();
      await import('./app/lw-app.ts');
      root.replaceChildren(document.createElement('lw-app'));
    } else {
      await import('./app/lw-viewer-app.ts');
      const viewer = document.createElement('lw-viewer-app');
      viewer.route = route;
      root.replaceChildren(viewer);
    }
    addEventListener('hashchange', () => {
      if (routeOf(location.pathname, location.hash).kind !== route.kind) location.reload();
    });
  };
  start().catch((err: unknown) => {
    root.innerHTML = `<div class="unsupported" role="alert"><h1>lotwatch could not start</h1><p></p></div>`;
    root.querySelector('p')!.textContent = `${err instanceof Error ? err.message : String(err)}. Reload the page to try again.`;
  });
}
