import type { CatalogueRepository, NewSchedule } from '../functions/catalogue/catalogue-repository';
import type { Concert } from '../functions/catalogue/concert';

const DAY_MS = 24 * 3600 * 1000;
const dateIn = (days: number, from: Date) => new Date(from.getTime() + days * DAY_MS).toISOString().slice(0, 10);

const SEATS_PER_DATE = 50;

interface DemoConcert {
  readonly concertId: string;
  readonly title: string;
  readonly venue: string;
  /** Days from today of its three dates. */
  readonly firstDay: number;
  /** KRW per tier: seats 1-10, 11-30, 31-50. */
  readonly prices: readonly [vip: number, r: number, s: number];
}

const DEMO: readonly DemoConcert[] = [
  { concertId: 'aurora-live', title: 'Aurora Live', venue: 'Olympic Hall, Seoul', firstDay: 30, prices: [165_000, 132_000, 99_000] },
  {
    concertId: 'midnight-orchestra',
    title: 'The Midnight Orchestra',
    venue: 'Sejong Center',
    firstDay: 45,
    prices: [150_000, 120_000, 80_000],
  },
  { concertId: 'neon-harbor', title: 'Neon Harbor Tour', venue: 'Busan Cinema Center', firstDay: 60, prices: [143_000, 110_000, 77_000] },
];

const priceOf = (seatNumber: number, prices: DemoConcert['prices']) =>
  seatNumber <= 10 ? prices[0] : seatNumber <= 30 ? prices[1] : prices[2];

/** Demo concerts, dated from today so the demo never goes stale. */
export function demoConcerts(today: Date): Concert[] {
  return demoCatalogue(today).map(({ concert }) => concert);
}

/**
 * The demo catalogue: each concert on three consecutive dates, each date 50 seats in three
 * price tiers. Schedule ids are fixed (`<concertId>-1..3`), so seeding again finds them.
 */
export function demoCatalogue(today: Date): { concert: Concert; schedules: NewSchedule[] }[] {
  return DEMO.map(({ concertId, title, venue, firstDay, prices }) => {
    const schedules = [0, 1, 2].map((offset) => ({
      schedule: { concertId, scheduleId: `${concertId}-${offset + 1}`, date: dateIn(firstDay + offset, today), seatCount: SEATS_PER_DATE },
      seats: Array.from({ length: SEATS_PER_DATE }, (_, i) => ({ seatNumber: i + 1, price: priceOf(i + 1, prices) })),
    }));
    const concert = { concertId, title, venue, firstDate: schedules[0].schedule.date, lastDate: schedules[2].schedule.date };
    return { concert, schedules };
  });
}

/** Puts in each demo concert that is not there yet, with its dates and seats; never duplicates or overwrites. */
export async function seedDemoData(catalogue: CatalogueRepository, today = new Date()): Promise<number> {
  let added = 0;
  for (const { concert, schedules } of demoCatalogue(today)) {
    if (await catalogue.createConcert(concert, schedules)) added++;
  }
  return added;
}
