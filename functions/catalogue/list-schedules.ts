import type { CatalogueRepository } from './catalogue-repository';

export interface ScheduleView {
  readonly scheduleId: string;
  readonly date: string;
  readonly availableSeats: number;
}

/**
 * A concert's dates from today (UTC) on that still have a seat to hold, by date. A date's
 * available seats are its seat count less the seats held or sold right now: one small count per
 * date over the seats-taken index, which never reads an expired hold.
 */
export async function listSchedules(
  catalogue: Pick<CatalogueRepository, 'listSchedules' | 'countTakenSeats'>,
  concertId: string,
  now: number,
): Promise<ScheduleView[]> {
  const today = new Date(now).toISOString().slice(0, 10);
  const schedules = (await catalogue.listSchedules(concertId)).filter((schedule) => schedule.date >= today);
  const views = await Promise.all(
    schedules.map(async (schedule) => ({
      scheduleId: schedule.scheduleId,
      date: schedule.date,
      availableSeats: Math.max(0, schedule.seatCount - (await catalogue.countTakenSeats(schedule.scheduleId, now))),
    })),
  );
  return views
    .filter((view) => view.availableSeats > 0)
    .sort((a, b) => a.date.localeCompare(b.date) || a.scheduleId.localeCompare(b.scheduleId));
}
