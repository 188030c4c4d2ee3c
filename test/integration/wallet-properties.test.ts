import fc from 'fast-check';
import { expireActiveTokens } from '../../functions/queue/expire-active-tokens';
import { AppError } from '../../functions/shared/errors';
import { expectMoneyAndSeatsAddUp } from '../support/invariants';
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
    fc.asyncProperty(
      fc.array(action, { minLength: 4, maxLength: 16 }),
      fc.array(fc.constantFrom(0, 15_000, 100_000), { minLength: USERS.length, maxLength: USERS.length }),
      async (actions, startingCharges) => {
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
          // Money and seats add up after every step, read straight from the tables, at the test's clock.
          await expectMoneyAndSeatsAddUp({
            userIds: USERS.map(id),
            scheduleIds: [w.scheduleId],
            charged: model.charged,
            now: w.clock.now(),
          });
        }
      },
    ),
    // 40 runs: a payment needs a join, an admission, a hold and a charge first, and 20 random runs now and then held none.
    { numRuns: 40 },
  );
  console.log(`outcomes over ${runs} runs: ${JSON.stringify(Object.fromEntries([...outcomes].sort()))}`);
  // The property is only worth something if payments really happened.
  expect(outcomes.get('pay ok') ?? 0).toBeGreaterThan(0);
  // About a minute on an idle machine; the margin is for a busy one.
}, 300_000);
