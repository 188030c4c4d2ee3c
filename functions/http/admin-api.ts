import { createConcert } from '../catalogue/create-concert';
import { catalogueDeps } from '../catalogue/default-catalogue-deps';
import { statsDeps } from '../stats/default-stats-deps';
import { getWaitingRoomStats } from '../stats/get-waiting-room-stats';
import { createConcertBodySchema } from './catalogue-schemas';
import { createApiHandler } from './create-api-handler';
import { concertPathSchema } from './schemas';
import { parseInput } from './validation';

/**
 * The admin routes, in a function of their own: its role may write the catalogue, so the public
 * catalogue function that answers anonymous callers can hold read access only. It reads the
 * waiting rooms' records for the live stats.
 */
export const handler = createApiHandler('admin', {
  createConcert: async (request) => {
    const body = parseInput(createConcertBodySchema, request.body, 'body');
    return { statusCode: 201, body: await createConcert(catalogueDeps(), body) };
  },

  getWaitingRoomStats: async (request) => {
    const { concertId } = parseInput(concertPathSchema, request.pathParameters, 'path');
    return { statusCode: 200, body: await getWaitingRoomStats(statsDeps(), concertId) };
  },
});
