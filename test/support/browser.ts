import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Locator, type Page } from 'playwright-core';
import { startLocalApi, type LocalApi } from './local-api';

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

/** A test file's local API (fresh tables, job timer off) and pages in a chromium of its own. */
export interface BrowserTest {
  /** The local API (it starts in beforeAll: use it inside tests and hooks). */
  readonly api: LocalApi;
  /** A page in a fresh context of its own (closed after all), with the file's context options over `overrides`; a page error fails the test. */
  newPage(overrides?: BrowserContextOptions): Promise<Page>;
}

/** `describe`, or `describe.skip` with a message where there is no chromium (see chromiumAvailable). */
export function describeInBrowser(name: string, tests: () => void): void {
  (chromiumAvailable() ? describe : describe.skip)(name, tests);
}

/**
 * Call inside a describe block: starts the local API and chromium before all its tests and closes
 * both, with every page's context, after. `page` are the context options every newPage starts from.
 */
export function useBrowser(options: { seed?: boolean; page?: BrowserContextOptions } = {}): BrowserTest {
  let api: LocalApi | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [api, browser] = await Promise.all([startLocalApi({ seed: options.seed }), launchChromium()]);
    // Wait estimates as if admission ran every 2 s, so Retry-After (and the page's polling) is 1–2 s.
    // The handlers read their settings on first use, which is after this line.
    process.env.JOB_INTERVAL_SECONDS = '2';
  }, 60_000);

  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close()));
    await browser?.close();
    await api?.stop();
  });

  const started = (): LocalApi => {
    if (!api) throw new Error('the local API starts in beforeAll: use it inside tests and hooks');
    return api;
  };

  return {
    // Stands for the API started in beforeAll, so a test file can name it at the top of its describe block.
    api: {
      get runtime() {
        return started().runtime;
      },
      get url() {
        return started().url;
      },
      tokenFor: (userId, groups) => started().tokenFor(userId, groups),
      request: (method, path, requestOptions) => started().request(method, path, requestOptions),
      stop: () => started().stop(),
    },
    async newPage(overrides = {}) {
      if (!browser) throw new Error('chromium starts in beforeAll: open pages inside tests and hooks');
      // Pages open paths of the local API: page.goto('/') is the ticket page.
      const context = await browser.newContext({ baseURL: started().url, ...options.page, ...overrides });
      contexts.push(context);
      const page = await context.newPage();
      // Generous for a machine busy with other test files; a quiet run takes a fraction of it.
      page.setDefaultTimeout(25_000);
      page.on('pageerror', (error) => {
        throw new Error(`page error: ${error.message}`);
      });
      return page;
    },
  };
}

/** Waits until `condition` holds (checked every 50 ms), failing after 10 s. */
export async function until(condition: () => Promise<boolean>): Promise<void> {
  for (const deadline = Date.now() + 10_000; !(await condition());) {
    if (Date.now() > deadline) throw new Error('the condition never held');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// Steps on the ticket page, as a buyer takes them; on pages from useBrowser's newPage.

export async function signIn(page: Page, userId: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('User id').fill(userId);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Concerts' }).waitFor();
}

export const concertCard = (page: Page, title: string) => page.locator('li.concert', { has: page.getByRole('heading', { name: title }) });

export async function getTickets(page: Page, title: string): Promise<void> {
  await concertCard(page, title).getByRole('link', { name: 'Get tickets' }).click();
  await page.getByRole('heading', { name: 'Waiting room' }).waitFor();
}

/** Waits for `expected`, or fails at once with the sentence of an error the page shows instead. */
export async function expectView(page: Page, expected: Locator): Promise<void> {
  const problem = page.locator('.notice-error');
  await expected.or(problem).first().waitFor();
  if (await problem.count()) throw new Error(`the page says: ${await problem.first().textContent()}`);
}
