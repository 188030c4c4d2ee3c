import type { CatalogueRepository } from './catalogue-repository';

export interface ScheduleView {
  readonly scheduleId: string;
  readonly date: string;
  readonly availableSeats: number;
}

/**
 * A concert's dates from today (UTC) on that still have a seat to hold, by date. A date's
 * available seats are its seat count less the seats held or sold right now: one query over the
 * seats-taken index for all the concert's dates (it never reads an expired hold), alongside the
 * schedules themselves (which never change, so the default catalogue remembers them).
 */
export async function listSchedules(
  catalogue: Pick<CatalogueRepository, 'listSchedules' | 'countTakenSeats'>,
  concertId: string,
  now: number,
): Promise<ScheduleView[]> {
  const today = new Date(now).toISOString().slice(0, 10);
  const [all, taken] = await Promise.all([catalogue.listSchedules(concertId), catalogue.countTakenSeats(concertId, now)]);
  const views = all
    .filter((schedule) => schedule.date >= today)
    .map((schedule) => ({
      scheduleId: schedule.scheduleId,
      date: schedule.date,
      availableSeats: Math.max(0, schedule.seatCount - (taken.get(schedule.scheduleId) ?? 0)),
    }));
  return views
    .filter((view) => view.availableSeats > 0)
    .sort((a, b) => a.date.localeCompare(b.date) || a.scheduleId.localeCompare(b.scheduleId));
}
