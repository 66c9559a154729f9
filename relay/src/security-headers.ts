// What the app's pages may do, for the relay's static answers and `vite preview` (so the e2e tests run under it).
// Pure constants: vite.config.ts imports this file too.

/**
 * The app runs no inline script: its code is same-origin modules and workers. TF.js compiles WebAssembly
 * ('wasm-unsafe-eval'), and its threaded WASM backend starts its threads from blob: URLs. Styles: the page's one
 * inline <style> and Lit's style attributes need 'unsafe-inline' (styles cannot run code). The relay a user shares to
 * may be any address, over HTTP(S) and WebSockets. Nobody may frame the app (clickjacking).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self' http: https: ws: wss: data: blob:",
  "font-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** On every static answer of the app (documents, scripts, workers: a worker's policy comes with its script). */
export const APP_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  // For browsers without frame-ancestors.
  'X-Frame-Options': 'DENY',
};

/** API answers are data, never a page: nothing may load from them or frame them. */
export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
};

/** Over TLS: browsers come back over HTTPS only, for a year (not for subdomains: the relay cannot speak for them). */
export const HSTS = { 'Strict-Transport-Security': 'max-age=31536000' } as const;
