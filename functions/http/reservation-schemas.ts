import { z } from 'zod';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../reservations/list-reservations';
import { calendarDateSchema, idSchema, instantSchema, krwSchema } from './schemas';

/** `POST /reservations`. */
export const holdSeatBodySchema = z.strictObject({
  concertId: idSchema,
  scheduleId: idSchema,
  seatNumber: z.number().int().min(1),
}).meta({ id: 'HoldRequest' });

/** `GET /reservations?limit=&cursor=`. */
export const listReservationsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional().meta({ description: `page size; ${DEFAULT_PAGE_SIZE} when absent` }),
  cursor: z.string().min(1).max(200).optional().meta({ description: 'the `nextCursor` of the previous page' }),
});

/** A reservation: a hold on one seat, or a purchase once paid. */
export const reservationSchema = z
  .object({
    reservationId: idSchema,
    concertId: idSchema,
    scheduleId: idSchema,
    date: calendarDateSchema,
    seatNumber: z.number().int().min(1),
    price: krwSchema,
    status: z.enum(['HELD', 'PAID', 'EXPIRED']).meta({ description: 'a hold past expiresAt unpaid reads EXPIRED from that instant' }),
    expiresAt: instantSchema,
    createdAt: instantSchema,
  })
  .meta({ id: 'Reservation' });

/** `GET /reservations`: newest first. */
export const reservationListSchema = z
  .object({
    reservations: z.array(reservationSchema),
    nextCursor: z.string().optional().meta({ description: 'present when older reservations follow: pass it as `cursor`' }),
  })
  .meta({ id: 'ReservationList' });
