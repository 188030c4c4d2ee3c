import { settings, tableName } from '../shared/config';
import { pause } from '../shared/pause';
import { ulidFactory } from '../shared/ulid-ids';
import { documentClient } from '../shared/dynamodb-client';
import { createDynamoPaymentRepository } from './dynamo-payment-repository';
import { createDynamoLedgerWriter, createDynamoWalletRepository, type DynamoLedgerWriter } from './dynamo-wallet-repository';
import type { WalletDeps } from './wallet-deps';

let deps: WalletDeps | undefined;

/** The wallet's repositories on this process's tables (tests pair them with their own clock). */
export function walletRepositories(): Pick<WalletDeps, 'wallet' | 'payments'> {
  return {
    wallet: createDynamoWalletRepository(documentClient, tableName('wallet')),
    payments: createDynamoPaymentRepository(documentClient, {
      wallet: tableName('wallet'),
      reservations: tableName('reservations'),
      catalogue: tableName('catalogue'),
      queue: tableName('queue'),
    }),
  };
}

/** The wallet wired to this process's tables, built on first use and then reused. */
export function walletDeps(): WalletDeps {
  deps ??= {
    ...walletRepositories(),
    settings: settings(),
    now: Date.now,
    newId: ulidFactory(),
    pause,
    random: Math.random,
  };
  return deps;
}

let writer: DynamoLedgerWriter | undefined;

/** The ledger writer on this process's wallet table (the stream consumer's, deployed and local). */
export function ledgerWriter(): DynamoLedgerWriter {
  writer ??= createDynamoLedgerWriter(documentClient, tableName('wallet'));
  return writer;
}
