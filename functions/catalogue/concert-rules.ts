/** Limits of what an admin may create, from the contract and the storage layout. */
export const MAX_SEATS_PER_SCHEDULE = 1000;
export const MAX_SCHEDULES_PER_CONCERT = 100;
/** Seat keys are zero-padded to four digits. */
export const MAX_SEAT_NUMBER = 9999;
/** KRW; the same as the largest single balance charge. */
export const MAX_SEAT_PRICE = 10_000_000;

/** True for a real calendar date written `YYYY-MM-DD` (no 2026-02-30, no 2026-13-01). */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number);
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // unlike Date.UTC, keeps years 1-99 as they are
  return year >= 1 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Indexes of values that occur more than once, every occurrence after the first. */
export function repeatedIndexes<T>(values: readonly T[]): number[] {
  const seen = new Set<T>();
  const repeated: number[] = [];
  values.forEach((value, index) => {
    if (seen.has(value)) repeated.push(index);
    seen.add(value);
  });
  return repeated;
}
