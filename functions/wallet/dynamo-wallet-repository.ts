import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { chunks } from '../shared/chunks';
import { getAll } from '../shared/dynamodb-batch-get';
import { putAll } from '../shared/dynamodb-batch-write';
import { isConditionFailure } from '../shared/dynamodb-errors';
import { UnavailableError } from '../shared/errors';
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
  ledgerItemEntries,
  ledgerPageItems,
  PAYMENT_PREFIX,
  pendingAttributes,
  pendingCharges,
  rememberedCharge,
  toPayment,
  toWallet,
  WALLET_USER_PREFIX,
  walletKeys,
  type PendingCharge,
  type RememberedCharge,
} from './wallet-keys';
import { chargeEntry, maxBalanceBeforeCharge, type LedgerEntry } from './wallet-rules';

const CHARGE_ATTEMPTS = 5;
/**
 * Charges whose pending attributes one update drops (and remembered charges it forgets): at most 256
 * names removed and 64 set, under 3 KB of expression (DynamoDB refuses one over 4 KB).
 */
const DROPPED_PER_UPDATE = 64;

/**
 * Writes wallets' pending charges out as ledger items, then drops their pending attributes (and
 * remembers keyed charges, see `chargedAttribute`), from balance items as read. Off the request
 * path: the ledger writer runs it for each batch of changes of balance items, reading each wallet
 * of the batch once, fresh (`writeOutWallets`). Safe to run twice, at once or from an older read:
 * until its pending attributes are gone a charge is counted from them, and a failure throws, so the
 * stream delivers the records again; nothing is lost meanwhile.
 *
 * Each wallet's pending charges go out as one ledger page (more only past MAX_LEDGER_PAGE_ENTRIES),
 * the pages of every wallet of a batch together, 25 to a call, without a condition: a page's key,
 * its first and last version, fixes its content (see ledgerPageItems). Each version is the one a
 * charge's atomic increment took, which no other write of the wallet takes (a payment sets the next
 * version on condition of the one it read, a charge ADDs one, both on the one balance item, which is
 * never deleted), and the pending attributes an entry is built from are set once by that increment
 * and never changed, only removed. So writing a page again, from a record delivered again or an
 * older image, rewrites the same content; and a payment's single-entry item never shares its key.
 */
export function createDynamoLedgerWriter(client: DynamoDBDocumentClient, tableName: string) {
  const writer = {
    /**
     * The wallets' balance items as they are now (one consistent BatchGetItem per 100 wallets), then
     * `writeOut`: a read after the change that named the wallet sees every charge pending by then.
     */
    async writeOutWallets(userIds: readonly string[], now: number): Promise<number> {
      const items = await getAll(
        client,
        tableName,
        [...new Set(userIds)].map((userId) => walletKeys.balance(userId)),
      );
      return writer.writeOut(items, now);
    },

    async writeOut(balanceItems: readonly Item[], now: number): Promise<number> {
      const wallets = balanceItems
        .map((item) => ({ item, userId: String(item.pk).slice(WALLET_USER_PREFIX.length), pending: pendingCharges(item) }))
        .filter(({ pending }) => pending.length > 0);
      // By key: given two images of one wallet, one call must not put a key twice (DynamoDB refuses it).
      const pages = new Map<string, Item>();
      for (const { userId, pending } of wallets) {
        const entries = pending.map(({ entry }) => entry);
        for (const page of ledgerPageItems(userId, entries)) pages.set(`${String(page.pk)} ${String(page.sk)}`, page);
      }
      await putAll(client, tableName, [...pages.values()]);
      await Promise.all(wallets.map(({ item, userId, pending }) => dropPending(item, userId, pending, now)));
      return wallets.reduce((sum, { pending }) => sum + pending.length, 0);
    },
  };
  return writer;

  /**
   * Once its ledger items are written: the wallet's pending attributes go, and its keyed charges are
   * remembered (each in the update that drops its pending attributes, so a resend finds one or the
   * other). DROPPED_PER_UPDATE charges an update, oldest first, one after another: DynamoDB refuses an
   * expression over 4 KB, and a write-out that stops part way leaves the newest pending, as the pages
   * need (ledgerPageItems).
   */
  async function dropPending(balanceItem: Item, userId: string, pending: readonly PendingCharge[], now: number): Promise<void> {
    const updates = chunks(pending, DROPPED_PER_UPDATE).map((part) => ({
      removed: part.flatMap(({ entryId }) => Object.values(pendingAttributes(entryId))),
      remembered: part
        .filter(({ entryId }) => isKeyed(entryId))
        .map(({ entryId, entry }) => ({
          name: chargedAttribute(entryId),
          value: {
            amount: entry.amount,
            at: entry.at,
            balanceAfter: entry.balanceAfter,
            version: entry.version,
          } satisfies RememberedCharge,
        })),
    }));
    // Remembered charges past their time go with the first update (more, in updates of their own).
    const forgotten = pending.some(({ entryId }) => isKeyed(entryId)) ? chunks(forgottenCharges(balanceItem, now), DROPPED_PER_UPDATE) : [];
    forgotten.forEach((names, i) => (i === 0 ? updates[0].removed.push(...names) : updates.push({ removed: names, remembered: [] })));
    for (const { removed, remembered } of updates) await dropUpdate(userId, removed, remembered);
  }

  async function dropUpdate(userId: string, removed: readonly string[], remembered: readonly { name: string; value: RememberedCharge }[]) {
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: walletKeys.balance(userId),
        UpdateExpression: [
          ...(remembered.length > 0 ? [`SET ${remembered.map((_, i) => `#c${i} = :c${i}`).join(', ')}`] : []),
          `REMOVE ${removed.map((_, i) => `#p${i}`).join(', ')}`,
        ].join(' '),
        // Never recreates a wallet item that is not there.
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: Object.fromEntries([
          ...removed.map((name, i) => [`#p${i}`, name]),
          ...remembered.map(({ name }, i) => [`#c${i}`, name]),
        ]),
        ...(remembered.length > 0
          ? { ExpressionAttributeValues: Object.fromEntries(remembered.map(({ value }, i) => [`:c${i}`, value])) }
          : {}),
      }),
    );
  }
}

export type DynamoLedgerWriter = ReturnType<typeof createDynamoLedgerWriter>;

export function createDynamoWalletRepository(client: DynamoDBDocumentClient, tableName: string): WalletRepository {
  return {
    async findWallet(userId) {
      // The balance and version only: the item also carries every charge still pending, a few hundred attributes under load.
      const result = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: walletKeys.balance(userId),
          ConsistentRead: true,
          ProjectionExpression: 'balance, version',
        }),
      );
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
              ConditionExpression:
                'attribute_not_exists(#entry) AND attribute_not_exists(#charged) AND (attribute_not_exists(balance) OR balance <= :maxBefore)',
              ExpressionAttributeNames: {
                '#entry': names.entry,
                '#charged': charged,
                '#balanceBefore': names.balanceBefore,
                '#versionBefore': names.versionBefore,
              },
              ExpressionAttributeValues: {
                ':entry': { amount: charge.amount, at: charge.at },
                ':zero': 0,
                ':at': charge.at,
                ':amount': charge.amount,
                ':one': 1,
                ':maxBefore': maxBalanceBeforeCharge(charge.amount),
              },
              // The new balance and version only: the item also carries every charge still pending, which
              // the answer need not (ALL_NEW made the SDK read them all back on every charge under load).
              ReturnValues: 'UPDATED_NEW',
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
          );
          // One round trip: the entry stays pending on the balance item, counted by every read, until the ledger writer writes it out.
          return { added: true, entry: chargeEntry(charge, toWallet(result.Attributes ?? {})) };
        } catch (error) {
          if (isConditionFailure(error)) {
            const current = error.Item ? unmarshall(error.Item) : undefined;
            const applied = pendingCharges(current).find((p) => p.entryId === charge.entryId);
            if (applied) return { added: true, entry: applied.entry };
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
        item.sk === BALANCE_SK
          ? pendingCharges(item).map((p) => p.entry)
          : String(item.sk).startsWith(LEDGER_PREFIX)
            ? ledgerItemEntries(item)
            : [],
      );
      // A pending charge may also be written out already, between the two reads of one query page,
      // and ledger pages written from different reads of the wallet may overlap: each version once.
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
