import type { CatalogueRepository, NewSchedule } from './catalogue-repository';
import type { Concert } from './concert';

export interface NewConcertInput {
  readonly title: string;
  readonly venue: string;
  readonly schedules: readonly { readonly date: string; readonly seats: readonly { seatNumber: number; price: number }[] }[];
}

export interface CreatedConcertView {
  readonly concertId: string;
  readonly title: string;
  readonly venue: string;
  readonly schedules: { scheduleId: string; date: string; seatCount: number }[];
}

/**
 * Creates a concert with its schedules and seats from an already validated body. New ids each
 * time; the concert item is written last, so a create that fails part way leaves nothing
 * visible, and the admin simply sends it again.
 */
export async function createConcert(
  deps: { catalogue: Pick<CatalogueRepository, 'createConcert'>; newId: () => string },
  input: NewConcertInput,
): Promise<CreatedConcertView> {
  const concertId = deps.newId();
  const schedules: NewSchedule[] = [...input.schedules]
    .sort((a, b) => a.date.localeCompare(b.date))
    .map(({ date, seats }) => ({
      schedule: { concertId, scheduleId: deps.newId(), date, seatCount: seats.length },
      seats: [...seats].sort((a, b) => a.seatNumber - b.seatNumber),
    }));
  const dates = schedules.map(({ schedule }) => schedule.date);
  const concert: Concert = { concertId, title: input.title, venue: input.venue, firstDate: dates[0], lastDate: dates[dates.length - 1] };
  const created = await deps.catalogue.createConcert(concert, schedules);
  // A fresh id cannot exist already; if it did, refusing beats overwriting someone's concert.
  if (!created) throw new Error(`concert id ${concertId} already exists`);
  return {
    concertId,
    title: concert.title,
    venue: concert.venue,
    schedules: schedules.map(({ schedule }) => ({ scheduleId: schedule.scheduleId, date: schedule.date, seatCount: schedule.seatCount })),
  };
}
