import * as z from 'zod/mini';
import { MAX_RESERVATIONS_PER_PAYMENT } from '../wallet/payment';
import { MAX_PAYMENTS_PAGE } from '../wallet/list-payments';
import { MAX_CHARGE, MIN_CHARGE } from '../wallet/wallet-rules';
import { idSchema, queryInteger } from './schemas';

/** `POST /balance/charge`: whole KRW. */
export const chargeBodySchema = z
  .strictObject({
    amount: z.int().check(z.minimum(MIN_CHARGE), z.maximum(MAX_CHARGE)),
  })
  .register(z.globalRegistry, { id: 'ChargeRequest' });

/** `POST /payments`: 1–4 distinct reservations (a transaction cannot touch one item twice). */
export const paymentBodySchema = z
  .strictObject({
    reservationIds: z
      .array(idSchema)
      .check(
        z.minLength(1),
        z.maxLength(MAX_RESERVATIONS_PER_PAYMENT),
        z.refine((ids) => new Set(ids).size === ids.length, 'must not name a reservation twice'),
      )
      .register(z.globalRegistry, { uniqueItems: true }),
  })
  .register(z.globalRegistry, { id: 'PaymentRequest' });

/** `GET /payments?limit=&cursor=`. */
export const listPaymentsQuerySchema = z.strictObject({
  limit: z
    .optional(queryInteger(1, MAX_PAYMENTS_PAGE))
    .register(z.globalRegistry, { description: `page size; ${MAX_PAYMENTS_PAGE} when absent` }),
  cursor: z
    .optional(z.string().check(z.minLength(1), z.maxLength(200)))
    .register(z.globalRegistry, { description: 'the `nextCursor` of the previous page' }),
});
