/**
 * `npm run openapi`: writes openapi.json, the OpenAPI 3.1 document generated from the route
 * table and the handlers' zod schemas. `--check` writes nothing and fails if the file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openApiJson } from '../local/openapi-document';

export const OPENAPI_FILE = resolve(__dirname, '..', 'openapi.json');

function main(): void {
  const { values } = parseArgs({ options: { check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log('usage: npm run openapi [-- --check]');
    return;
  }
  const json = openApiJson();
  if (values.check) {
    let committed = '';
    try {
      committed = readFileSync(OPENAPI_FILE, 'utf8');
    } catch {
      // missing: stale by definition
    }
    if (committed !== json) {
      console.error('openapi.json is stale: run npm run openapi and commit it');
      process.exit(1);
    }
    console.log('openapi.json is up to date');
    return;
  }
  writeFileSync(OPENAPI_FILE, json);
  console.log(`wrote ${OPENAPI_FILE}`);
}

if (require.main === module) main();
