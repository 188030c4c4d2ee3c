import { admitWaitingTokens } from '../../functions/queue/admit-waiting-tokens';
import { joinQueue } from '../../functions/queue/join-queue';
import { requireActiveToken } from '../../functions/queue/require-active-token';
import { holdSeat } from '../../functions/reservations/hold-seat';
import type { Settings } from '../../functions/shared/config';
import { chargeBalance } from '../../functions/wallet/charge-balance';
import { payReservations } from '../../functions/wallet/pay-reservations';
import type { WalletDeps } from '../../functions/wallet/wallet-deps';
import { onlyConcert, queueDepsForTest, TestClock } from './queue-fixture';
import { reservationDepsForTest, walletDepsForTest } from './wallet-fixture';

/**
 * The waiting room, holds and the wallet of one concert, driven through their use cases on the
 * real tables with one clock the test moves: join, admit, hold, charge, pay.
 */
export class WalletWorld {
  readonly clock: TestClock;
  readonly queueDeps;
  readonly reservationDeps;
  walletDeps: WalletDeps;
  /** The latest queue token each user got. */
  readonly tokens = new Map<string, string>();

  constructor(
    readonly concertId: string,
    readonly scheduleId: string,
    settings: Partial<Settings>,
    start = Date.now(),
  ) {
    this.clock = new TestClock(start);
    this.queueDeps = onlyConcert(queueDepsForTest(this.clock, settings), concertId);
    this.reservationDeps = reservationDepsForTest(this.clock, settings);
    this.walletDeps = walletDepsForTest(this.clock, settings);
  }

  async join(userId: string): Promise<string> {
    const joined = await joinQueue(this.queueDeps, { userId, concertId: this.concertId });
    this.tokens.set(userId, joined.status.token);
    return joined.status.token;
  }

  admit() {
    return admitWaitingTokens(this.queueDeps);
  }

  /** Joins and is admitted at once. */
  async enter(userId: string): Promise<string> {
    const token = await this.join(userId);
    await this.admit();
    return token;
  }

  activeCheck(userId: string) {
    const token = this.tokens.get(userId) ?? 'no-token';
    return () => requireActiveToken(this.queueDeps, { userId, token, concertId: this.concertId });
  }

  hold(userId: string, seatNumber: number) {
    return holdSeat(
      this.reservationDeps,
      { userId, concertId: this.concertId, scheduleId: this.scheduleId, seatNumber },
      this.activeCheck(userId),
    );
  }

  charge(userId: string, amount: number) {
    return chargeBalance(this.walletDeps, { userId, amount });
  }

  /** Pays as the route does: the ACTIVE check (any concert of the token) first, then the use case. */
  async pay(userId: string, reservationIds: readonly string[], deps: WalletDeps = this.walletDeps) {
    const token = this.tokens.get(userId) ?? 'no-token';
    const active = await requireActiveToken(this.queueDeps, { userId, token });
    return (await payReservations(deps, { userId, reservationIds, activeToken: async () => active })).payment;
  }
}
