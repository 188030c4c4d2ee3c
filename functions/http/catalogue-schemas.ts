import * as z from 'zod/mini';
import {
  isCalendarDate,
  MAX_SCHEDULES_PER_CONCERT,
  MAX_SEAT_NUMBER,
  MAX_SEAT_PRICE,
  MAX_SEATS_PER_SCHEDULE,
  repeatedIndexes,
} from '../catalogue/concert-rules';
import { idSchema } from './schemas';

export const schedulePathSchema = z.object({ concertId: idSchema, scheduleId: idSchema });

const seatSchema = z.strictObject({
  seatNumber: z.int().check(z.minimum(1), z.maximum(MAX_SEAT_NUMBER)),
  price: z.int().check(z.minimum(1), z.maximum(MAX_SEAT_PRICE)),
});

const scheduleSchema = z
  .strictObject({
    date: z
      .string()
      .check(z.refine(isCalendarDate, 'must be a real calendar date, YYYY-MM-DD'))
      .register(z.globalRegistry, { format: 'date', example: '2026-12-24' }),
    seats: z.array(seatSchema).check(z.minLength(1), z.maxLength(MAX_SEATS_PER_SCHEDULE)),
  })
  .check(
    z.superRefine((schedule, ctx) => {
      for (const index of repeatedIndexes(schedule.seats.map((seat) => seat.seatNumber))) {
        ctx.addIssue({ code: 'custom', path: ['seats', index, 'seatNumber'], message: 'duplicate seat number in this schedule' });
      }
    }),
  );

/**
 * Control characters (C0, DEL, C1: line breaks and tabs too) and the bidirectional marks, embeddings,
 * overrides and isolates: a title shown to buyers must read as it is stored (no "Trojan Source" text).
 */
export const UNSAFE_TEXT = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/** Checked before trimming, so a leading or trailing control character is refused, not trimmed away. */
const textSchema = z.string().check(
  z.refine((text) => !UNSAFE_TEXT.test(text), 'must not contain control or bidirectional-override characters'),
  z.trim(),
  z.minLength(1),
  z.maxLength(200),
);

/** `POST /admin/concerts`: the whole body is checked before anything is written. */
export const createConcertBodySchema = z
  .strictObject({
    title: textSchema,
    venue: textSchema,
    schedules: z.array(scheduleSchema).check(
      z.minLength(1),
      z.maxLength(MAX_SCHEDULES_PER_CONCERT),
      z.superRefine((schedules, ctx) => {
        // A date is what a buyer picks, so a concert has one schedule per date.
        for (const index of repeatedIndexes(schedules.map((schedule) => schedule.date))) {
          ctx.addIssue({ code: 'custom', path: [index, 'date'], message: 'duplicate date in this concert' });
        }
      }),
    ),
  })
  .register(z.globalRegistry, { id: 'NewConcert' });
