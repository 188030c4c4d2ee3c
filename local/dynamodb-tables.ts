import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';

/** A table to have locally: what CreateTable takes, and the attribute TTL deletes by, if any. */
export interface LocalTableSpec {
  readonly input: CreateTableCommandInput;
  readonly ttlAttribute?: string;
}

/** Creates each table that does not exist yet, then turns on its TTL; answers the names it created. */
export async function ensureTables(client: DynamoDBClient, specs: readonly LocalTableSpec[]): Promise<string[]> {
  const created: string[] = [];
  for (const { input, ttlAttribute } of specs) {
    const name = input.TableName!;
    const existing = await describeTable(client, name);
    if (existing) {
      // A table kept in DATA_DIR from before its definition had a stream gets one.
      if (input.StreamSpecification?.StreamEnabled && !existing.StreamSpecification?.StreamEnabled) {
        await client.send(new UpdateTableCommand({ TableName: name, StreamSpecification: input.StreamSpecification }));
      }
      continue;
    }
    await client.send(new CreateTableCommand(input));
    if (ttlAttribute) {
      await client.send(
        new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true } }),
      );
    }
    created.push(name);
  }
  return created;
}

async function describeTable(client: DynamoDBClient, name: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: name }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException || (error as Error).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}
