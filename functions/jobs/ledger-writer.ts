import { randomUUID } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { ledgerWriter } from '../wallet/default-wallet-deps';
import { BALANCE_SK } from '../wallet/wallet-keys';
import { log, withLogContext } from '../shared/logger';

/**
 * The wallet table's stream consumer (an event source mapping deployed; local/table-stream.ts
 * polls DynamoDB Local's stream and calls this same handler): writes the charges pending on
 * balance items out as ledger items. The newest image of each wallet in a batch is enough, since
 * it carries every charge still pending. A failure throws: the batch is delivered again, and the
 * charges stay pending and counted meanwhile.
 */
export const handler = async (event: DynamoDBStreamEvent, context?: Pick<Context, 'awsRequestId'>) =>
  withLogContext({ requestId: context?.awsRequestId ?? randomUUID(), job: 'ledger-writer' }, async () => {
    const newest = new Map<string, Record<string, unknown>>();
    for (const record of event.Records) {
      const image = record.dynamodb?.NewImage;
      if (!image) continue;
      const item = unmarshall(image as Record<string, AttributeValue>);
      if (item.sk === BALANCE_SK) newest.set(String(item.pk), item);
    }
    const now = Date.now();
    const entries = await ledgerWriter().writeOut([...newest.values()], now);
    if (entries > 0) log.debug('ledger entries written out', { wallets: newest.size, entries });
    return { wallets: newest.size, entries };
  });
