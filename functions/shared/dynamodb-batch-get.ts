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
  return (await getAllByTable(client, { [tableName]: keys })).get(tableName) ?? [];
}

/** The same over several tables at once: 100 keys to a call whichever tables they name; the items found, by table. */
export async function getAllByTable(
  client: DynamoDBDocumentClient,
  keysByTable: Readonly<Record<string, readonly Item[]>>,
): Promise<Map<string, Item[]>> {
  const found = new Map<string, Item[]>();
  const wanted = Object.entries(keysByTable).flatMap(([table, keys]) => keys.map((key) => ({ table, key })));
  await Promise.all(
    chunks(wanted, BATCH_GET_SIZE).map(async (chunk) => {
      let requestItems = byTable(chunk);
      for (let attempt = 0; Object.keys(requestItems).length > 0; attempt++) {
        if (attempt === BATCH_GET_ATTEMPTS) throw new UnavailableError(1);
        if (attempt > 0) await pause(25 * 2 ** attempt);
        const result = await client.send(new BatchGetCommand({ RequestItems: requestItems }));
        for (const [table, items] of Object.entries(result.Responses ?? {})) {
          let list = found.get(table);
          if (!list) found.set(table, (list = []));
          list.push(...(items as Item[]));
        }
        requestItems = byTable(
          Object.entries(result.UnprocessedKeys ?? {}).flatMap(([table, unprocessed]) =>
            ((unprocessed.Keys ?? []) as Item[]).map((key) => ({ table, key })),
          ),
        );
      }
    }),
  );
  return found;
}

function byTable(keys: readonly { table: string; key: Item }[]): Record<string, { Keys: Item[]; ConsistentRead: true }> {
  const requestItems: Record<string, { Keys: Item[]; ConsistentRead: true }> = {};
  for (const { table, key } of keys) (requestItems[table] ??= { Keys: [], ConsistentRead: true }).Keys.push(key);
  return requestItems;
}
