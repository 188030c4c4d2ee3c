import { randomUUID } from 'node:crypto';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { ledgerWriter } from '../wallet/default-wallet-deps';
import { BALANCE_SK, WALLET_USER_PREFIX } from '../wallet/wallet-keys';
import { log, withLogContext } from '../shared/logger';

/**
 * The wallet table's stream consumer (an event source mapping deployed; local/table-stream.ts
 * polls DynamoDB Local's stream and calls this same handler): writes the charges pending on
 * balance items out as ledger items. The stream carries keys only: each wallet named in a batch is
 * read once, fresh, which gives every charge still pending on it (an image in each record made
 * DynamoDB keep, and the writer read, the whole balance item with all its pending charges once per
 * charge). A failure throws: the batch is delivered again, and the charges stay pending and counted
 * meanwhile.
 */
export const handler = async (event: DynamoDBStreamEvent, context?: Pick<Context, 'awsRequestId'>) =>
  withLogContext({ requestId: context?.awsRequestId ?? randomUUID(), job: 'ledger-writer' }, async () => {
    const userIds = new Set<string>();
    for (const record of event.Records) {
      const keys = record.dynamodb?.Keys;
      if (keys?.sk?.S === BALANCE_SK && keys.pk?.S?.startsWith(WALLET_USER_PREFIX)) userIds.add(keys.pk.S.slice(WALLET_USER_PREFIX.length));
    }
    const entries = userIds.size > 0 ? await ledgerWriter().writeOutWallets([...userIds], Date.now()) : 0;
    if (entries > 0) log.debug('ledger entries written out', { wallets: userIds.size, entries });
    return { wallets: userIds.size, entries };
  });
