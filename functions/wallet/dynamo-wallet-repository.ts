import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { isConditionFailure } from '../shared/dynamodb-errors';
import { UnavailableError } from '../shared/errors';
import { log } from '../shared/logger';
import type { Item } from '../shared/dynamodb-item';
import { queryAll } from '../shared/dynamodb-query';
import { pause } from '../shared/pause';
import type { ChargeResult, PaymentPage, WalletRepository } from './wallet-repository';
import {
  BALANCE_SK,
  chargedAttribute,
  forgottenCharges,
  isKeyed,
  LEDGER_PREFIX,
  ledgerItem,
  PAYMENT_PREFIX,
  pendingAttributes,
  pendingCharges,
  rememberedCharge,
  toLedgerEntry,
  toPayment,
  toWallet,
  walletKeys,
  type PendingCharge,
  type RememberedCharge,
} from './wallet-keys';
import { chargeEntry, maxBalanceBeforeCharge, type LedgerEntry } from './wallet-rules';

/** A charge is written out this long after it landed at the latest, by the next charge of its wallet. */
const STALE_PENDING_MS = 10_000;
const CHARGE_ATTEMPTS = 5;

export function createDynamoWalletRepository(client: DynamoDBDocumentClient, tableName: string): WalletRepository {
  /**
   * Writes pending charges out as ledger items, then drops their pending attributes. Safe to run
   * twice or at once: the ledger item is only ever created with the same content. A failure here
   * loses nothing (the charge stays pending and counted), so it is logged, not answered.
   */
  async function writeOut(userId: string, pending: readonly PendingCharge[], item: Item | undefined, now: number): Promise<void> {
    try {
      for (const { entry } of pending) {
        try {
          await client.send(new PutCommand({ TableName: tableName, Item: ledgerItem(userId, entry), ConditionExpression: 'attribute_not_exists(pk)' }));
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
        }
      }
      const keyed = pending.filter(({ entryId }) => isKeyed(entryId));
      const removed = [...pending.flatMap(({ entryId }) => Object.values(pendingAttributes(entryId))), ...(keyed.length > 0 ? forgottenCharges(item, now) : [])];
      const remembered = keyed.map(({ entryId, entry }) => ({
        name: chargedAttribute(entryId),
        value: { amount: entry.amount, at: entry.at, balanceAfter: entry.balanceAfter, version: entry.version } satisfies RememberedCharge,
      }));
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: walletKeys.balance(userId),
          UpdateExpression: [
            ...(remembered.length > 0 ? [`SET ${remembered.map((_, i) => `#c${i} = :c${i}`).join(', ')}`] : []),
            `REMOVE ${removed.map((_, i) => `#p${i}`).join(', ')}`,
          ].join(' '),
          ExpressionAttributeNames: Object.fromEntries([
            ...removed.map((name, i) => [`#p${i}`, name]),
            ...remembered.map(({ name }, i) => [`#c${i}`, name]),
          ]),
          ...(remembered.length > 0 ? { ExpressionAttributeValues: Object.fromEntries(remembered.map(({ value }, i) => [`:c${i}`, value])) } : {}),
        }),
      );
    } catch (error) {
      log.warn('a charge stays pending in its wallet item', { userId, cause: (error as Error).name, causeMessage: (error as Error).message });
    }
  }

  return {
    async findWallet(userId) {
      const result = await client.send(new GetCommand({ TableName: tableName, Key: walletKeys.balance(userId), ConsistentRead: true }));
      return toWallet(result.Item);
    },

    async findCharge(userId, entryId) {
      const result = await client.send(new GetCommand({ TableName: tableName, Key: walletKeys.balance(userId), ConsistentRead: true }));
      return pendingCharges(result.Item).find((p) => p.entryId === entryId)?.entry ?? rememberedCharge(result.Item, entryId);
    },

    async addCharge(userId, charge): Promise<ChargeResult> {
      const names = pendingAttributes(charge.entryId);
      const charged = chargedAttribute(charge.entryId);
      for (let attempt = 1; ; attempt++) {
        try {
          const result = await client.send(
            new UpdateCommand({
              TableName: tableName,
              Key: walletKeys.balance(userId),
              UpdateExpression:
                'SET #entry = :entry, #balanceBefore = if_not_exists(balance, :zero), #versionBefore = if_not_exists(version, :zero), updatedAt = :at ADD balance :amount, version :one',
              // Applied once per entry: a send the SDK (or the client, with its key) repeats after a lost answer finds its own entry.
              ConditionExpression: 'attribute_not_exists(#entry) AND attribute_not_exists(#charged) AND (attribute_not_exists(balance) OR balance <= :maxBefore)',
              ExpressionAttributeNames: { '#entry': names.entry, '#charged': charged, '#balanceBefore': names.balanceBefore, '#versionBefore': names.versionBefore },
              ExpressionAttributeValues: {
                ':entry': { amount: charge.amount, at: charge.at },
                ':zero': 0,
                ':at': charge.at,
                ':amount': charge.amount,
                ':one': 1,
                ':maxBefore': maxBalanceBeforeCharge(charge.amount),
              },
              ReturnValues: 'ALL_NEW',
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
          );
          const item = result.Attributes ?? {};
          const entry = chargeEntry(charge, toWallet(item));
          const stale = pendingCharges(item).filter((p) => p.entryId !== charge.entryId && p.entry.at < charge.at - STALE_PENDING_MS);
          await writeOut(userId, [{ entryId: charge.entryId, entry }, ...stale], item, charge.at);
          return { added: true, entry };
        } catch (error) {
          if (isConditionFailure(error)) {
            const current = error.Item ? unmarshall(error.Item) : undefined;
            const applied = pendingCharges(current).find((p) => p.entryId === charge.entryId);
            if (applied) {
              await writeOut(userId, [applied], current, charge.at);
              return { added: true, entry: applied.entry };
            }
            const landedBefore = rememberedCharge(current, charge.entryId);
            if (landedBefore) return { added: true, entry: landedBefore };
            return { added: false, current: toWallet(current) };
          }
          // A payment's transaction holds the item this instant: try again shortly.
          if ((error as Error).name === 'TransactionConflictException' && attempt < CHARGE_ATTEMPTS) {
            await pause(Math.random() * 10 * attempt);
            continue;
          }
          if ((error as Error).name === 'TransactionConflictException') throw new UnavailableError(1, { cause: error });
          throw error;
        }
      }
    },

    async listLedger(userId) {
      const items = await queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :balance AND :ledgerEnd',
        ExpressionAttributeValues: { ':pk': walletKeys.balance(userId).pk, ':balance': BALANCE_SK, ':ledgerEnd': `${LEDGER_PREFIX}\uffff` },
        ConsistentRead: true,
      });
      const entries: LedgerEntry[] = items.flatMap((item) =>
        item.sk === BALANCE_SK ? pendingCharges(item).map((p) => p.entry) : String(item.sk).startsWith(LEDGER_PREFIX) ? [toLedgerEntry(item)] : [],
      );
      // A pending charge may also be written out already, between the two reads of one page.
      const byVersion = new Map(entries.map((entry) => [entry.version, entry]));
      return [...byVersion.values()].sort((a, b) => a.version - b.version);
    },

    async listPayments(userId, { limit, after }): Promise<PaymentPage> {
      // One more than asked: whether another page follows is known without an empty last page.
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :payment)',
          ExpressionAttributeValues: { ':pk': walletKeys.balance(userId).pk, ':payment': PAYMENT_PREFIX },
          ScanIndexForward: false,
          Limit: limit + 1,
          ConsistentRead: true,
          ...(after ? { ExclusiveStartKey: walletKeys.payment(userId, after) } : {}),
        }),
      );
      const payments = (page.Items ?? []).map(toPayment);
      if (payments.length <= limit) return { payments };
      const shown = payments.slice(0, limit);
      return { payments: shown, nextAfter: shown[shown.length - 1].paymentId };
    },
  };
}
