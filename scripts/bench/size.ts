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
  const shell = files.filter((f) => /\.(js|css|html)$/.test(f) && !isWorker(f) && !f.includes(`${join('dist', 'models')}`));
  const worker = files.filter(isWorker);
  const wasm = files.filter((f) => f.endsWith('.wasm'));
  const model = files.filter((f) => f.includes(join('dist', 'models')));
  const sum = (fs: string[], by: (f: string) => number) => fs.reduce((s, f) => s + by(f), 0);
  const size = (f: string) => statSync(f).size;
  const out = {
    shellGzipBytes: sum(shell, gz),
    detectorChunkGzipBytes: sum(worker, gz),
    wasmGzipBytes: sum(wasm, gz),
    modelBytes: sum(model, size),
  };
  console.log(`app shell (HTML+JS+CSS, gzip)   ${kb(out.shellGzipBytes)}  (${shell.length} files)`);
  console.log(`detector worker chunk (gzip)    ${kb(out.detectorChunkGzipBytes)}`);
  console.log(`WASM binaries, all 3 (gzip)     ${kb(out.wasmGzipBytes)}  (a device downloads one)`);
  console.log(`model weights                   ${kb(out.modelBytes)}`);
  return out;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name)) : e.name.endsWith('.map') ? [] : [join(dir, e.name)],
  );
}
