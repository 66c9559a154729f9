import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheControlFor, contentTypeFor, isAppRoute, resolveStaticPath } from '../../relay/src/static-files.ts';
import { removeTempDirs, startTestRelay, tempDir, type TestRelay } from './support.ts';

describe('static decisions', () => {
  it.each([
    ['/', 'index.html'],
    ['/index.html', 'index.html'],
    ['/assets/app-1234.js', 'assets/app-1234.js'],
    ['/models/coco-ssd/group1-shard1of5', 'models/coco-ssd/group1-shard1of5'],
    ['/a/./b', 'a/b'],
    ['/docs/', 'docs/index.html'],
    ['/%61pp.js', 'app.js'],
    ['/../etc/passwd', null],
    ['/a/../../etc/passwd', null],
    ['/%2e%2e/etc/passwd', null],
    ['/a%2F..%2F..%2Fetc', null],
    ['/..%5c..%5cwin.ini', null],
    ['/.env', null],
    ['/.git/config', null],
    ['/a%00.js', null],
    ['/%E0%A4%A', null],
  ])('resolveStaticPath(%j) = %j', (url, rel) => {
    expect(resolveStaticPath(url)).toBe(rel);
  });

  it.each([
    ['ort-wasm-simd-threaded.wasm', 'application/wasm'],
    ['group1-shard1of5', 'application/octet-stream'],
    ['manifest.webmanifest', 'application/manifest+json'],
    ['index.html', 'text/html; charset=utf-8'],
    ['app.js', 'text/javascript; charset=utf-8'],
    ['model.json', 'application/json; charset=utf-8'],
    ['icon.svg', 'image/svg+xml'],
    ['something.unknown', 'application/octet-stream'],
  ])('contentTypeFor(%j) = %j', (file, type) => {
    expect(contentTypeFor(file)).toBe(type);
  });

  it('caches hashed assets for good and revalidates the rest', () => {
    expect(cacheControlFor('assets/app-1234.js')).toContain('immutable');
    expect(cacheControlFor('index.html')).toBe('no-cache');
    expect(cacheControlFor('sw.js')).toBe('no-cache');
  });

  it.each([
    ['/', undefined, true],
    ['/v/north', undefined, true],
    ['/v/north', '*/*', true],
    ['/settings', 'text/html,application/xhtml+xml', true],
    ['/settings', '*/*', false],
    ['/models/coco-ssd/group1-shard9of5', '*/*', false],
    ['/missing.js', 'text/html', false],
  ])('isAppRoute(%j, %j) = %s', (path, accept, yes) => {
    expect(isAppRoute(path, accept)).toBe(yes);
  });
});

describe('serving dist/', () => {
  let relay: TestRelay;
  let bare: TestRelay;
  const index = '<!doctype html><title>lotwatch</title>';

  beforeAll(async () => {
    const dist = join(tempDir('lotwatch-dist-'), 'dist');
    mkdirSync(dist);
    writeFileSync(join(dist, 'index.html'), index);
    writeFileSync(join(dist, 'manifest.webmanifest'), '{}');
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'assets', 'tfjs-backend-wasm-simd.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d]));
    mkdirSync(join(dist, 'models', 'coco-ssd'), { recursive: true });
    writeFileSync(join(dist, 'models', 'coco-ssd', 'group1-shard1of5'), Buffer.alloc(10, 7));
    // A secret beside dist/ that traversal must not reach, and symlinks out of dist/ to it and its folder.
    writeFileSync(join(dist, '..', 'lotwatch-secret.txt'), 'secret');
    symlinkSync(join(dist, '..', 'lotwatch-secret.txt'), join(dist, 'leak.txt'));
    symlinkSync(join(dist, '..'), join(dist, 'up'));
    symlinkSync('/etc', join(dist, 'etc'));
    // A symlink that stays inside dist/ is fine.
    symlinkSync(join(dist, 'manifest.webmanifest'), join(dist, 'alias.webmanifest'));
    relay = await startTestRelay({ dist });
    bare = await startTestRelay({ dist: join(tempDir(), 'no-such-dist') });
  });

  afterAll(async () => {
    await relay.close();
    await bare.close();
    removeTempDirs();
  });

  const isolated = (res: Response) => {
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  };

  it('serves files with their MIME types and cross-origin isolation', async () => {
    for (const [path, type] of [
      ['/', 'text/html; charset=utf-8'],
      ['/assets/tfjs-backend-wasm-simd.wasm', 'application/wasm'],
      ['/models/coco-ssd/group1-shard1of5', 'application/octet-stream'],
      ['/manifest.webmanifest', 'application/manifest+json'],
    ] as const) {
      const res = await fetch(relay.url + path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toBe(type);
      isolated(res);
      await res.arrayBuffer();
    }
  });

  it('answers /v/<lot> with index.html (the app opens the viewer from the path)', async () => {
    const res = await fetch(`${relay.url}/v/north`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(index);
    isolated(res);
  });

  it('answers 404 for missing files, not index.html', async () => {
    const res = await fetch(`${relay.url}/models/coco-ssd/group1-shard9of5`);
    expect(res.status).toBe(404);
    isolated(res);
  });

  it('revalidates with ETag', async () => {
    const first = await fetch(`${relay.url}/manifest.webmanifest`);
    await first.text();
    const etag = first.headers.get('etag') ?? '';
    expect(etag).not.toBe('');
    const again = await fetch(`${relay.url}/manifest.webmanifest`, { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
  });

  it('does not let a path leave dist/', async () => {
    // fetch normalises "..", so send raw requests.
    const { request } = await import('node:http');
    const raw = (path: string) =>
      new Promise<{ status: number; body: string }>((ok, fail) => {
        const req = request({ host: '127.0.0.1', port: relay.port, path, method: 'GET' }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => ok({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', fail);
        req.end();
      });
    for (const path of ['/../lotwatch-secret.txt', '/%2e%2e/lotwatch-secret.txt', '/assets/..%2f..%2flotwatch-secret.txt', '/..\\lotwatch-secret.txt']) {
      const r = await raw(path);
      expect(r.status, path).toBe(400);
      expect(r.body).not.toContain('secret');
    }
  });

  it('serves no file whose real path is outside dist/ (symlinks), and symlinks within it', async () => {
    for (const path of ['/leak.txt', '/up/lotwatch-secret.txt', '/etc/hostname', '/etc/passwd']) {
      const res = await fetch(`${relay.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain('secret');
    }
    // Not even as the app's page: an extensionless path falls back to index.html, never to what a link points at.
    expect(await (await fetch(`${relay.url}/up`, { headers: { Accept: 'text/html' } })).text()).toBe(index);
    const alias = await fetch(`${relay.url}/alias.webmanifest`);
    expect(alias.status).toBe(200);
    expect(await alias.text()).toBe('{}');
  });

  it('says clearly on / when the app is not built', async () => {
    const res = await fetch(`${bare.url}/`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('the app is not built');
    isolated(res);
    expect((await fetch(`${bare.url}/v/north`)).status).toBe(503);
  });

  it('puts the isolation headers on API answers too', async () => {
    isolated(await fetch(`${relay.url}/healthz`));
    isolated(await fetch(`${relay.url}/lots/nope/metadata`));
  });

  it('serves the app under a Content-Security-Policy: no inline script, no framing; API answers load nothing', async () => {
    for (const path of ['/', '/v/north', '/manifest.webmanifest', '/assets/tfjs-backend-wasm-simd.wasm', '/missing.js']) {
      const res = await fetch(`${relay.url}${path}`, { headers: { Accept: 'text/html' } });
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("script-src 'self' 'wasm-unsafe-eval';");
      expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(res.headers.get('x-frame-options')).toBe('DENY');
    }
    expect((await fetch(`${bare.url}/`)).headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const api = await fetch(`${relay.url}/healthz`);
    expect(api.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    // Plain HTTP: no HSTS (the TLS test in relay.e2e.test.ts checks it is there over HTTPS).
    expect(api.headers.get('strict-transport-security')).toBeNull();
  });
});
