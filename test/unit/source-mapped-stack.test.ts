import { buildSync } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stackMapper } from '../../functions/shared/source-mapped-stack';

const ROOT = resolve(__dirname, '..', '..');
let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'stack-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Bundled as lib/service-function.ts bundles a function: minified, the map beside it and not named in it. */
function bundle(): string {
  const file = join(dir, 'index.js');
  buildSync({
    entryPoints: [join(ROOT, 'test/support/stack-fixture.ts')],
    outfile: file,
    bundle: true,
    minify: true,
    sourcemap: 'external',
    sourcesContent: false,
    platform: 'node',
    format: 'cjs',
    logLevel: 'silent',
  });
  return file;
}

test("a bundle's stack names the source file and line, read from the map beside the bundle", () => {
  const file = bundle();
  // In a plain Node process, as Lambda runs it (Jest maps stacks itself).
  const script = `const f=require(${JSON.stringify(file)});try{f.failDeepInside()}catch(e){process.stdout.write(JSON.stringify({raw:e.stack,mapped:f.mapStack(e.stack)}))}`;
  const { raw, mapped } = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as Record<string, string>;
  expect(raw).toContain(`${file}:1:`);
  expect(mapped).toMatch(/test\/support\/stack-fixture\.ts:7:\d+/);
  expect(mapped).not.toContain(`${file}:`);
  expect(mapped).toContain('failed where the source says');
});

test('without a map (run from the sources) a stack passes as it is', () => {
  const stack = 'Error: x\n    at f (/var/task/index.js:1:234)';
  expect(stackMapper('/var/task/index.js')(stack)).toBe(stack);
});
