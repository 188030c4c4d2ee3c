import { reservationDeps } from '../reservations/default-reservation-deps';
import { holdSeat } from '../reservations/hold-seat';
import { listReservations } from '../reservations/list-reservations';
import { releaseReservation } from '../reservations/release-reservation';
import { recordMetric } from '../shared/metrics';
import { createApiHandler } from './create-api-handler';
import { holdSeatBodySchema, listReservationsQuerySchema, reservationPathSchema } from './reservation-schemas';
import { emptyBodySchema } from './schemas';
import { parseInput } from './validation';

/** Seat holds, the user's reservations, and giving a hold back. */
export const handler = createApiHandler('reservations', {
  holdSeat: async (request) => {
    const body = parseInput(holdSeatBodySchema, request.body, 'body');
    const reservation = await holdSeat(reservationDeps(), { userId: request.userId, ...body }, request.activeToken, request.seemsActive);
    recordMetric.holdWon();
    return { statusCode: 201, body: reservation };
  },

  listReservations: async (request) => {
    const query = parseInput(listReservationsQuerySchema, request.query, 'query');
    return { statusCode: 200, body: await listReservations(reservationDeps(), { userId: request.userId, ...query }) };
  },

  releaseReservation: async (request) => {
    const { reservationId } = parseInput(reservationPathSchema, request.pathParameters, 'path');
    parseInput(emptyBodySchema, request.body, 'body');
    return { statusCode: 200, body: await releaseReservation(reservationDeps(), { userId: request.userId, reservationId }) };
  },
});
