import { AppError } from '../shared/errors';
import { toReservationView, type ReservationView } from './reservation';
import type { ReservationDeps } from './reservation-deps';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** The opaque cursor of the next page: the last reservation id of this one, encoded. */
export const encodeCursor = (reservationId: string) => Buffer.from(`r:${reservationId}`, 'utf8').toString('base64url');

export function decodeCursor(cursor: string): string {
  const decoded = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const reservationId = decoded.startsWith('r:') ? decoded.slice(2) : '';
  if (!ULID_PATTERN.test(reservationId)) {
    throw new AppError('VALIDATION_ERROR', 'the request query is not valid', [
      { path: 'cursor', message: 'not a cursor this API returned' },
    ]);
  }
  return reservationId;
}

export interface ReservationList {
  readonly reservations: ReservationView[];
  readonly nextCursor?: string;
}

/** The user's holds and purchases, newest first, a page at a time; statuses as of now. */
export async function listReservations(
  deps: Pick<ReservationDeps, 'reservations' | 'now'>,
  input: { userId: string; limit?: number; cursor?: string },
): Promise<ReservationList> {
  const afterReservationId = input.cursor === undefined ? undefined : decodeCursor(input.cursor);
  const page = await deps.reservations.listReservations(input.userId, {
    limit: input.limit ?? DEFAULT_PAGE_SIZE,
    afterReservationId,
  });
  const now = deps.now();
  return {
    reservations: page.reservations.map((reservation) => toReservationView(reservation, now)),
    ...(page.lastReservationId ? { nextCursor: encodeCursor(page.lastReservationId) } : {}),
  };
}
