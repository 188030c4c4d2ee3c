import { AppError } from '../shared/errors';
import type { WalletDeps } from './wallet-deps';
import { MAX_BALANCE } from './wallet-rules';

/**
 * Adds `amount` to the balance: one atomic increment whose condition keeps the balance at or
 * under MAX_BALANCE, so concurrent charges all count and none reads the balance first.
 */
export async function chargeBalance(deps: WalletDeps, input: { userId: string; amount: number }): Promise<{ balance: number }> {
  const result = await deps.wallet.addCharge(input.userId, { entryId: deps.newId(), amount: input.amount, at: deps.now() });
  if (!result.added) {
    throw new AppError(
      'BALANCE_LIMIT_EXCEEDED',
      `the balance may not exceed ${MAX_BALANCE} KRW; it is ${result.current.balance}, so at most ${MAX_BALANCE - result.current.balance} more can be charged`,
    );
  }
  return { balance: result.entry.balanceAfter };
}
