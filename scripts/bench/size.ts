// Bytes a first visit downloads: the app shell (gzip), the detector worker chunk, the WASM binaries, the model.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PROJECT_ROOT } from '../lib/node-tf.ts';

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

export async function benchSize(args: string[]): Promise<unknown> {
  const dist = join(PROJECT_ROOT, 'dist');
  if (!existsSync(dist) || args.includes('--build')) execFileSync('npx', ['vite', 'build'], { cwd: PROJECT_ROOT, stdio: 'ignore' });
  const files = listFiles(dist);
  const gz = (f: string) => gzipSync(readFileSync(f), { level: 9 }).length;
  const isWorker = (f: string) => /detection\.worker.*\.js$/.test(f);
  const isServiceWorker = (f: string) => f === join(dist, 'sw.js');
  const history = historyOnly(files, dist);
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
  console.log(`detector worker chunk (gzip)    ${kb(out.detectorChunkGzipBytes)}`);
  console.log(`service worker (gzip)           ${kb(out.serviceWorkerGzipBytes)}`);
  console.log(`history view, loaded when opened (gzip)  ${kb(out.historyViewGzipBytes)}  (${history.size} files: dashboard, uPlot, reports)`);
  console.log(`WASM binaries, all 3 (gzip)     ${kb(out.wasmGzipBytes)}  (a device downloads one)`);
  console.log(`model weights                   ${kb(out.modelBytes)}`);
  return { ...out, ...firstVisit(dist) };
}

/**
 * Chunks only the history view and its upkeep load (imported dynamically when opened): what the history entry chunks
 * reach by static imports, less what every other entry (the page's script, the other dynamic imports) reaches.
 */
function historyOnly(files: string[], dist: string): Set<string> {
  const js = files.filter((f) => f.endsWith('.js'));
  const text = new Map(js.map((f) => [f, readFileSync(f, 'utf8')]));
  const refs = (f: string, re: RegExp) => [...(text.get(f) ?? '').matchAll(re)].map((m) => join(f, '..', m[1]!));
  const staticDeps = (f: string) => refs(f, /(?:from|import)\s*["'`]\.\/([\w.-]+\.js)["'`]/g);
  const reach = (roots: string[]) => {
    const seen = new Set<string>();
    const todo = [...roots];
    while (todo.length) {
      const f = todo.pop()!;
      if (seen.has(f)) continue;
      seen.add(f);
      todo.push(...staticDeps(f));
    }
    return seen;
  };
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const page = [...html.matchAll(/src="\/(assets\/[\w.-]+\.js)"/g)].map((m) => join(dist, m[1]!));
  const dynamic = [...new Set(js.flatMap((f) => refs(f, /import\(\s*["'`]\.\/([\w.-]+\.js)["'`]\s*\)/g)))];
  const isHistory = (f: string) => /[\\/](lw-history-page|device-history|relay-history|history-maintenance)-[\w-]+\.js$/.test(f);
  const fromHistory = reach(dynamic.filter(isHistory));
  const fromRest = reach([...page, ...dynamic.filter((f) => !isHistory(f))]);
  return new Set([...fromHistory].filter((f) => !fromRest.has(f)));
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
