// Launching the same quiet Chromium the tests use, for commands (bench) that drive the app in a real browser.
import { chromium, type Browser } from '@playwright/test';
import { CHROMIUM_PATH, QUIET_FLAGS } from '../../playwright.config.ts';

export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...QUIET_FLAGS, ...extraArgs] });
}
