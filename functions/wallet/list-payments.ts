import { AppError } from '../shared/errors';
import { toPaymentView, type PaymentView } from './payment';
import type { WalletDeps } from './wallet-deps';

/** A page holds up to 100 payments, and that is also the default: most users see all theirs in one. */
export const MAX_PAYMENTS_PAGE = 100;

const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** The opaque cursor of the next page: the last payment id of this one, encoded. */
export const encodePaymentCursor = (paymentId: string) => Buffer.from(`p:${paymentId}`, 'utf8').toString('base64url');

export function decodePaymentCursor(cursor: string): string {
  const decoded = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const paymentId = decoded.startsWith('p:') ? decoded.slice(2) : '';
  if (!ULID_PATTERN.test(paymentId)) {
    throw new AppError('VALIDATION_ERROR', 'the request query is not valid', [
      { path: 'cursor', message: 'not a cursor this API returned' },
    ]);
  }
  return paymentId;
}

export interface PaymentList {
  readonly payments: PaymentView[];
  /** Present when older payments follow: pass it as `cursor` for the next page. */
  readonly nextCursor?: string;
}

/** The user's payments, newest first, a page at a time. */
export async function listPayments(
  deps: Pick<WalletDeps, 'wallet'>,
  input: { userId: string; limit?: number; cursor?: string },
): Promise<PaymentList> {
  const after = input.cursor === undefined ? undefined : decodePaymentCursor(input.cursor);
  const page = await deps.wallet.listPayments(input.userId, { limit: input.limit ?? MAX_PAYMENTS_PAGE, after });
  return {
    payments: page.payments.map(toPaymentView),
    ...(page.nextAfter ? { nextCursor: encodePaymentCursor(page.nextAfter) } : {}),
  };
}
