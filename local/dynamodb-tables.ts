import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
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
    if (await tableExists(client, name)) continue;
    await client.send(new CreateTableCommand(input));
    if (ttlAttribute) {
      await client.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true } }));
    }
    created.push(name);
  }
  return created;
}

async function tableExists(client: DynamoDBClient, name: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: name }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException || (error as Error).name === 'ResourceNotFoundException') return false;
    throw error;
  }
}
