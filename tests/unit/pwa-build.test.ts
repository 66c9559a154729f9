// The build output, as vite-plugin-pwa's own examples check it: the service worker's precache list and the web app
// manifest, read from a fresh `vite build` in a temporary folder.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PRECACHE_FILE_BYTES } from '../../pwa.config.ts';
import { historyViewFiles } from '../../scripts/lib/bundle-parts.ts';

const ROOT = join(import.meta.dirname, '..', '..');
let out = '';
let precache: { url: string; revision: string | null; bytes?: number }[] = [];
let files: string[] = [];

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'lotwatch-build-'));
  execFileSync('npx', ['vite', 'build', '--outDir', out, '--emptyOutDir', '--logLevel', 'error'], { cwd: ROOT, stdio: 'pipe' });
  const sw = readFileSync(join(out, 'sw.js'), 'utf8');
  // The injected manifest is a JSON array of {url, revision, bytes} objects inside the minified worker.
  precache = [...sw.matchAll(/\{[^{}]*"url":"[^"]+"[^{}]*\}/g)].map((m) => JSON.parse(m[0]) as (typeof precache)[number]);
  files = list(out).map((f) => relative(out, f).split('\\').join('/'));
}, 120_000);

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

function list(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? list(join(dir, e.name)) : [join(dir, e.name)]));
}

const urls = () => new Set(precache.map((e) => e.url));

describe('the service worker precache', () => {
  it('lists the shell: the page, every script of the app and the analysis worker', () => {
    const scripts = files.filter((f) => f.startsWith('assets/') && f.endsWith('.js'));
    expect(scripts.some((f) => /analysis\.worker/.test(f))).toBe(true);
    for (const f of ['index.html', 'manifest.webmanifest', ...scripts]) expect(urls(), f).toContain(f);
  });

  it('lists every WASM binary', () => {
    const wasm = files.filter((f) => f.endsWith('.wasm'));
    expect(wasm).toHaveLength(3);
    for (const f of wasm) expect(urls()).toContain(f);
  });

  it('lists all six model files, extensionless 4 MiB shards included, with their real sizes', () => {
    const model = files.filter((f) => f.startsWith('models/coco-ssd/'));
    expect(model.sort()).toEqual(['model.json', ...[1, 2, 3, 4, 5].map((i) => `group1-shard${i}of5`)].map((f) => `models/coco-ssd/${f}`).sort());
    for (const f of model) {
      const entry = precache.find((e) => e.url === f);
      expect(entry, f).toBeDefined();
      // Revisioned: a new model with the same name replaces the old one.
      expect(entry!.revision).toMatch(/^[0-9a-f]{32}$/);
      expect(entry!.bytes).toBe(statSync(join(out, f)).size);
    }
    expect(statSync(join(out, 'models/coco-ssd/group1-shard1of5')).size).toBe(4 * 1024 * 1024);
    expect(Math.max(...precache.map((e) => e.bytes ?? 0))).toBeLessThanOrEqual(MAX_PRECACHE_FILE_BYTES);
  });

  it('leaves out source maps and the install screenshots', () => {
    expect([...urls()].filter((u) => u.endsWith('.map') || u.startsWith('screenshots/'))).toEqual([]);
  });

  it('keeps the app shell under 100 KB gzip, with TF.js only in the worker chunk', () => {
    // The history view (dashboard, uPlot) loads only when it is opened: not part of the shell.
    const history = new Set([...historyViewFiles(files.map((f) => join(out, f)), out)].map((f) => relative(out, f)));
    expect(history.size).toBeGreaterThan(0);
    const shell = files.filter(
      (f) => /\.(html|js|css)$/.test(f) && !/analysis\.worker|^sw\.js$|workbox-/.test(f) && !f.startsWith('models/') && !history.has(f),
    );
    const gz = shell.reduce((sum, f) => sum + gzipSync(readFileSync(join(out, f)), { level: 9 }).length, 0);
    expect(gz).toBeLessThan(100 * 1024);
    // Strings only TF.js has: in the worker chunk, and in no shell file.
    const tfjs = /tfjs-backend-wasm\.wasm|WEBGL_FORCE_F16_TEXTURES/;
    const worker = files.find((f) => /analysis\.worker.*\.js$/.test(f))!;
    expect(readFileSync(join(out, worker), 'utf8')).toMatch(tfjs);
    for (const f of shell) expect(readFileSync(join(out, f), 'utf8'), f).not.toMatch(tfjs);
  });
});

interface Icon {
  src: string;
  sizes: string;
  type?: string;
  purpose?: string;
  form_factor?: string;
}

describe('the web app manifest', () => {
  const manifest = () => JSON.parse(readFileSync(join(out, 'manifest.webmanifest'), 'utf8')) as Record<string, unknown>;
  const pngSize = (src: string) => {
    const png = PNG.sync.read(readFileSync(join(out, src)));
    return `${png.width}x${png.height}`;
  };

  it('has every field an installable app needs', () => {
    const m = manifest();
    expect(m).toMatchObject({
      id: '/',
      name: expect.stringContaining('lotwatch'),
      short_name: 'lotwatch',
      description: expect.stringMatching(/.{20,}/),
      theme_color: '#020617',
      background_color: '#020617',
      display: 'standalone',
      start_url: '/',
      scope: '/',
    });
  });

  it('has 192 and 512 icons and a maskable one, each a PNG of the size it claims', () => {
    const icons = manifest().icons as Icon[];
    const any = icons.filter((i) => !i.purpose || i.purpose.split(' ').includes('any'));
    expect(any.map((i) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
    expect(icons.some((i) => i.purpose?.split(' ').includes('maskable') && i.sizes === '512x512')).toBe(true);
    for (const i of icons) expect(pngSize(i.src), i.src).toBe(i.sizes);
  });

  it('has wide and narrow screenshots of the sizes it claims', () => {
    const shots = manifest().screenshots as Icon[];
    expect(shots.map((s) => s.form_factor).sort()).toEqual(['narrow', 'wide']);
    for (const s of shots) expect(pngSize(s.src), s.src).toBe(s.sizes);
  });

  it('has the two shortcuts, inside the scope', () => {
    const shortcuts = manifest().shortcuts as { name: string; url: string; icons?: Icon[] }[];
    expect(shortcuts.map((s) => [s.name, s.url])).toEqual([
      ['Start counting', '/?start=camera'],
      ['Viewer', '/v/default'],
    ]);
    for (const s of shortcuts) for (const i of s.icons ?? []) expect(pngSize(i.src)).toBe(i.sizes);
  });
});
