import fc from 'fast-check';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoCatalogueRepository } from '../../functions/catalogue/dynamo-catalogue-repository';
import { expireActiveTokens } from '../../functions/queue/expire-active-tokens';
import type { Reservation } from '../../functions/reservations/reservation';
import { RESERVATION_PREFIX, toReservation, USER_PREFIX } from '../../functions/reservations/reservation-keys';
import { tableName } from '../../functions/shared/config';
import { documentClient } from '../../functions/shared/dynamodb-client';
import { AppError } from '../../functions/shared/errors';
import { useFreshTables } from '../support/tables';
import { createSmallConcert } from '../support/wallet-fixture';
import { WalletWorld } from '../support/wallet-world';

/**
 * Random interleavings of join, admit, hold, charge, pay and the clock running out, for three
 * users and four seats, against DynamoDB Local; after every step the money and the seats must
 * add up. Small on purpose (20 runs of up to 16 steps): it runs in seconds.
 */
const USERS = ['ann', 'ben', 'cat'] as const;
const SEATS = 4;
const SETTINGS = { holdSeconds: 60, activeSeconds: 120, admitPerTick: 2, maxActivePerConcert: 3 };

type User = (typeof USERS)[number];
type Step =
  | { readonly kind: 'join'; readonly user: User }
  | { readonly kind: 'admit' }
  | { readonly kind: 'hold'; readonly user: User; readonly seat: number }
  | { readonly kind: 'charge'; readonly user: User; readonly amount: number }
  | { readonly kind: 'pay'; readonly user: User; readonly pick: 'live' | 'any' | 'foreign'; readonly count: number }
  | { readonly kind: 'wait'; readonly seconds: number }
  | { readonly kind: 'expiryJob' };
type Action = Step | { readonly kind: 'together'; readonly first: Step; readonly second: Step };

const user = fc.constantFrom(...USERS);
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('join' as const), user }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'admit' as const }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('hold' as const), user, seat: fc.integer({ min: 1, max: SEATS }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('charge' as const), user, amount: fc.constantFrom(5_000, 20_000, 80_000) }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('pay' as const),
      user,
      // Mostly the user's live holds; sometimes any of theirs (paid or expired), or someone else's.
      pick: fc.constantFrom('live', 'live', 'live', 'any', 'foreign'),
      count: fc.integer({ min: 1, max: 2 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('wait' as const), seconds: fc.constantFrom(30, 61, 121) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'expiryJob' as const }) },
);
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: step },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('together' as const), first: step, second: step }) },
);

/** What the test itself knows: the money users put in, and the reservations they got. */
interface Model {
  readonly charged: Map<string, number>;
  /** Each user's reservations, oldest first, with when their hold ends. */
  readonly reservations: Map<string, { reservationId: string; expiresAt: number }[]>;
  readonly paid: Set<string>;
}

const outcomes = new Map<string, number>();
const count = (name: string) => outcomes.set(name, (outcomes.get(name) ?? 0) + 1);

beforeAll(async () => {
  await useFreshTables();
});

let runs = 0;

test('no seat sold twice, no negative balance, ledgers replay to balances, one payment per PAID reservation, no money made or lost', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(action, { minLength: 4, maxLength: 16 }), fc.array(fc.constantFrom(0, 15_000, 100_000), { minLength: USERS.length, maxLength: USERS.length }), async (actions, startingCharges) => {
      const run = ++runs;
      const concertId = `prop-${run}`;
      const { scheduleId } = await createSmallConcert(concertId, SEATS);
      const w = new WalletWorld(concertId, scheduleId, SETTINGS);
      const id = (u: User) => `${u}-${run}`;
      const model: Model = { charged: new Map(), reservations: new Map(), paid: new Set() };
      // Everyone starts in line, admitted, some with money.
      for (const u of USERS) await w.join(id(u));
      await w.admit();
      for (const [i, amount] of startingCharges.entries()) {
        if (amount === 0) continue;
        await w.charge(id(USERS[i]), amount);
        model.charged.set(id(USERS[i]), amount);
      }

      const perform = async (s: Step): Promise<void> => {
        try {
          switch (s.kind) {
            case 'join':
              await w.join(id(s.user));
              break;
            case 'admit':
              await w.admit();
              break;
            case 'hold': {
              const held = await w.hold(id(s.user), s.seat);
              const mine = model.reservations.get(id(s.user)) ?? [];
              model.reservations.set(id(s.user), [...mine, { reservationId: held.reservationId, expiresAt: Date.parse(held.expiresAt) }]);
              break;
            }
            case 'charge':
              await w.charge(id(s.user), s.amount);
              model.charged.set(id(s.user), (model.charged.get(id(s.user)) ?? 0) + s.amount);
              break;
            case 'pay': {
              const mine = model.reservations.get(id(s.user)) ?? [];
              const live = mine.filter((r) => !model.paid.has(r.reservationId) && r.expiresAt > w.clock.now());
              const others = [...model.reservations].filter(([owner]) => owner !== id(s.user)).flatMap(([, rs]) => rs);
              const from = s.pick === 'foreign' ? others : s.pick === 'live' && live.length > 0 ? live : mine;
              const ids = from.length === 0 ? ['01ARZ3NDEKTSV4RRFFQ69G5FAV'] : from.slice(-s.count).map((r) => r.reservationId);
              const payment = await w.pay(id(s.user), ids);
              for (const rid of payment.reservationIds) model.paid.add(rid);
              break;
            }
            case 'wait':
              w.clock.advance(s.seconds);
              break;
            case 'expiryJob':
              await expireActiveTokens(w.queueDeps);
              break;
          }
          count(`${s.kind} ok`);
        } catch (error) {
          // Refusals are part of the game; anything else (a 500, a 503) fails the property.
          if (!(error instanceof AppError)) throw error;
          count(`${s.kind} ${error.code}`);
        }
      };

      for (const a of actions) {
        if (a.kind === 'together') await Promise.all([perform(a.first), perform(a.second)]);
        else await perform(a);
        await checkInvariants(w, USERS.map(id), model);
      }
    }),
    { numRuns: 20 },
  );
  console.log(`outcomes over ${runs} runs: ${JSON.stringify(Object.fromEntries([...outcomes].sort()))}`);
  // The property is only worth something if payments really happened.
  expect(outcomes.get('pay ok') ?? 0).toBeGreaterThan(0);
}, 120_000);

async function reservationsOf(userId: string): Promise<Reservation[]> {
  const page = await documentClient.send(
    new QueryCommand({
      TableName: tableName('reservations'),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :r)',
      ExpressionAttributeValues: { ':pk': `${USER_PREFIX}${userId}`, ':r': RESERVATION_PREFIX },
      ConsistentRead: true,
    }),
  );
  return (page.Items ?? []).map(toReservation);
}

async function checkInvariants(w: WalletWorld, userIds: readonly string[], model: Model): Promise<void> {
  const { wallet } = w.walletDeps;
  const catalogue = createDynamoCatalogueRepository(documentClient, tableName('catalogue'));
  const [users, seats] = await Promise.all([
    Promise.all(
      userIds.map(async (userId) => {
        const [balance, ledger, page, reservations] = await Promise.all([
          wallet.findWallet(userId),
          wallet.listLedger(userId),
          wallet.listPayments(userId, { limit: 100 }),
          reservationsOf(userId),
        ]);
        return { userId, balance, ledger, payments: page.payments, reservations };
      }),
    ),
    catalogue.listSeats(w.scheduleId),
  ]);

  let charged = 0;
  let paid = 0;
  let balances = 0;
  for (const u of users) {
    // The ledger is gapless, each entry's balance follows from the one before, and it replays to the balance.
    expect(u.ledger.map((e) => e.version)).toEqual(u.ledger.map((_, i) => i + 1));
    let running = 0;
    for (const entry of u.ledger) {
      running += entry.kind === 'CHARGE' ? entry.amount : -entry.amount;
      expect(entry.balanceAfter).toBe(running);
      expect(entry.balanceAfter).toBeGreaterThanOrEqual(0);
    }
    expect(u.balance.balance).toBe(running);
    expect(u.balance.version).toBe(u.ledger.length);
    expect(u.balance.balance).toBeGreaterThanOrEqual(0);

    // Every successful charge is in the ledger once, and nothing else put money in.
    const ledgerCharges = u.ledger.filter((e) => e.kind === 'CHARGE').reduce((sum, e) => sum + e.amount, 0);
    expect(ledgerCharges).toBe(model.charged.get(u.userId) ?? 0);

    // Each payment: its ledger entry, and the prices of exactly the reservations it paid.
    const byId = new Map(u.reservations.map((r) => [r.reservationId, r]));
    for (const payment of u.payments) {
      const entries = u.ledger.filter((e) => e.paymentId === payment.paymentId);
      expect(entries).toEqual([expect.objectContaining({ kind: 'PAYMENT', amount: payment.amount, balanceAfter: payment.balance })]);
      const bought = payment.reservationIds.map((rid) => byId.get(rid));
      expect(bought.every((r) => r?.status === 'PAID' && r.paymentId === payment.paymentId)).toBe(true);
      expect(bought.reduce((sum, r) => sum + (r?.price ?? 0), 0)).toBe(payment.amount);
    }
    expect(u.ledger.filter((e) => e.kind === 'PAYMENT')).toHaveLength(u.payments.length);

    // Every PAID reservation is in exactly one payment.
    for (const reservation of u.reservations.filter((r) => r.status === 'PAID')) {
      expect(u.payments.filter((p) => p.reservationIds.includes(reservation.reservationId))).toHaveLength(1);
    }
    charged += ledgerCharges;
    paid += u.payments.reduce((sum, p) => sum + p.amount, 0);
    balances += u.balance.balance;
  }
  // No money made or lost: what went in, minus what was paid, is what the wallets hold.
  expect(charged - paid).toBe(balances);

  // No seat sold twice: a SOLD seat names the one PAID reservation of it, and no other seat is paid for.
  const paidReservations = users.flatMap((u) => u.reservations.filter((r) => r.status === 'PAID'));
  for (const seat of seats) {
    const paidForSeat = paidReservations.filter((r) => r.seatNumber === seat.seatNumber);
    if (seat.status === 'SOLD') {
      expect(paidForSeat.map((r) => r.reservationId)).toEqual([seat.reservationId]);
    } else {
      expect(paidForSeat).toEqual([]);
    }
  }
}
