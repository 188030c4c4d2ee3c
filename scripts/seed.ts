/**
 * `npm run seed`: puts the demo concerts (3 concerts × 3 dates × 50 seats) into a catalogue
 * table that lacks them, anywhere: DynamoDB Local or a deployed table through the normal AWS
 * credential chain. A concert already there is left alone, so running it again adds nothing.
 *
 *   npm run seed -- --catalogue-table <name>           # deployed: AWS_REGION / AWS_PROFILE as usual
 *   npm run seed -- --endpoint http://127.0.0.1:8000 --table-prefix concert-
 *   CATALOGUE_TABLE=<name> DYNAMODB_ENDPOINT=<url> npm run seed
 */
import '../local/quiet-sdk-warning';
import { parseArgs } from 'node:util';
import { tableDefinition } from '../functions/shared/tables';

const USAGE = 'usage: npm run seed -- [--endpoint <url>] (--catalogue-table <name> | --table-prefix <prefix>)';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      endpoint: { type: 'string' },
      'catalogue-table': { type: 'string' },
      'table-prefix': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const { envVar } = tableDefinition('catalogue');
  const table =
    values['catalogue-table'] ?? (values['table-prefix'] !== undefined ? `${values['table-prefix']}catalogue` : process.env[envVar]);
  if (!table) throw new Error(`name the catalogue table: --catalogue-table, --table-prefix or ${envVar}\n${USAGE}`);
  process.env[envVar] = table;
  if (values.endpoint) process.env.DYNAMODB_ENDPOINT = values.endpoint;

  // Imported late: the document client and the catalogue read the environment set above.
  const { catalogueRepository } = await import('../functions/catalogue/default-catalogue-deps');
  const { seedDemoData } = await import('../local/demo-data');
  const added = await seedDemoData(catalogueRepository());
  const where = process.env.DYNAMODB_ENDPOINT ?? 'AWS';
  console.log(
    added > 0 ? `[seed] added ${added} demo concerts to ${table} (${where})` : `[seed] ${table} (${where}) already has the demo concerts`,
  );
}

main().catch((error: unknown) => {
  console.error(`[seed] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
