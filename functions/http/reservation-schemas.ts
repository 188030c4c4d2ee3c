import * as z from 'zod/mini';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../reservations/list-reservations';
import { idSchema, queryInteger } from './schemas';

/** `POST /reservations`. */
export const holdSeatBodySchema = z
  .strictObject({
    concertId: idSchema,
    scheduleId: idSchema,
    seatNumber: z.int().check(z.minimum(1)),
  })
  .register(z.globalRegistry, { id: 'HoldRequest' });

/** `GET /reservations?limit=&cursor=`. */
export const listReservationsQuerySchema = z.strictObject({
  limit: z
    .optional(queryInteger(1, MAX_PAGE_SIZE))
    .register(z.globalRegistry, { description: `page size; ${DEFAULT_PAGE_SIZE} when absent` }),
  cursor: z
    .optional(z.string().check(z.minLength(1), z.maxLength(200)))
    .register(z.globalRegistry, { description: 'the `nextCursor` of the previous page' }),
});

/** `DELETE /reservations/{reservationId}`. */
export const reservationPathSchema = z.object({ reservationId: idSchema });
