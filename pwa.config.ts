// The installable-app part of the build: web app manifest and service worker (vite-plugin-pwa, Workbox injectManifest).
// See docs/pwa.md for why each choice.
import type { ManifestOptions, VitePWAOptions } from 'vite-plugin-pwa';

const THEME = '#020617';

/** The model's shards are 4 MiB each (Workbox skips anything over 2 MiB by default); the largest file is counted. */
export const MAX_PRECACHE_FILE_BYTES = 8 * 1024 * 1024;

/**
 * Everything the app needs offline: the shell (HTML, JS, CSS), the analysis worker, the WASM binaries, icons, and the
 * model. `models/coco-ssd/*` is listed on its own because the shards have no file extension.
 */
export const PRECACHE_GLOBS = ['**/*.{html,js,css,wasm,svg,png,ico}', 'models/coco-ssd/*'];
/** Screenshots are for the browser's install dialog, never for the app itself. */
export const PRECACHE_IGNORES = ['screenshots/**', '**/*.map'];

export const manifest: Partial<ManifestOptions> = {
  id: '/',
  name: 'lotwatch — live free-space counter',
  short_name: 'lotwatch',
  description: 'A phone aimed at a parking lot becomes a live free-space counter. Video never leaves the device.',
  lang: 'en',
  dir: 'ltr',
  start_url: '/',
  scope: '/',
  display: 'standalone',
  // A phone on a pole may be mounted either way; the layout follows.
  orientation: 'any',
  theme_color: THEME,
  background_color: THEME,
  categories: ['utilities', 'productivity'],
  // From public/icon.svg by `npm run icons` (@vite-pwa/assets-generator, pwa-assets.config.ts).
  icons: [
    { src: 'pwa-64x64.png', sizes: '64x64', type: 'image/png' },
    { src: 'pwa-192x192.png', sizes: '192x192', type: 'image/png' },
    { src: 'pwa-512x512.png', sizes: '512x512', type: 'image/png' },
    { src: 'maskable-icon-512x512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
  ],
  // From the real app by `npm run screenshots` (scripts/screenshots.ts).
  screenshots: [
    {
      src: 'screenshots/wide.png',
      sizes: '1280x800',
      type: 'image/png',
      form_factor: 'wide',
      label: 'lotwatch counting a parking lot: free slots green, occupied red, with live counts',
    },
    {
      src: 'screenshots/narrow.png',
      sizes: '720x1480',
      type: 'image/png',
      form_factor: 'narrow',
      label: 'lotwatch on a phone: the lot with its slots and the free-space count',
    },
  ],
  shortcuts: [
    {
      name: 'Start counting',
      short_name: 'Count',
      description: 'Open the camera and count free spaces',
      url: '/?start=camera',
      icons: [{ src: 'pwa-192x192.png', sizes: '192x192', type: 'image/png' }],
    },
    {
      name: 'Viewer',
      short_name: 'Viewer',
      description: 'See the counts of a lot shared by another device',
      url: '/v/default',
      icons: [{ src: 'pwa-192x192.png', sizes: '192x192', type: 'image/png' }],
    },
  ],
};

export function pwaOptions(): Partial<VitePWAOptions> {
  return {
    strategies: 'injectManifest',
    srcDir: 'src/pwa',
    filename: 'sw.ts',
    // The page asks before a new version takes over (src/pwa/update-policy.ts); it registers the worker itself.
    registerType: 'prompt',
    injectRegister: false,
    manifest,
    // The globs already take every icon; listing them again would only duplicate manifest entries.
    includeManifestIcons: false,
    injectManifest: {
      globPatterns: PRECACHE_GLOBS,
      globIgnores: PRECACHE_IGNORES,
      maximumFileSizeToCacheInBytes: MAX_PRECACHE_FILE_BYTES,
      // Keep each file's size in the manifest: the service worker reports download progress in bytes.
      manifestTransforms: [async (entries) => ({ manifest: entries.map((e) => ({ ...e, bytes: e.size })), warnings: [] })],
      // One bundle, no shared chunks with the app (a service worker cannot import them).
      rollupFormat: 'iife',
    },
  };
}
