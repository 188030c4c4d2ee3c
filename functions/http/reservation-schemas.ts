import { z } from 'zod';
import { MAX_PAGE_SIZE } from '../reservations/list-reservations';
import { idSchema } from './schemas';

/** `POST /reservations`. */
export const holdSeatBodySchema = z.strictObject({
  concertId: idSchema,
  scheduleId: idSchema,
  seatNumber: z.number().int().min(1),
});

/** `GET /reservations?limit=&cursor=`. */
export const listReservationsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
  cursor: z.string().min(1).max(200).optional(),
});
