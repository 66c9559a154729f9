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
  // Registered at once, not after the app: on a first visit the offline copy (and the model in it) starts downloading
  // while the shell starts.
  serviceWorkerBridge.start();
  import('./app/lw-app.ts')
    .then(() => root.replaceChildren(document.createElement('lw-app')))
    .catch((err: unknown) => {
      root.innerHTML = `<div class="unsupported" role="alert"><h1>lotwatch could not start</h1><p></p></div>`;
      root.querySelector('p')!.textContent = `${err instanceof Error ? err.message : String(err)}. Reload the page to try again.`;
    });
}
