import { AppError } from '../shared/errors';
import type { WalletDeps } from './wallet-deps';
import { keyedChargeId, MAX_BALANCE } from './wallet-rules';

/**
 * Adds `amount` to the balance: one atomic increment whose condition keeps the balance at or
 * under MAX_BALANCE, so concurrent charges all count and none reads the balance first. With an
 * Idempotency-Key the charge's id comes from the key: sent again after a lost answer, it finds the
 * charge that landed and answers as it did, instead of charging twice.
 */
export async function chargeBalance(
  deps: WalletDeps,
  input: { userId: string; amount: number; idempotencyKey?: string },
): Promise<{ balance: number }> {
  const entryId = input.idempotencyKey === undefined ? deps.newId() : keyedChargeId(input.idempotencyKey);
  const result = await deps.wallet.addCharge(input.userId, { entryId, amount: input.amount, at: deps.now() });
  if (!result.added) {
    throw new AppError(
      'BALANCE_LIMIT_EXCEEDED',
      `the balance may not exceed ${MAX_BALANCE} KRW; it is ${result.current.balance}, so at most ${MAX_BALANCE - result.current.balance} more can be charged`,
    );
  }
  if (result.entry.amount !== input.amount) {
    throw new AppError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was already used with a different body');
  }
  return { balance: result.entry.balanceAfter };
}

/**
 * The answer of a keyed charge that landed, from the wallet item it changed (its entry is pending
 * there, or remembered once written out): undefined when nothing landed under the key, 409 when
 * it landed with another amount.
 */
export async function findLandedCharge(
  deps: Pick<WalletDeps, 'wallet'>,
  input: { userId: string; amount: number; idempotencyKey: string },
): Promise<{ balance: number } | undefined> {
  const entry = await deps.wallet.findCharge(input.userId, keyedChargeId(input.idempotencyKey));
  if (!entry) return undefined;
  if (entry.amount !== input.amount)
    throw new AppError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was already used with a different body');
  return { balance: entry.balanceAfter };
}
