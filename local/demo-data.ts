import type { CatalogueRepository } from '../functions/catalogue/catalogue-repository';
import type { Concert } from '../functions/catalogue/concert';

const DAY_MS = 24 * 3600 * 1000;
const dateIn = (days: number, from: Date) => new Date(from.getTime() + days * DAY_MS).toISOString().slice(0, 10);

/** Demo concerts, dated from today so the demo never goes stale. */
export function demoConcerts(today: Date): Concert[] {
  return [
    { concertId: 'aurora-live', title: 'Aurora Live', venue: 'Olympic Hall, Seoul', firstDate: dateIn(30, today), lastDate: dateIn(32, today) },
    { concertId: 'midnight-orchestra', title: 'The Midnight Orchestra', venue: 'Sejong Center', firstDate: dateIn(45, today), lastDate: dateIn(47, today) },
    { concertId: 'neon-harbor', title: 'Neon Harbor Tour', venue: 'Busan Cinema Center', firstDate: dateIn(60, today), lastDate: dateIn(62, today) },
  ];
}

/** Puts the demo data in when the catalogue has no concert yet; never duplicates. */
export async function seedDemoData(catalogue: CatalogueRepository, today = new Date()): Promise<number> {
  if ((await catalogue.listConcerts('0000-01-01')).length > 0) return 0;
  const concerts = demoConcerts(today);
  for (const concert of concerts) await catalogue.putConcert(concert);
  return concerts.length;
}
