// Launching the same quiet Chromium the tests use, for commands (bench) that drive the app in a real browser.
import { chromium, type Browser } from '@playwright/test';
import { join } from 'node:path';
import { createServer } from 'vite';
import { CHROMIUM_PATH, QUIET_FLAGS } from '../../playwright.config.ts';

export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...QUIET_FLAGS, ...extraArgs] });
}

/**
 * Serves the project with Vite on 127.0.0.1, opens `pagePath` (a page under tests/bench/ that sets #status to "ready"
 * and defines `window.runBench`) in Chromium, and returns what `runBench(config)` resolves to. `expose`: functions
 * the page may call (page.exposeFunction).
 */
export async function runBenchPage<C, R>(pagePath: string, config: C, expose: Record<string, () => unknown> = {}): Promise<R> {
  const server = await createServer({ root: join(import.meta.dirname, '..', '..'), logLevel: 'error', server: { port: 0, host: '127.0.0.1' } });
  await server.listen();
  const address = server.httpServer?.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    // Node-side measurements the page asks for while it runs (the browser's CPU time from /proc, for instance).
    for (const [name, fn] of Object.entries(expose)) await page.exposeFunction(name, fn);
    await page.goto(`http://127.0.0.1:${port}${pagePath}`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', undefined, { timeout: 120_000 });
    return (await page.evaluate((c) => (window as unknown as { runBench(c: unknown): Promise<unknown> }).runBench(c), config as unknown)) as R;
  } finally {
    await browser.close();
    await server.close();
  }
}
