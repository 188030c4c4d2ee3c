import { z } from 'zod';
import { MAX_RESERVATIONS_PER_PAYMENT } from '../wallet/payment';
import { MAX_PAYMENTS_PAGE } from '../wallet/list-payments';
import { MAX_CHARGE, MIN_CHARGE } from '../wallet/wallet-rules';
import { idSchema, instantSchema, krwSchema } from './schemas';

/** `POST /balance/charge`: whole KRW. */
export const chargeBodySchema = z.strictObject({
  amount: z.number().int().min(MIN_CHARGE).max(MAX_CHARGE),
}).meta({ id: 'ChargeRequest' });

/** `POST /payments`: 1–4 distinct reservations (a transaction cannot touch one item twice). */
export const paymentBodySchema = z.strictObject({
  reservationIds: z
    .array(idSchema)
    .min(1)
    .max(MAX_RESERVATIONS_PER_PAYMENT)
    .refine((ids) => new Set(ids).size === ids.length, 'must not name a reservation twice')
    .meta({ uniqueItems: true }),
}).meta({ id: 'PaymentRequest' });

/** `GET /payments?limit=&cursor=`. */
export const listPaymentsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_PAYMENTS_PAGE).optional().meta({ description: `page size; ${MAX_PAYMENTS_PAGE} when absent` }),
  cursor: z.string().min(1).max(200).optional().meta({ description: 'the `nextCursor` of the previous page' }),
});

/** `GET /balance` and `POST /balance/charge`: a new user has 0. */
export const balanceSchema = z.object({ balance: krwSchema }).meta({ id: 'Balance' });

/** A payment: one debit for 1–4 reservations; `balance` is the balance after it. */
export const paymentSchema = z
  .object({
    paymentId: idSchema,
    reservationIds: z.array(idSchema).min(1).max(MAX_RESERVATIONS_PER_PAYMENT),
    amount: krwSchema,
    balance: krwSchema.meta({ description: 'the balance after the debit' }),
    paidAt: instantSchema,
  })
  .meta({ id: 'Payment' });

/** `GET /payments`: newest first. */
export const paymentListSchema = z
  .object({
    payments: z.array(paymentSchema),
    nextCursor: z.string().optional().meta({ description: 'present when older payments follow: pass it as `cursor`' }),
  })
  .meta({ id: 'PaymentList' });
