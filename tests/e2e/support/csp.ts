// Content-Security-Policy violations on a page and in its workers: the app must run under the relay's policy with
// nothing blocked. The document's `securitypolicyviolation` events, and Chromium's console reports (workers too).
import type { Page } from '@playwright/test';

declare global {
  interface Window {
    __cspViolations?: string[];
  }
}

/** Starts recording before the page loads; the returned function lists what was blocked so far. */
export async function recordCspViolations(page: Page): Promise<() => Promise<string[]>> {
  const reported: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (load|execute|apply|create|compile|connect|frame)/i.test(m.text())) reported.push(m.text());
  });
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations?.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  return async () => [...(await page.evaluate(() => window.__cspViolations ?? [])), ...reported];
}
