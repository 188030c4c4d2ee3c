import { settings, tableName } from '../shared/config';
import { pause } from '../shared/pause';
import { ulidFactory } from '../shared/ulid-ids';
import { documentClient } from '../shared/dynamodb-client';
import { createDynamoReservationRepository } from './dynamo-reservation-repository';
import { createHoldSlotHints } from './hold-slot-hints';
import type { ReservationDeps } from './reservation-deps';

let deps: ReservationDeps | undefined;

/** The repositories holds use, on this process's tables (tests pair them with their own clock). */
export function reservationRepositories(): Pick<ReservationDeps, 'reservations'> {
  return {
    reservations: createDynamoReservationRepository(documentClient, {
      reservations: tableName('reservations'),
      catalogue: tableName('catalogue'),
      queue: tableName('queue'),
    }),
  };
}

/** Reservations wired to this process's tables, built on first use and then reused. */
export function reservationDeps(): ReservationDeps {
  deps ??= {
    ...reservationRepositories(),
    settings: settings(),
    now: Date.now,
    // Every racer for a seat makes an id before its claim.
    newReservationId: ulidFactory(),
    holdSlotHints: createHoldSlotHints(),
    pause,
  };
  return deps;
}
