import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { tableDefinitions, type TableDefinition } from '../functions/shared/tables';
import { ensureTables } from './dynamodb-tables';

/** Local table names: `<prefix><id>`, so tests can keep their tables apart. */
export function localTableEnv(prefix: string): Record<string, string> {
  return Object.fromEntries(tableDefinitions.map((table) => [table.envVar, `${prefix}${table.id}`]));
}

/** Creates every table of the shared definition that does not exist yet, with its indexes and TTL. */
export async function createTables(client: DynamoDBClient, prefix: string): Promise<string[]> {
  return ensureTables(
    client,
    tableDefinitions.map((table) => ({ input: createTableInput(table, `${prefix}${table.id}`), ttlAttribute: table.ttlAttribute })),
  );
}

function createTableInput(table: TableDefinition, name: string) {
  const attributes = new Map<string, 'S' | 'N'>();
  const keySchema = (partition: { name: string; type: 'S' | 'N' }, sort?: { name: string; type: 'S' | 'N' }) => {
    attributes.set(partition.name, partition.type);
    if (sort) attributes.set(sort.name, sort.type);
    return [
      { AttributeName: partition.name, KeyType: 'HASH' as const },
      ...(sort ? [{ AttributeName: sort.name, KeyType: 'RANGE' as const }] : []),
    ];
  };
  const KeySchema = keySchema(table.partitionKey, table.sortKey);
  const GlobalSecondaryIndexes = table.indexes.map((index) => ({
    IndexName: index.indexName,
    KeySchema: keySchema(index.partitionKey, index.sortKey),
    Projection: index.projectedAttributes
      ? { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...index.projectedAttributes] }
      : { ProjectionType: 'KEYS_ONLY' as const },
  }));
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST' as const,
    KeySchema,
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
    ...(GlobalSecondaryIndexes.length > 0 ? { GlobalSecondaryIndexes } : {}),
    ...(table.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: table.stream } } : {}),
  };
}
