// A tiny static server for a built app, on 127.0.0.1 and a free port, the way the relay will serve it: the same
// COOP/COEP headers as `vite preview`, the app shell for `/v/<lot>`, 404 for anything else that is missing (the relay's
// API paths are not here). The folder it serves can be swapped (update test), and it can be closed (offline test).
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
};

export interface StaticServer {
  readonly url: string;
  /** Serve another folder from now on (a new build "deployed"). */
  serve(root: string): void;
  /** Paths requested so far, in order (for asserting what reached the network). */
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startStaticServer(root: string): Promise<StaticServer> {
  let dir = resolve(root);
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    const headers: Record<string, string> = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      // Like a static host without cache headers: revalidate. sw.js must never be served stale.
      'Cache-Control': 'no-cache',
    };
    const file = fileFor(dir, path);
    if (!file) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': String(statSync(file).size) });
    createReadStream(file).pipe(res);
  });
  // Keep-alive sockets would hold close() open.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    serve: (next) => {
      dir = resolve(next);
    },
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function fileFor(dir: string, path: string): string | null {
  if (path === '/' || /^\/v\/[^/]+\/?$/.test(path)) return join(dir, 'index.html');
  const file = normalize(join(dir, path));
  if (!file.startsWith(dir + sep)) return null;
  try {
    return statSync(file).isFile() ? file : null;
  } catch {
    return null;
  }
}
