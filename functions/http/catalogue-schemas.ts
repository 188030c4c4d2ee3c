import { z } from 'zod';
import {
  isCalendarDate,
  MAX_SCHEDULES_PER_CONCERT,
  MAX_SEAT_NUMBER,
  MAX_SEAT_PRICE,
  MAX_SEATS_PER_SCHEDULE,
  repeatedIndexes,
} from '../catalogue/concert-rules';
import { calendarDateSchema, idSchema, krwSchema } from './schemas';

export const schedulePathSchema = z.object({ concertId: idSchema, scheduleId: idSchema });

const seatSchema = z.strictObject({
  seatNumber: z.number().int().min(1).max(MAX_SEAT_NUMBER),
  price: z.number().int().min(1).max(MAX_SEAT_PRICE),
});

const scheduleSchema = z
  .strictObject({
    date: z.string().refine(isCalendarDate, 'must be a real calendar date, YYYY-MM-DD').meta({ format: 'date', example: '2026-12-24' }),
    seats: z.array(seatSchema).min(1).max(MAX_SEATS_PER_SCHEDULE),
  })
  .superRefine((schedule, ctx) => {
    for (const index of repeatedIndexes(schedule.seats.map((seat) => seat.seatNumber))) {
      ctx.addIssue({ code: 'custom', path: ['seats', index, 'seatNumber'], message: 'duplicate seat number in this schedule' });
    }
  });

const textSchema = z.string().trim().min(1).max(200);

/** `POST /admin/concerts`: the whole body is checked before anything is written. */
export const createConcertBodySchema = z.strictObject({
  title: textSchema,
  venue: textSchema,
  schedules: z
    .array(scheduleSchema)
    .min(1)
    .max(MAX_SCHEDULES_PER_CONCERT)
    .superRefine((schedules, ctx) => {
      // A date is what a buyer picks, so a concert has one schedule per date.
      for (const index of repeatedIndexes(schedules.map((schedule) => schedule.date))) {
        ctx.addIssue({ code: 'custom', path: [index, 'date'], message: 'duplicate date in this concert' });
      }
    }),
}).meta({ id: 'NewConcert' });

/** `GET /concerts`. */
export const concertListSchema = z
  .object({
    concerts: z.array(z.object({ concertId: idSchema, title: z.string(), venue: z.string() }).meta({ id: 'ConcertSummary' })),
  })
  .meta({ id: 'ConcertList' });

/** `GET /concerts/{concertId}/schedules`: dates that still have at least one available seat. */
export const scheduleListSchema = z
  .object({
    schedules: z.array(
      z.object({ scheduleId: idSchema, date: calendarDateSchema, availableSeats: z.number().int().min(1) }).meta({ id: 'Schedule' }),
    ),
  })
  .meta({ id: 'ScheduleList' });

/** `GET /concerts/{concertId}/schedules/{scheduleId}/seats`: a hold past its end shows AVAILABLE. */
export const seatMapSchema = z
  .object({
    seats: z.array(
      z
        .object({ seatNumber: z.number().int().min(1), price: krwSchema, status: z.enum(['AVAILABLE', 'HELD', 'SOLD']) })
        .meta({ id: 'Seat' }),
    ),
  })
  .meta({ id: 'SeatMap' });

/** `POST /admin/concerts`. */
export const createdConcertSchema = z
  .object({
    concertId: idSchema,
    title: z.string(),
    venue: z.string(),
    schedules: z.array(z.object({ scheduleId: idSchema, date: calendarDateSchema, seatCount: z.number().int().min(1) })),
  })
  .meta({ id: 'CreatedConcert' });
