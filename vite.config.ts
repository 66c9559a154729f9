import { defineConfig } from 'vite';

// Cross-origin isolation lets the WASM backend use threads (SharedArrayBuffer); everything is same-origin anyway.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  server: { headers: isolation },
  preview: { headers: isolation },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    sourcemap: true,
    // TF.js lives in the worker chunk; the page shell stays small.
    chunkSizeWarningLimit: 2000,
  },
});
