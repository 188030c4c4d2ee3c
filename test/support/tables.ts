import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTables, localTableEnv } from '../../local/tables';

/**
 * Fresh tables of the shared definition in the run's DynamoDB Local, named with a prefix of
 * their own so test files never see each other's data. Sets the table environment variables
 * that the handlers read on first use.
 */
export async function useFreshTables(): Promise<{ prefix: string; endpoint: string }> {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('DYNAMODB_ENDPOINT is not set: run the tests with jest, whose global setup starts DynamoDB Local');
  const prefix = `t${randomBytes(4).toString('hex')}-`;
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await createTables(client, prefix);
  client.destroy();
  Object.assign(process.env, localTableEnv(prefix));
  return { prefix, endpoint };
}

/** Fresh tables for the whole test file, made before all its tests: call at the file's top level. */
export function useFreshTablesBeforeAll(): void {
  beforeAll(async () => {
    await useFreshTables();
  });
}

/** A maker of concert ids no earlier run or test has used: `${prefix}-<time>-<n>`. */
export function concertIds(prefix: string): () => string {
  let serial = 0;
  return () => `${prefix}-${Date.now()}-${++serial}`;
}
