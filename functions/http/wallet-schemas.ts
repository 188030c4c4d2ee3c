import { z } from 'zod';
import { MAX_RESERVATIONS_PER_PAYMENT } from '../wallet/payment';
import { MAX_PAYMENTS_PAGE } from '../wallet/list-payments';
import { MAX_CHARGE, MIN_CHARGE } from '../wallet/wallet-rules';
import { idSchema } from './schemas';

/** `POST /balance/charge`: whole KRW. */
export const chargeBodySchema = z.strictObject({
  amount: z.number().int().min(MIN_CHARGE).max(MAX_CHARGE),
});

/** `POST /payments`: 1–4 distinct reservations (a transaction cannot touch one item twice). */
export const paymentBodySchema = z.strictObject({
  reservationIds: z
    .array(idSchema)
    .min(1)
    .max(MAX_RESERVATIONS_PER_PAYMENT)
    .refine((ids) => new Set(ids).size === ids.length, 'must not name a reservation twice'),
});

/** `GET /payments?limit=&cursor=`. */
export const listPaymentsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_PAYMENTS_PAGE).optional(),
  cursor: z.string().min(1).max(200).optional(),
});
