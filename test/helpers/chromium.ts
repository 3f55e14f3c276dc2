import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * CI (.ci/run installs Debian's Chromium) always runs the browser tests; a developer machine
 * without Chromium skips them with a notice rather than failing the whole suite.
 */
export const BROWSER_TESTS = fs.existsSync(CHROMIUM) || process.env.CI === 'true';

export function launchChromium(): Promise<Browser> {
  // The flags keep Chromium off the network (this machine has none) and out of the sandbox (root).
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
