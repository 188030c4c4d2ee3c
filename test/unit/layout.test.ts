import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';

/**
 * The layout shows the architecture: DynamoDB adapters (`dynamo-*.ts`) take keys, mappers and
 * transaction items from the entities' keys modules and never from each other, and domain rules
 * (`*-rules.ts`) and domain types know nothing of storage.
 */
const root = resolve(__dirname, '../..');
const functionsDir = join(root, 'functions');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** The modules a file imports: relative ones resolved to a path under the repo, packages by name. */
function importsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)';/gms)].map(([, spec]) =>
    spec.startsWith('.') ? relative(root, resolve(dirname(file), spec)) : spec,
  );
}

const files = sourceFiles(functionsDir);
const adapters = files.filter((file) => basename(file).startsWith('dynamo-'));
const rules = files.filter((file) => basename(file).endsWith('-rules.ts'));

test('there are adapters and rules to check', () => {
  expect(adapters.length).toBeGreaterThanOrEqual(7);
  expect(rules.length).toBeGreaterThanOrEqual(3);
});

test.each(adapters.map((file) => relative(root, file)))('%s imports no other DynamoDB adapter', (file) => {
  const adapterImports = importsOf(join(root, file)).filter(
    (spec) => basename(spec).startsWith('dynamo-') && spec.startsWith('functions/'),
  );
  expect(adapterImports).toEqual([]);
});

test.each(rules.map((file) => relative(root, file)))('%s imports nothing of storage', (file) => {
  const storage = importsOf(join(root, file)).filter((spec) => spec.startsWith('@aws-sdk/') || /(^|\/)dynamo-|-keys$/.test(spec));
  expect(storage).toEqual([]);
});

test('the import reader sees what a file imports', () => {
  expect(importsOf(join(functionsDir, 'wallet/dynamo-payment-repository.ts'))).toEqual(
    expect.arrayContaining(['functions/catalogue/catalogue-keys', 'functions/queue/queue-keys', 'functions/reservations/reservation-keys']),
  );
});
