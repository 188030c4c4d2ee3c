import type { Concert } from './concert';

export interface CatalogueRepository {
  findConcert(concertId: string): Promise<Concert | undefined>;
  /** Concerts whose last date is `fromDate` or later, by last date. */
  listConcerts(fromDate: string): Promise<Concert[]>;
  putConcert(concert: Concert): Promise<void>;
}
