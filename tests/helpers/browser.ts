/**
 * Headless Chromium for tests, driven with playwright-core: the browser is the system's
 * (`CHROMIUM`, else `chromium` or `chromium-browser` on the PATH); a missing one fails the test
 * with what to install, never skips it.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

/** How long the browser may take to start. */
export const BROWSER_LAUNCH_TIMEOUT_MS = 60_000;

const executable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * The Chromium to drive: `$CHROMIUM`, else the first `chromium` or `chromium-browser` on the PATH.
 * @throws Error naming what to install or set when there is none.
 */
export function chromiumPath(): string {
  const given = process.env.CHROMIUM;
  if (given !== undefined && given !== '') {
    if (executable(given)) return given;
    throw new Error(`CHROMIUM is set to "${given}", which is not an executable file`);
  }
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    if (folder === '') continue;
    for (const name of ['chromium', 'chromium-browser']) {
      const path = join(folder, name);
      if (executable(path)) return path;
    }
  }
  throw new Error(
    'no Chromium found for the browser tests: install it (Debian: apt-get install chromium) or set CHROMIUM to its path',
  );
}

/** Starts headless Chromium (one per test file; close it in `afterAll`). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ['--no-sandbox'],
    timeout: BROWSER_LAUNCH_TIMEOUT_MS,
  });
}
