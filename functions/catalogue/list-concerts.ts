import type { CatalogueRepository } from './catalogue-repository';

/** Concerts with a date today or later (UTC). */
export async function listConcerts(catalogue: CatalogueRepository, now: Date) {
  const today = now.toISOString().slice(0, 10);
  const concerts = await catalogue.listConcerts(today);
  return concerts.map(({ concertId, title, venue }) => ({ concertId, title, venue }));
}
