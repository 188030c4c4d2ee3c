import { reservationDeps } from '../reservations/default-reservation-deps';
import { holdSeat } from '../reservations/hold-seat';
import { listReservations } from '../reservations/list-reservations';
import { recordMetric } from '../shared/metrics';
import { createApiHandler } from './create-api-handler';
import { holdSeatBodySchema, listReservationsQuerySchema } from './reservation-schemas';
import { parseInput } from './validation';

/** Seat holds and the user's reservations. */
export const handler = createApiHandler('reservations', {
  holdSeat: async (request) => {
    const body = parseInput(holdSeatBodySchema, request.body, 'body');
    const reservation = await holdSeat(reservationDeps(), { userId: request.userId, ...body }, request.activeToken);
    recordMetric.holdWon();
    return { statusCode: 201, body: reservation };
  },

  listReservations: async (request) => {
    const query = parseInput(listReservationsQuerySchema, request.query, 'query');
    return { statusCode: 200, body: await listReservations(reservationDeps(), { userId: request.userId, ...query }) };
  },
});
