import type { Settings } from '../shared/config';
import type { PaymentRepository, WalletRepository } from './wallet-repository';

export interface WalletDeps {
  readonly wallet: WalletRepository;
  readonly payments: PaymentRepository;
  readonly settings: Pick<Settings, 'activeSeconds'>;
  /** Epoch milliseconds. */
  readonly now: () => number;
  /** A new time-ordered id (ULID) for a payment. */
  readonly newId: () => string;
  /** Waits before a retry; a number in [0, 1) picks how long. */
  readonly pause: (ms: number) => Promise<void>;
  readonly random: () => number;
}
