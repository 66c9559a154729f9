// Bytes a first visit downloads: the app shell (gzip), the analysis worker chunk, the WASM binaries, the model.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { historyViewFiles } from '../lib/bundle-parts.ts';
import { PROJECT_ROOT } from '../lib/node-tf.ts';

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

export async function benchSize(args: string[]): Promise<unknown> {
  const dist = join(PROJECT_ROOT, 'dist');
  if (!existsSync(dist) || args.includes('--build')) execFileSync('npx', ['vite', 'build'], { cwd: PROJECT_ROOT, stdio: 'ignore' });
  const files = listFiles(dist);
  const gz = (f: string) => gzipSync(readFileSync(f), { level: 9 }).length;
  const isWorker = (f: string) => /analysis\.worker.*\.js$/.test(f);
  const isServiceWorker = (f: string) => f === join(dist, 'sw.js');
  const history = historyViewFiles(files, dist);
  const shell = files.filter((f) => /\.(js|css|html)$/.test(f) && !isWorker(f) && !isServiceWorker(f) && !history.has(f) && !f.includes(`${join('dist', 'models')}`));
  const worker = files.filter(isWorker);
  const wasm = files.filter((f) => f.endsWith('.wasm'));
  const model = files.filter((f) => f.includes(join('dist', 'models')));
  const sum = (fs: string[], by: (f: string) => number) => fs.reduce((s, f) => s + by(f), 0);
  const size = (f: string) => statSync(f).size;
  const out = {
    shellGzipBytes: sum(shell, gz),
    detectorChunkGzipBytes: sum(worker, gz),
    serviceWorkerGzipBytes: sum(files.filter(isServiceWorker), gz),
    historyViewGzipBytes: sum([...history], gz),
    wasmGzipBytes: sum(wasm, gz),
    modelBytes: sum(model, size),
  };
  console.log(`app shell (HTML+JS+CSS, gzip)   ${kb(out.shellGzipBytes)}  (${shell.length} files)`);
  console.log(`analysis worker chunk (gzip)    ${kb(out.detectorChunkGzipBytes)}`);
  console.log(`service worker (gzip)           ${kb(out.serviceWorkerGzipBytes)}`);
  console.log(`history view, loaded when opened (gzip)  ${kb(out.historyViewGzipBytes)}  (${history.size} files: dashboard, uPlot, reports)`);
  console.log(`WASM binaries, all 3 (gzip)     ${kb(out.wasmGzipBytes)}  (a device downloads one)`);
  console.log(`model weights                   ${kb(out.modelBytes)}`);
  return { ...out, ...firstVisit(dist) };
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name)) : e.name.endsWith('.map') ? [] : [join(dir, e.name)],
  );
}

/**
 * What a first visit downloads in all: the service worker's precache list (every file the app needs offline), as
 * stored, and as sent by a server that gzips (text and WASM shrink; the model's float weights hardly do).
 */
function firstVisit(dist: string): { precacheFiles: number; precacheBytes: number; precacheGzipBytes: number } {
  const sw = readFileSync(join(dist, 'sw.js'), 'utf8');
  const urls = [...new Set([...sw.matchAll(/"url":"([^"]+)"/g)].map((m) => m[1]!))];
  const precacheBytes = urls.reduce((s, u) => s + statSync(join(dist, u)).size, 0);
  const precacheGzipBytes = urls.reduce((s, u) => s + gzipSync(readFileSync(join(dist, u)), { level: 9 }).length, 0);
  console.log(`first visit, precache (${urls.length} files)  ${kb(precacheBytes)}  (${kb(precacheGzipBytes)} if the server gzips)`);
  return { precacheFiles: urls.length, precacheBytes, precacheGzipBytes };
}
