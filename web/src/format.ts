/** How times, amounts and the waiting room read on the page. Plain functions, no DOM. */

export { formatWon } from './messages';

/** `9:05` for a countdown; `0:00` once the moment has passed. */
export function formatCountdown(msLeft: number): string {
  const total = Math.max(0, Math.ceil(msLeft / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** The server's wait estimate in words: "less than a minute", "about 3 minutes", "about 2 hours". */
export function formatWait(seconds: number): string {
  if (seconds <= 0) return 'any moment now';
  if (seconds < 60) return 'less than a minute';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(seconds / 3600);
  return `about ${hours} hour${hours === 1 ? '' : 's'}`;
}

/**
 * How far along the line a user has come since joining, 0..1. The position never grows while
 * a user waits, so the bar only moves forward.
 */
export function queueProgress(firstPosition: number, position: number): number {
  if (firstPosition <= 0 || position <= 0) return 1;
  if (position >= firstPosition) return 0;
  return (firstPosition - position) / firstPosition;
}

/** `YYYY-MM-DD` as "Sat, 26 Dec 2026" (concert dates are calendar dates, not instants). */
export function formatDate(date: string): string {
  const [year, month, day] = date.split('-').map(Number);
  if (!year || !month || !day) return date;
  return new Date(Date.UTC(year, month - 1, day)).toLocaleDateString('en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

/** An instant in the reader's own time zone: "26 Dec 2026, 19:04". */
export function formatInstant(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return at.toLocaleString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** A time of day in the reader's own time zone: "14:21". */
export function formatClock(iso: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : at.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
}

/** When something opens, in the reader's own time zone: "10:00" on the same day, "Sat 26 Dec, 10:00" on another. */
export function formatOpening(iso: string, now = Date.now()): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const clock = formatClock(iso);
  if (at.toDateString() === new Date(now).toDateString()) return clock;
  return `${at.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short' })}, ${clock}`;
}

/** Price tiers of a seat map, dearest first: the tier of a seat is the index of its price. */
export function priceTiers(prices: readonly number[]): number[] {
  return [...new Set(prices)].sort((a, b) => b - a);
}

export type AmountCheck = { readonly ok: true; readonly amount: number } | { readonly ok: false; readonly problem: string };

/** A typed amount of won: digits with optional thousands separators, within the charge limits. */
export function parseAmount(text: string, min: number, max: number): AmountCheck {
  const cleaned = text.trim().replace(/[,\s_]/g, '');
  if (cleaned === '') return { ok: false, problem: 'Enter an amount in won.' };
  if (!/^\d+$/.test(cleaned)) return { ok: false, problem: 'Enter a whole number of won, digits only (no decimals or signs).' };
  const amount = Number(cleaned);
  if (amount < min) return { ok: false, problem: `Enter at least ${min.toLocaleString('en-US')} KRW.` };
  if (amount > max) return { ok: false, problem: `You can add at most ${max.toLocaleString('en-US')} KRW at a time.` };
  return { ok: true, amount };
}
