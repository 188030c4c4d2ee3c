import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium (`apt-get install chromium`); .ci/run installs it. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless, and quiet: no network of its own (the machine has none), no GPU, no sandbox as root. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-dev-shm-usage',
  '--no-first-run',
];

/**
 * Whether browser tests can run here. Without chromium they are skipped with a message locally,
 * but fail in CI (`CI=true`), where .ci/run has installed it.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env.CI)
    throw new Error(`chromium is missing at ${CHROMIUM_PATH}: .ci/run should have installed it (apt-get install chromium)`);
  console.warn(`Browser tests skipped: no chromium at ${CHROMIUM_PATH}. Install it with: apt-get install -y chromium`);
  return false;
}

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 30_000 });

/**
 * Where screenshots go: docs/screenshots when asked (`npm run screenshots`), else a temporary
 * folder, so an ordinary test run leaves the work tree as it was.
 */
export function screenshotDir(): string {
  const dir = process.env.UPDATE_SCREENSHOTS ? resolve(__dirname, '../../docs/screenshots') : join(tmpdir(), 'concert-screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}
