/**
 * Builds the web page: one ES module bundle, the proof-of-work worker and one style sheet from
 * web/src, plus index.html; and the operator console at /app/admin, a page of its own with its own
 * bundle (so buyers never download its charts). The local server builds them in memory on the first
 * page request; the stack builds them to a folder at synth time. Nothing built is committed.
 */
import { buildSync, type BuildOptions, type OutputFile } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

export const WEB_ROOT = __dirname;
const PROJECT_ROOT = resolve(WEB_ROOT, '..');

/** Where the page keeps its files, below the site root: `/` is the page, `/app/*` its assets. */
export const ASSET_PREFIX = 'app';
/** The page reads its settings from here at start: the API's URL and how to sign in. */
export const CONFIG_PATH = `${ASSET_PREFIX}/config.json`;

/** The operator console's address; its files live below it. */
export const CONSOLE_PATH = `/${ASSET_PREFIX}/admin`;
/** The console's page: the site answers CONSOLE_PATH with it (CloudFront by a viewer-request function). */
export const CONSOLE_PAGE = `${ASSET_PREFIX}/admin/index.html`;
/**
 * npm packages the bundles may contain, written for browsers with no Node.js built-ins: altcha-lib's
 * browser solver (its WebCrypto PBKDF2) and uPlot (the console's charts). Anything else from outside
 * web/src is refused, since the server's modules may use Node.js.
 */
const BROWSER_PACKAGES = ['altcha-lib', 'uplot'];
/**
 * The server's modules the page may bundle: rules it shares with the server (where a waiting token
 * stands), written with no Node.js and no AWS types. Any other server module is refused.
 */
const PAGE_SAFE_MODULES = ['functions/queue/waiting-place.ts', 'functions/queue/sharded-line.ts'];

/** Site-relative path (`index.html`, `app/main.js`) → content. */
export type WebAssets = ReadonlyMap<string, string>;

const options: BuildOptions = {
  entryPoints: {
    main: join(WEB_ROOT, 'src/main.ts'),
    style: join(WEB_ROOT, 'src/style.css'),
    // Its style sheet (app/admin/console.css) comes from the CSS the console's code imports.
    'admin/console': join(WEB_ROOT, 'src/admin/main.ts'),
  },
  bundle: true,
  format: 'esm',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  minify: true,
  legalComments: 'none',
  write: false,
  metafile: true,
  absWorkingDir: PROJECT_ROOT,
  outdir: join(WEB_ROOT, 'out', ASSET_PREFIX),
  logLevel: 'silent',
};

/** The Web Worker that solves a join's challenge: a classic script (module workers came late to some browsers). */
const workerOptions: BuildOptions = {
  ...options,
  entryPoints: { 'challenge-worker': join(WEB_ROOT, 'src/challenge-worker.ts') },
  format: 'iife',
};

/** The page's files in memory; a type error is not checked here (`npm test` runs `tsc -p web`). */
export function buildWebAssets(): WebAssets {
  const results = [buildSync(options), buildSync(workerOptions)];
  // Only types may come from the server's code, besides its page-safe modules: the rest may use Node.js.
  const allowed = [join(WEB_ROOT, 'src'), ...BROWSER_PACKAGES.map((name) => join(PROJECT_ROOT, 'node_modules', name))];
  const pageSafe = new Set(PAGE_SAFE_MODULES.map((path) => resolve(PROJECT_ROOT, path)));
  const foreign = results
    .flatMap((result) => Object.keys(result.metafile!.inputs))
    .map((input) => resolve(PROJECT_ROOT, input))
    .filter((input) => !pageSafe.has(input) && !allowed.some((root) => (input + sep).startsWith(root + sep)));
  if (foreign.length > 0)
    throw new Error(
      `the web page bundles code from outside web/src (${foreign.map((input) => relative(PROJECT_ROOT, input)).join(', ')}): import only types from there, a page-safe module or a browser package listed in web/build.ts`,
    );
  const files = new Map<string, string>([
    ['index.html', readFileSync(join(WEB_ROOT, 'index.html'), 'utf8')],
    [CONSOLE_PAGE, readFileSync(join(WEB_ROOT, 'admin.html'), 'utf8')],
  ]);
  for (const file of results.flatMap((result) => result.outputFiles as OutputFile[])) {
    files.set(relative(join(WEB_ROOT, 'out'), file.path).split('\\').join('/'), file.text);
  }
  return files;
}

/** The asset a site path below `/` and `/app/` is answered with (the console's address included); undefined when it names none. */
export function assetAt(path: string): string | undefined {
  if (path === '/' || path === `/${ASSET_PREFIX}/`) return 'index.html';
  if (path === CONSOLE_PATH || path === `${CONSOLE_PATH}/`) return CONSOLE_PAGE;
  return path.startsWith(`/${ASSET_PREFIX}/`) ? path.slice(1) : undefined;
}

/** Writes the page's files below `outDir`, as the static site deploys them. */
export function writeWebAssets(outDir: string): void {
  for (const [path, content] of buildWebAssets()) {
    const target = join(outDir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
}
