/**
 * A new concert as an operator describes it: its dates, and its seat map as price tiers of
 * "rows of N seats at price P", numbered from 1 tier by tier, row by row. Turned into the body of
 * `POST /admin/concerts` (every date gets the same seat map), or into the problems to fix first.
 */
import { CONSOLE_LIMITS } from './console-limits';
import type { NewConcert } from './console-types';

export interface TierText {
  readonly rows: string;
  readonly seatsPerRow: string;
  readonly price: string;
}
export interface ConcertForm {
  readonly title: string;
  readonly venue: string;
  readonly dates: readonly string[];
  readonly tiers: readonly TierText[];
}
export interface SeatTier {
  readonly rows: number;
  readonly seatsPerRow: number;
  readonly price: number;
}

/** A problem with one field of the form: `field` is `title`, `venue`, `dates.0`, `tiers.1.price`, … or `seats`. */
export interface FormProblem {
  readonly field: string;
  readonly message: string;
}

export type ConcertCheck = { readonly ok: true; readonly body: NewConcert } | { readonly ok: false; readonly problems: FormProblem[] };

/** Control characters and bidirectional overrides, which the service refuses in titles and venues. */
const UNSAFE_TEXT = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/** The seats of one date: tier by tier, row by row, numbered from 1. */
export function seatsOf(tiers: readonly SeatTier[]): Array<{ seatNumber: number; price: number }> {
  const seats: Array<{ seatNumber: number; price: number }> = [];
  for (const tier of tiers) {
    for (let i = 0; i < tier.rows * tier.seatsPerRow; i++) seats.push({ seatNumber: seats.length + 1, price: tier.price });
  }
  return seats;
}

/** "Seats 1–20" of each tier, for the form's summary. */
export function tierRanges(tiers: readonly SeatTier[]): Array<{ first: number; last: number; price: number }> {
  let next = 1;
  return tiers.map((tier) => {
    const first = next;
    next += tier.rows * tier.seatsPerRow;
    return { first, last: next - 1, price: tier.price };
  });
}

/** Digits with optional thousands separators, within [min, max]; undefined otherwise. */
export function wholeNumber(text: string, min: number, max: number): number | undefined {
  const cleaned = text.trim().replace(/[,\s_]/g, '');
  if (!/^\d+$/.test(cleaned)) return undefined;
  const value = Number(cleaned);
  return value >= min && value <= max ? value : undefined;
}

const isCalendarDate = (value: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(value) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);

export function checkConcertForm(form: ConcertForm): ConcertCheck {
  const problems: FormProblem[] = [];
  const text = (field: 'title' | 'venue', name: string) => {
    const value = form[field];
    if (UNSAFE_TEXT.test(value)) problems.push({ field, message: `The ${name} may not contain line breaks, tabs or direction marks.` });
    else if (!value.trim()) problems.push({ field, message: `Enter the ${name}.` });
    else if (value.trim().length > CONSOLE_LIMITS.maxTextLength)
      problems.push({ field, message: `The ${name} is at most ${CONSOLE_LIMITS.maxTextLength} characters.` });
    return value.trim();
  };
  const title = text('title', 'title');
  const venue = text('venue', 'venue');

  const dates = form.dates.map((date) => date.trim());
  if (dates.length === 0) problems.push({ field: 'dates', message: 'Add at least one date.' });
  if (dates.length > CONSOLE_LIMITS.maxDates)
    problems.push({ field: 'dates', message: `A concert has at most ${CONSOLE_LIMITS.maxDates} dates.` });
  dates.forEach((date, i) => {
    if (!isCalendarDate(date)) problems.push({ field: `dates.${i}`, message: 'Pick a date.' });
    else if (dates.indexOf(date) < i) problems.push({ field: `dates.${i}`, message: 'This date is already listed.' });
  });

  const tiers: SeatTier[] = [];
  if (form.tiers.length === 0) problems.push({ field: 'tiers', message: 'Add at least one tier of seats.' });
  form.tiers.forEach((tier, i) => {
    const rows = wholeNumber(tier.rows, 1, CONSOLE_LIMITS.maxSeatsPerDate);
    const seatsPerRow = wholeNumber(tier.seatsPerRow, 1, CONSOLE_LIMITS.maxSeatsPerDate);
    const price = wholeNumber(tier.price, 1, CONSOLE_LIMITS.maxSeatPrice);
    if (rows === undefined) problems.push({ field: `tiers.${i}.rows`, message: 'Rows: a whole number from 1.' });
    if (seatsPerRow === undefined) problems.push({ field: `tiers.${i}.seatsPerRow`, message: 'Seats a row: a whole number from 1.' });
    if (price === undefined)
      problems.push({
        field: `tiers.${i}.price`,
        message: `Price: whole won from 1 to ${CONSOLE_LIMITS.maxSeatPrice.toLocaleString('en-US')}.`,
      });
    if (rows !== undefined && seatsPerRow !== undefined && price !== undefined) tiers.push({ rows, seatsPerRow, price });
  });
  const seatCount = tiers.reduce((sum, tier) => sum + tier.rows * tier.seatsPerRow, 0);
  if (seatCount > CONSOLE_LIMITS.maxSeatsPerDate)
    problems.push({
      field: 'seats',
      message: `A date has at most ${CONSOLE_LIMITS.maxSeatsPerDate.toLocaleString('en-US')} seats; these tiers make ${seatCount.toLocaleString('en-US')}.`,
    });

  if (problems.length > 0) return { ok: false, problems };
  const seats = seatsOf(tiers);
  return { ok: true, body: { title, venue, schedules: dates.map((date) => ({ date, seats })) } };
}
