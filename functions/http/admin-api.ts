import { createConcert } from '../catalogue/create-concert';
import { catalogueDeps } from '../catalogue/default-catalogue-deps';
import { changeWaitingRoomSettings } from '../queue/change-waiting-room-settings';
import { queueDeps, waitingRoomDeps } from '../queue/default-queue-deps';
import { listWaitingRoomChanges } from '../queue/list-waiting-room-changes';
import { revokeQueueToken } from '../queue/revoke-queue-token';
import { getWaitingRoomSettings, type WaitingRoomSettingsView } from '../queue/waiting-room-settings';
import { statsDeps } from '../stats/default-stats-deps';
import { getWaitingRoomStats } from '../stats/get-waiting-room-stats';
import { createConcertBodySchema } from './catalogue-schemas';
import { createApiHandler } from './create-api-handler';
import { revocationBodySchema } from './queue-schemas';
import { concertPathSchema } from './schemas';
import { parseInput } from './validation';
import { etagOf, ifMatchHeaderSchema, waitingRoomPatchSchema } from './waiting-room-schemas';

const settingsResult = (settings: WaitingRoomSettingsView) => ({
  statusCode: 200,
  body: settings,
  headers: { etag: etagOf(settings.revision) },
});

/**
 * The admin routes, in a function of their own: its role may write the catalogue and the waiting
 * rooms (their settings, and revoking a token), so the public catalogue function that answers
 * anonymous callers can hold read access only. The live stats read the waiting rooms' records and
 * the sales counters beside them.
 */
export const handler = createApiHandler('admin', {
  createConcert: async (request) => {
    const body = parseInput(createConcertBodySchema, request.body, 'body');
    return { statusCode: 201, body: await createConcert(catalogueDeps(), body) };
  },

  getWaitingRoomSettings: async (request) => {
    const { concertId } = parseInput(concertPathSchema, request.pathParameters, 'path');
    return settingsResult(await getWaitingRoomSettings(waitingRoomDeps(), { concertId }));
  },

  changeWaitingRoomSettings: async (request) => {
    const { concertId } = parseInput(concertPathSchema, request.pathParameters, 'path');
    const { 'if-match': ifMatch } = parseInput(ifMatchHeaderSchema, request.headers, 'header');
    const patch = parseInput(waitingRoomPatchSchema, request.body, 'body');
    return settingsResult(await changeWaitingRoomSettings(waitingRoomDeps(), { concertId, by: request.userId, patch, ifMatch }));
  },

  listWaitingRoomChanges: async (request) => {
    const { concertId } = parseInput(concertPathSchema, request.pathParameters, 'path');
    return { statusCode: 200, body: await listWaitingRoomChanges(waitingRoomDeps(), { concertId }) };
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
