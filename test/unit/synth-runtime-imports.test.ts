import { buildSync } from 'esbuild';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

/** Every project file `npm run start:synth` loads, as esbuild follows its imports (packages left out). */
function projectFilesLoadedBy(entry: string): string[] {
  const result = buildSync({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    platform: 'node',
    packages: 'external',
    write: false,
    metafile: true,
    absWorkingDir: ROOT,
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs);
}

test('start:synth loads nothing of functions/: what it runs comes from the synthesized bundles only', () => {
  const files = projectFilesLoadedBy('local/synth/start.ts');
  expect(files).toEqual(expect.arrayContaining(['local/synth/synth-runtime.ts', 'local/http-gateway.ts', 'local/local-issuer.ts']));
  expect(files.filter((file) => file.startsWith('functions/'))).toEqual([]);
});
