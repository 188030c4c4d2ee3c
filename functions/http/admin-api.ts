import { createConcert } from '../catalogue/create-concert';
import { catalogueDeps } from '../catalogue/default-catalogue-deps';
import { queueDeps } from '../queue/default-queue-deps';
import { revokeQueueToken } from '../queue/revoke-queue-token';
import { statsDeps } from '../stats/default-stats-deps';
import { getWaitingRoomStats } from '../stats/get-waiting-room-stats';
import { createConcertBodySchema } from './catalogue-schemas';
import { createApiHandler } from './create-api-handler';
import { revocationBodySchema } from './queue-schemas';
import { concertPathSchema } from './schemas';
import { parseInput } from './validation';

/**
 * The admin routes, in a function of their own: its role may write the catalogue (and the waiting
 * rooms, to revoke a token), so the public catalogue function that answers anonymous callers can hold
 * read access only. The live stats read the waiting rooms' records and the sales counters beside them.
 */
export const handler = createApiHandler('admin', {
  createConcert: async (request) => {
    const body = parseInput(createConcertBodySchema, request.body, 'body');
    return { statusCode: 201, body: await createConcert(catalogueDeps(), body) };
  },

  revokeQueueToken: async (request) => {
    const { concertId } = parseInput(concertPathSchema, request.pathParameters, 'path');
    const { userId, ban } = parseInput(revocationBodySchema, request.body, 'body');
    return { statusCode: 200, body: await revokeQueueToken(queueDeps(), { concertId, userId, ban: ban ?? false }) };
  },

  getWaitingRoomStats: async (request) => {
    const { concertId } = parseInput(concertPathSchema, request.pathParameters, 'path');
    return { statusCode: 200, body: await getWaitingRoomStats(statsDeps(), concertId) };
  },
});
