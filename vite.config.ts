import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import pkg from './package.json' with { type: 'json' };
import { pwaOptions } from './pwa.config.ts';
import { APP_SECURITY_HEADERS } from './relay/src/security-headers.ts';

// Cross-origin isolation lets the WASM backend use threads (SharedArrayBuffer); everything is same-origin anyway.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// PWA: the version the app shows (Settings → Offline & storage); LOTWATCH_BUILD_ID marks a build (the update test).
const buildId = process.env.LOTWATCH_BUILD_ID;
const appVersion = buildId ? `${pkg.version}+${buildId}` : pkg.version;

export default defineConfig({
  server: { headers: isolation },
  // The preview (what the e2e tests load) serves the app under the relay's Content-Security-Policy, so a blocked
  // script, worker or WASM shows up in the tests; the dev server's hot reload needs inline scripts and goes without.
  preview: { headers: { ...isolation, ...APP_SECURITY_HEADERS } },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    sourcemap: true,
    // TF.js lives in the worker chunk; the page shell stays small.
    chunkSizeWarningLimit: 2000,
  },
  // PWA: manifest and service worker (pwa.config.ts, docs/pwa.md).
  define: { __LOTWATCH_VERSION__: JSON.stringify(appVersion) },
  plugins: [VitePWA(pwaOptions())],
});
