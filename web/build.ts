/**
 * Builds the web page: one ES module bundle, the proof-of-work worker and one style sheet from
 * web/src, plus index.html.
 * The local server builds it in memory on the first page request; the stack builds it to a
 * folder at synth time. Nothing built is committed.
 */
import { buildSync, type BuildOptions, type OutputFile } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export const WEB_ROOT = __dirname;
const PROJECT_ROOT = resolve(WEB_ROOT, '..');

/** Where the page keeps its files, below the site root: `/` is the page, `/app/*` its assets. */
export const ASSET_PREFIX = 'app';
/** The page reads its settings from here at start: the API's URL and how to sign in. */
export const CONFIG_PATH = `${ASSET_PREFIX}/config.json`;

/** Site-relative path (`index.html`, `app/main.js`) → content. */
export type WebAssets = ReadonlyMap<string, string>;

/** The one package the page bundles: altcha-lib's browser solver (its WebCrypto PBKDF2, no Node.js module). */
const isBundledPackage = (input: string) => input.split('\\').join('/').includes('node_modules/altcha-lib/');

const options: BuildOptions = {
  entryPoints: { main: join(WEB_ROOT, 'src/main.ts'), style: join(WEB_ROOT, 'src/style.css') },
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
  // Only types may come from the server's code: its modules may use Node.js and must not ship to browsers.
  const foreign = results
    .flatMap((result) => Object.keys(result.metafile!.inputs))
    .filter((input) => !resolve(PROJECT_ROOT, input).startsWith(join(WEB_ROOT, 'src')) && !isBundledPackage(input));
  if (foreign.length > 0)
    throw new Error(`the web page bundles code from outside web/src (${foreign.join(', ')}): import only types from there`);
  const files = new Map<string, string>([['index.html', readFileSync(join(WEB_ROOT, 'index.html'), 'utf8')]]);
  for (const file of results.flatMap((result) => result.outputFiles as OutputFile[])) {
    files.set(relative(join(WEB_ROOT, 'out'), file.path).split('\\').join('/'), file.text);
  }
  return files;
}

/** Writes the page's files below `outDir`, as the static site deploys them. */
export function writeWebAssets(outDir: string): void {
  for (const [path, content] of buildWebAssets()) {
    const target = join(outDir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
}
