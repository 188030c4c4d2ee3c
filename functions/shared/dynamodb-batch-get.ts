import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { chunks } from './chunks';
import type { Item } from './dynamodb-item';
import { UnavailableError } from './errors';
import { pause } from './pause';

const BATCH_GET_SIZE = 100;
const BATCH_GET_ATTEMPTS = 8;

/**
 * Reads items of one table by key with consistent reads, 100 to a call, the calls in parallel; what
 * DynamoDB leaves unprocessed (under throttling) is asked for again a few times, then UnavailableError.
 * Items that are not there are left out.
 */
export async function getAll(client: DynamoDBDocumentClient, tableName: string, keys: readonly Item[]): Promise<Item[]> {
  const found = await Promise.all(
    chunks(keys, BATCH_GET_SIZE).map(async (chunk) => {
      const items: Item[] = [];
      let wanted = chunk;
      for (let attempt = 0; wanted.length > 0; attempt++) {
        if (attempt === BATCH_GET_ATTEMPTS) throw new UnavailableError(1);
        if (attempt > 0) await pause(25 * 2 ** attempt);
        const result = await client.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: wanted, ConsistentRead: true } } }));
        items.push(...((result.Responses?.[tableName] ?? []) as Item[]));
        wanted = (result.UnprocessedKeys?.[tableName]?.Keys ?? []) as Item[];
      }
      return items;
    }),
  );
  return found.flat();
}
