import { GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { seatSaleUpdate } from '../../functions/catalogue/catalogue-keys';
import { createDynamoCatalogueRepository } from '../../functions/catalogue/dynamo-catalogue-repository';
import { requireActiveToken } from '../../functions/queue/require-active-token';
import { claimExpiresAt } from '../../functions/reservations/hold-rules';
import { releaseReservation } from '../../functions/reservations/release-reservation';
import type { Reservation } from '../../functions/reservations/reservation';
import { holdSlotClaimUpdate, reservationPut } from '../../functions/reservations/reservation-keys';
import { tableName } from '../../functions/shared/config';
import { AppError } from '../../functions/shared/errors';
import { documentClient } from '../../functions/shared/dynamodb-client';
import { createDynamoLedgerWriter, createDynamoWalletRepository } from '../../functions/wallet/dynamo-wallet-repository';
import { payReservations } from '../../functions/wallet/pay-reservations';
import { walletKeys } from '../../functions/wallet/wallet-keys';
import type { WalletDeps } from '../../functions/wallet/wallet-deps';
import { replayLedger } from '../../functions/wallet/wallet-rules';
import { countDynamoDbCalls } from '../../bench/dynamodb-calls';
import { expectMoneyAndSeatsAddUp } from '../support/invariants';
import { useFreshTables } from '../support/tables';
import { createSmallConcert, paymentFootprint } from '../support/wallet-fixture';
import { WalletWorld } from '../support/wallet-world';

const seats = () => createDynamoCatalogueRepository(documentClient, tableName('catalogue'));

const HOLD_SECONDS = 60;
const ACTIVE_SECONDS = 600;
let concerts = 0;

beforeAll(async () => {
  await useFreshTables();
});

/** A world on a concert of its own, so tests never share seats or queues. */
async function world(settings: { holdSeconds?: number; activeSeconds?: number } = {}): Promise<WalletWorld> {
  const concertId = `pay-${++concerts}`;
  const { scheduleId } = await createSmallConcert(concertId, 6);
  return new WalletWorld(concertId, scheduleId, { holdSeconds: HOLD_SECONDS, activeSeconds: ACTIVE_SECONDS, ...settings });
}

/** The code a refused payment answers. */
async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  throw new Error('the payment went through');
}

/** Wallet deps whose payments run `between` after their reads and before their transaction. */
function withPause(deps: WalletDeps, between: () => Promise<void> | void): WalletDeps {
  return {
    ...deps,
    payments: {
      ...deps.payments,
      findPayable: async (userId, ids) => {
        const found = await deps.payments.findPayable(userId, ids);
        await between();
        return found;
      },
    },
  };
}

const footprintOf = (w: WalletWorld, userIds: string[], seatNumbers: number[]) =>
  paymentFootprint({ userIds, concertId: w.concertId, seats: seatNumbers.map((seatNumber) => ({ scheduleId: w.scheduleId, seatNumber })) });

test('a payment is one TransactWriteItems and nothing else writes', async () => {
  const w = await world();
  await w.enter('solo');
  const held = await w.hold('solo', 1);
  await w.charge('solo', 100_000);
  const calls = countDynamoDbCalls(documentClient);
  try {
    await w.pay('solo', [held.reservationId]);
    const writes = calls.calls.filter((name) => !/^(Get|BatchGet|Query)/.test(name));
    expect(writes).toEqual(['TransactWriteItemsCommand']);
  } finally {
    calls.detach();
  }
});

test('a payment keyed again after it landed answers the same payment, counted as landed by the first call only', async () => {
  const w = await world();
  await w.enter('twice');
  const held = await w.hold('twice', 2);
  await w.charge('twice', 100_000);
  const active = await requireActiveToken(w.queueDeps, { userId: 'twice', token: w.tokens.get('twice')! });
  const pay = () =>
    payReservations(w.walletDeps, {
      userId: 'twice',
      reservationIds: [held.reservationId],
      activeToken: async () => active,
      idempotencyKey: 'k-1',
    });
  const first = await pay();
  // The second finds the key's record in its transaction (as a duplicate that got past the idempotency store would).
  const second = await pay();
  expect(first.landedNow).toBe(true);
  expect(second).toEqual({ payment: first.payment, landedNow: false });
});

test('a hold that expires mid-way (after the reads, before the transaction): 409 RESERVATION_EXPIRED, nothing changed', async () => {
  const w = await world();
  await w.enter('slow');
  const held = await w.hold('slow', 2);
  await w.charge('slow', 100_000);
  const before = await footprintOf(w, ['slow'], [2]);
  const deps = withPause(w.walletDeps, () => w.clock.advance(HOLD_SECONDS));
  expect(await refusal(w.pay('slow', [held.reservationId], deps))).toBe('RESERVATION_EXPIRED');
  expect(await footprintOf(w, ['slow'], [2])).toEqual(before);
});

test('a token that runs out mid-way: 403 QUEUE_TOKEN_NOT_ACTIVE from the transaction, nothing changed', async () => {
  const w = await world({ holdSeconds: 300, activeSeconds: 120 });
  await w.enter('dawdler');
  const held = await w.hold('dawdler', 3);
  await w.charge('dawdler', 100_000);
  const before = await footprintOf(w, ['dawdler'], [3]);
  const deps = withPause(w.walletDeps, () => w.clock.advance(120));
  expect(await refusal(w.pay('dawdler', [held.reservationId], deps))).toBe('QUEUE_TOKEN_NOT_ACTIVE');
  expect(await footprintOf(w, ['dawdler'], [3])).toEqual(before);
});

test('several failures at once answer the most useful: expired hold over spent token over missing money', async () => {
  const w = await world({ holdSeconds: 60, activeSeconds: 120 });
  await w.enter('unlucky');
  const held = await w.hold('unlucky', 4);
  // No charge: the balance does not cover it either. The hold and the token both run out mid-way.
  const deps = withPause(w.walletDeps, () => w.clock.advance(120));
  expect(await refusal(w.pay('unlucky', [held.reservationId], deps))).toBe('RESERVATION_EXPIRED');
  // Only the token and the money are wrong now: the token wins.
  const w2 = await world({ holdSeconds: 300, activeSeconds: 120 });
  await w2.enter('unlucky');
  const held2 = await w2.hold('unlucky', 1);
  const deps2 = withPause(w2.walletDeps, () => w2.clock.advance(120));
  expect(await refusal(w2.pay('unlucky', [held2.reservationId], deps2))).toBe('QUEUE_TOKEN_NOT_ACTIVE');
});

test('a charge that lands between the reads and the transaction: the payment retries and the ledger stays exact', async () => {
  const w = await world();
  await w.enter('busy');
  const held = await w.hold('busy', 5);
  await w.charge('busy', 30_000);
  let charged = false;
  const deps = withPause(w.walletDeps, async () => {
    if (charged) return;
    charged = true;
    await w.charge('busy', 70_000);
  });
  const payment = await w.pay('busy', [held.reservationId], deps);
  expect(payment).toMatchObject({ amount: 50_000, balance: 50_000 });
  const ledger = await w.walletDeps.wallet.listLedger('busy');
  expect(ledger.map(({ version, kind, balanceAfter }) => [version, kind, balanceAfter])).toEqual([
    [1, 'CHARGE', 30_000],
    [2, 'CHARGE', 100_000],
    [3, 'PAYMENT', 50_000],
  ]);
  expect(replayLedger(ledger)).toBe((await w.walletDeps.wallet.findWallet('busy')).balance);
});

test('a charge whose ledger item is not written yet stays counted; the ledger writer writes it out, once, however often it runs', async () => {
  const w = await world();
  // What the increment leaves when the process dies right after it: the pending attributes only.
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName('wallet'),
      Key: walletKeys.balance('crashed'),
      UpdateExpression: 'SET #e = :entry, #b = :zero, #v = :zero ADD balance :amount, version :one',
      ExpressionAttributeNames: {
        '#e': 'pending#01J0000000000000000000000A',
        '#b': 'pending#01J0000000000000000000000A#balanceBefore',
        '#v': 'pending#01J0000000000000000000000A#versionBefore',
      },
      ExpressionAttributeValues: { ':entry': { amount: 4_000, at: w.clock.time - 60_000 }, ':zero': 0, ':amount': 4_000, ':one': 1 },
    }),
  );
  const pending = await w.walletDeps.wallet.listLedger('crashed');
  expect(pending.map(({ version, amount, balanceAfter }) => [version, amount, balanceAfter])).toEqual([[1, 4_000, 4_000]]);

  expect(await w.charge('crashed', 1_000)).toEqual({ balance: 5_000 });
  const readItem = async () =>
    (
      await documentClient.send(
        new GetCommand({ TableName: tableName('wallet'), Key: walletKeys.balance('crashed'), ConsistentRead: true }),
      )
    ).Item!;
  const image = await readItem();
  expect(Object.keys(image).filter((name) => name.startsWith('pending#') && !name.includes('#', 8))).toHaveLength(2);
  // Run twice, and once more from the old image: the ledger items are written once, nothing else changes.
  const writer = createDynamoLedgerWriter(documentClient, tableName('wallet'));
  expect(await writer.writeOut([image], w.clock.time)).toBe(2);
  await writer.writeOut([image], w.clock.time);
  const item = await readItem();
  expect(Object.keys(item).filter((name) => name.startsWith('pending#'))).toEqual([]);
  expect(item).toMatchObject({ balance: 5_000, version: 2 });
  const ledger = await w.walletDeps.wallet.listLedger('crashed');
  expect(ledger.map(({ version, amount, balanceAfter }) => [version, amount, balanceAfter])).toEqual([
    [1, 4_000, 4_000],
    [2, 1_000, 5_000],
  ]);
});

test('the writer run again from an image older than a payment puts its charges back as they were and leaves the payment alone', async () => {
  const w = await world();
  await w.enter('stale');
  const held = await w.hold('stale', 5);
  await w.charge('stale', 60_000);
  await w.charge('stale', 40_000);
  const image = (
    await documentClient.send(new GetCommand({ TableName: tableName('wallet'), Key: walletKeys.balance('stale'), ConsistentRead: true }))
  ).Item!;
  const writer = createDynamoLedgerWriter(documentClient, tableName('wallet'));
  expect(await writer.writeOut([image], w.clock.time)).toBe(2);
  await w.pay('stale', [held.reservationId]);
  const ledger = await w.walletDeps.wallet.listLedger('stale');
  expect(ledger.map(({ version, kind }) => [version, kind])).toEqual([
    [1, 'CHARGE'],
    [2, 'CHARGE'],
    [3, 'PAYMENT'],
  ]);
  // The ledger items go out without a condition: from the old image they are the same items again.
  expect(await writer.writeOut([image], w.clock.time)).toBe(2);
  expect(await w.walletDeps.wallet.listLedger('stale')).toEqual(ledger);
  expect(replayLedger(ledger)).toBe((await w.walletDeps.wallet.findWallet('stale')).balance);
});

test('a charge the SDK sends twice (its first answer lost) is applied once and answers as the first send did', async () => {
  let resent = false;
  // The first increment reaches the table, its answer is lost, and it is sent again, as an SDK retry would.
  const flaky = {
    send: async (command: { constructor: { name: string }; input: { UpdateExpression?: string } }) => {
      const send = documentClient.send.bind(documentClient) as (c: unknown) => Promise<unknown>;
      if (!resent && command.constructor.name === 'UpdateCommand' && command.input.UpdateExpression?.includes('ADD balance')) {
        resent = true;
        await send(command);
      }
      return send(command);
    },
  } as unknown as DynamoDBDocumentClient;
  const wallet = createDynamoWalletRepository(flaky, tableName('wallet'));
  const first = await wallet.addCharge('resent', { entryId: '01J00000000000000000000001', amount: 1_000, at: 1 });
  expect(resent).toBe(true);
  expect(first).toEqual({ added: true, entry: { version: 1, kind: 'CHARGE', amount: 1_000, balanceAfter: 1_000, at: 1 } });

  await wallet.addCharge('resent', { entryId: '01J00000000000000000000002', amount: 2_500, at: 2 });
  expect(await wallet.findWallet('resent')).toEqual({ balance: 3_500, version: 2 });
  expect((await wallet.listLedger('resent')).map((e) => e.balanceAfter)).toEqual([1_000, 3_500]);
});

test('a claim that never committed cannot be paid: the seat sale refuses it, even beside a HELD reservation and slot naming it; nothing changed', async () => {
  const w = await world();
  await w.enter('claimant');
  await w.charge('claimant', 100_000);
  const now = w.clock.time;
  const reservation: Reservation = {
    reservationId: '01JD000000000000000000C001',
    userId: 'claimant',
    concertId: w.concertId,
    scheduleId: w.scheduleId,
    date: '2099-01-01',
    seatNumber: 6,
    price: 60_000,
    status: 'HELD',
    expiresAt: now + HOLD_SECONDS * 1000,
    createdAt: now,
  };
  expect(await w.reservationDeps.reservations.claimSeat(reservation, claimExpiresAt(now), now)).toMatchObject({ kind: 'claimed' });
  // The sale of a claimed seat fails its own condition, while the claim is live.
  const sale = seatSaleUpdate(tableName('catalogue'), {
    scheduleId: w.scheduleId,
    seatNumber: 6,
    reservationId: reservation.reservationId,
    now,
  });
  await expect(documentClient.send(new TransactWriteCommand({ TransactItems: [sale] }))).rejects.toMatchObject({
    name: 'TransactionCanceledException',
  });
  // A commit never writes the reservation without turning the claim into a hold; write them anyway,
  // so only the seat's condition stands between the claim and a sale.
  await documentClient.send(
    new TransactWriteCommand({
      TransactItems: [
        holdSlotClaimUpdate(tableName('reservations'), reservation, 1, now),
        reservationPut(tableName('reservations'), reservation, 1),
      ],
    }),
  );
  const before = await footprintOf(w, ['claimant'], [6]);
  expect(await refusal(w.pay('claimant', [reservation.reservationId]))).toBe('RESERVATION_EXPIRED');
  expect(await footprintOf(w, ['claimant'], [6])).toEqual(before);
  expect((await w.walletDeps.wallet.findWallet('claimant')).balance).toBe(100_000);
});

test("a hold racing the payment of its seat: at the hold's last instant the payment wins and the racer is refused; at its end the payment is refused and the racer holds", async () => {
  const live = await world();
  await live.enter('payer');
  await live.enter('racer');
  await live.charge('payer', 100_000);
  const held = await live.hold('payer', 1);
  live.clock.time = Date.parse(held.expiresAt) - 1;
  const [paid, raced] = await Promise.allSettled([live.pay('payer', [held.reservationId]), live.hold('racer', 1)]);
  expect(paid).toMatchObject({ status: 'fulfilled', value: { amount: 10_000, balance: 90_000 } });
  expect(await refusal(raced.status === 'fulfilled' ? Promise.resolve(raced.value) : Promise.reject(raced.reason))).toBe(
    'SEAT_UNAVAILABLE',
  );
  expect((await seats().findSeat(live.scheduleId, 1))?.status).toBe('SOLD');

  const ended = await world();
  await ended.enter('late-payer');
  await ended.enter('late-racer');
  await ended.charge('late-payer', 100_000);
  const lapsing = await ended.hold('late-payer', 2);
  ended.clock.time = Date.parse(lapsing.expiresAt);
  const [refused, won] = await Promise.allSettled([ended.pay('late-payer', [lapsing.reservationId]), ended.hold('late-racer', 2)]);
  expect(await refusal(refused.status === 'fulfilled' ? Promise.resolve(refused.value) : Promise.reject(refused.reason))).toBe(
    'RESERVATION_EXPIRED',
  );
  expect(won).toMatchObject({ status: 'fulfilled', value: { seatNumber: 2, status: 'HELD' } });
  expect(await seats().findSeat(ended.scheduleId, 2)).toMatchObject({ status: 'HELD', heldBy: 'late-racer' });
  expect((await ended.walletDeps.wallet.findWallet('late-payer')).balance).toBe(100_000);

  const counted = await expectMoneyAndSeatsAddUp({
    userIds: ['payer', 'racer', 'late-payer', 'late-racer'],
    scheduleIds: [live.scheduleId, ended.scheduleId],
    charged: new Map([
      ['payer', 100_000],
      ['late-payer', 100_000],
    ]),
    now: ended.clock.time,
  });
  expect(counted).toMatchObject({ payments: 1, soldSeats: 1 });
});

test('a payment naming a hold that ran out beside the new hold of the same seat (or of its hold slot): 409 RESERVATION_EXPIRED, nothing changed', async () => {
  const w = await world();
  await w.enter('again');
  await w.charge('again', 100_000);
  // Seat 1 held, run out, held again: two reservations of one seat (and of one hold slot).
  const lapsed = await w.hold('again', 1);
  w.clock.advance(HOLD_SECONDS);
  const seatAgain = await w.hold('again', 1);
  // Seat 2 held and released, then seat 3 held in the slot it freed.
  const released = await w.hold('again', 2);
  await releaseReservation(w.reservationDeps, { userId: 'again', reservationId: released.reservationId });
  const slotAgain = await w.hold('again', 3);
  const before = await footprintOf(w, ['again'], [1, 2, 3]);
  const calls = countDynamoDbCalls(documentClient, { inputs: true });
  try {
    expect(await refusal(w.pay('again', [lapsed.reservationId, seatAgain.reservationId]))).toBe('RESERVATION_EXPIRED');
    expect(await refusal(w.pay('again', [released.reservationId, slotAgain.reservationId]))).toBe('RESERVATION_EXPIRED');
    // DynamoDB refuses a transaction that names one item twice (a ValidationException, a 500), before it checks a
    // condition; DynamoDB Local reports the failed condition instead, so the transactions sent are checked here.
    const transactions = calls.records.filter((call) => call.command === 'TransactWriteItemsCommand');
    expect(transactions).toHaveLength(2);
    for (const { input } of transactions) {
      const keys = (input!.TransactItems as Record<string, { TableName: string; Key?: unknown; Item?: unknown }>[]).map((item) => {
        const [action] = Object.values(item);
        return `${action.TableName} ${JSON.stringify(action.Key ?? action.Item)}`;
      });
      expect(new Set(keys).size).toBe(keys.length);
    }
  } finally {
    calls.detach();
  }
  expect(await footprintOf(w, ['again'], [1, 2, 3])).toEqual(before);
  // The live holds alone pay.
  await expect(w.pay('again', [seatAgain.reservationId, slotAgain.reservationId])).resolves.toMatchObject({ amount: 40_000 });
});
