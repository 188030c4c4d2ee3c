import type { WalletDeps } from './wallet-deps';

/** The user's balance; a new user has 0. */
export async function getBalance(deps: Pick<WalletDeps, 'wallet'>, input: { userId: string }): Promise<{ balance: number }> {
  const wallet = await deps.wallet.findWallet(input.userId);
  return { balance: wallet.balance };
}
