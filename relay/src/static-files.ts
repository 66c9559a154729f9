// Serves the built app from dist/: safe path resolution, MIME types, cache rules and the SPA fallback are pure
// functions; `serveStatic` is the thin adapter that touches the file system.
import { createReadStream, type Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { COMMON_HEADERS } from './http-util.ts';
import { APP_SECURITY_HEADERS } from './security-headers.ts';

const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.bin': 'application/octet-stream',
};

/** Content type by file name; extensionless files (the model's `group1-shard1of5`) are binary. */
export function contentTypeFor(file: string): string {
  return MIME[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Vite's hashed assets never change; everything else (index.html, sw.js, manifest, model) is revalidated. */
export function cacheControlFor(relPath: string): string {
  return relPath.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
}

/**
 * The file a URL path names, relative to dist/ with `/` separators, or null when the path is not acceptable:
 * undecodable, a NUL or backslash, a `..` or hidden segment. `/` and `dir/` name their `index.html`.
 */
export function resolveStaticPath(urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s === '..' || s.startsWith('.'))) return null;
  if (decoded.endsWith('/')) segments.push('index.html');
  return segments.join('/');
}

/** Paths the app routes itself: `/v/<lot>` always, and any extensionless page a browser navigates to. */
export function isAppRoute(urlPath: string, accept: string | undefined): boolean {
  if (urlPath === '/' || urlPath.startsWith('/v/')) return true;
  const last = urlPath.slice(urlPath.lastIndexOf('/') + 1);
  return extname(last) === '' && (accept ?? '').includes('text/html');
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

export function notBuiltPage(distAbs: string): string {
  return `<!doctype html><meta charset="utf-8"><title>lotwatch relay: app not built</title>
<h1>The lotwatch relay is running, but the app is not built</h1>
<p>There is no <code>index.html</code> in <code>${escapeHtml(distAbs)}</code>.
Run <code>npm run build</code> and reload, or start everything with <code>npm start</code>
(or point the relay at a build with <code>--dist DIR</code>).</p>
<p>The API works without the app: <a href="/metadata">/metadata</a>, <code>/ws</code>, <code>/lots/&lt;lot&gt;/metadata</code>.</p>
`;
}

async function fileStat(path: string): Promise<Stats | null> {
  try {
    return await stat(path);
  } catch {
    return null;
  }
}

/**
 * The file's real path (symlinks followed) when it is a regular file inside the served folder's real path, else null:
 * a symlink in dist/ may point within it, never out of it.
 */
async function servableFile(file: string, distAbs: string): Promise<{ real: string; st: Stats } | null> {
  try {
    const [real, root] = await Promise.all([realpath(file), realpath(distAbs)]);
    if (!real.startsWith(root + sep)) return null;
    const st = await stat(real);
    return st.isFile() ? { real, st } : null;
  } catch {
    return null;
  }
}

function sendPlain(res: ServerResponse, status: number, text: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, {
    ...COMMON_HEADERS,
    ...APP_SECURITY_HEADERS,
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

/** Answers a GET or HEAD for a file of the built app (or its index.html for app routes). */
export async function serveStatic(req: IncomingMessage, res: ServerResponse, distAbs: string, urlPath: string): Promise<void> {
  const rel = resolveStaticPath(urlPath);
  if (rel === null) return sendPlain(res, 400, 'Bad path\n');
  let file = resolve(distAbs, rel);
  // Belt and braces: whatever resolveStaticPath let through must still be inside dist/.
  if (file !== distAbs && !file.startsWith(distAbs + sep)) return sendPlain(res, 400, 'Bad path\n');
  if ((await fileStat(file))?.isDirectory()) file = resolve(file, 'index.html');
  let found = await servableFile(file, distAbs);
  if (!found) {
    if (!isAppRoute(urlPath, req.headers.accept)) return sendPlain(res, 404, 'Not found\n');
    file = resolve(distAbs, 'index.html');
    found = await servableFile(file, distAbs);
    if (!found) return sendPlain(res, 503, notBuiltPage(distAbs), 'text/html; charset=utf-8');
  }
  const { real, st } = found;
  const relServed = file.slice(distAbs.length + 1).split(sep).join('/');
  const etag = `W/"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
  const headers = {
    ...COMMON_HEADERS,
    ...APP_SECURITY_HEADERS,
    'Content-Type': contentTypeFor(file),
    'Cache-Control': cacheControlFor(relServed),
    'Cross-Origin-Resource-Policy': 'same-origin',
    ETag: etag,
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Length': st.size });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  // The real path that was checked, not the name: a symlink swapped meanwhile changes nothing.
  const stream = createReadStream(real);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
