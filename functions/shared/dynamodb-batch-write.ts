import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { chunks } from './chunks';
import type { Item } from './dynamodb-item';
import { UnavailableError } from './errors';
import { pause } from './pause';

const BATCH_WRITE_SIZE = 25;
const BATCH_WRITE_PARALLEL = 4;
const BATCH_WRITE_ATTEMPTS = 8;

/**
 * Puts items 25 to a call, 4 calls at a time; what DynamoDB leaves unprocessed is sent again a few
 * times, then UnavailableError (a 503, or a stream batch delivered again). The puts are
 * unconditional: only for items whose every write under one key is the same.
 */
export async function putAll(client: DynamoDBDocumentClient, tableName: string, items: readonly Item[]): Promise<void> {
  const parts = chunks(items, BATCH_WRITE_SIZE);
  let next = 0;
  const worker = async () => {
    while (next < parts.length) {
      let requests = parts[next++].map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt === BATCH_WRITE_ATTEMPTS) throw new UnavailableError(2);
        if (attempt > 0) await pause(25 * 2 ** attempt);
        const result = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        requests = (result.UnprocessedItems?.[tableName] ?? []) as typeof requests;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(BATCH_WRITE_PARALLEL, parts.length) }, worker));
}
