import type { LocalApi } from './local-api';

export interface NewConcert {
  readonly title: string;
  readonly venue: string;
  readonly schedules: readonly { date: string; seats: readonly { seatNumber: number; price: number }[] }[];
}

/** A concert made as an operator makes one, with an admin's `token`, through `POST /admin/concerts` (201 or the test fails); its id. */
export async function createConcertAsAdmin(api: LocalApi, token: string, concert: NewConcert): Promise<string> {
  const created = await api.request('POST', '/admin/concerts', { token, body: concert });
  expect(created.status).toBe(201);
  return created.body.concertId as string;
}

/** The date `days` from now, as a schedule takes it (YYYY-MM-DD). */
export const daysFromNow = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
