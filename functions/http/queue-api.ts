import { getJoinChallenge } from '../queue/get-join-challenge';
import { joinQueue } from '../queue/join-queue';
import { leaveQueue } from '../queue/leave-queue';
import { pollQueue } from '../queue/poll-queue';
import { getQueueState, QUEUE_STATE_CACHE_CONTROL } from '../queue/queue-state';
import { queueDeps } from '../queue/default-queue-deps';
import type { QueueStatusView } from '../queue/queue-status';
import { AppError } from '../shared/errors';
import { recordMetric } from '../shared/metrics';
import { createApiHandler } from './create-api-handler';
import type { HttpRequest } from './http-types';
import { joinBodySchema } from './queue-schemas';
import { concertPathSchema, emptyBodySchema } from './schemas';
import { parseInput } from './validation';

const statusResult = (statusCode: number, { retryAfterSeconds, ...status }: QueueStatusView) => ({
  statusCode,
  body: status,
  headers: { 'retry-after': String(retryAfterSeconds) },
});

const queueTokenOf = (request: HttpRequest): string => {
  const token = request.headers['x-queue-token'];
  if (!token) throw new AppError('QUEUE_TOKEN_REQUIRED', 'send the token you got when joining in X-Queue-Token');
  return token;
};

/**
 * The waiting room: join (with proof of work where the concert asks for it), poll your place, give
 * it back, and the line's public state, from which a waiting page works out its place itself.
 */
export const handler = createApiHandler('queue', {
  joinQueue: async (request) => {
    const { concertId } = parseInput(concertPathSchema, request.pathParameters, 'path');
    const body = parseInput(joinBodySchema, request.body, 'body');
    const joined = await joinQueue(queueDeps(), { userId: request.userId, concertId, altcha: body?.altcha });
    if (joined.created) recordMetric.joined();
    return statusResult(joined.created ? 201 : 200, joined.status);
  },

  pollQueue: async (request) => {
    const { concertId } = parseInput(concertPathSchema, request.pathParameters, 'path');
    const token = queueTokenOf(request);
    return statusResult(200, await pollQueue(queueDeps(), { userId: request.userId, concertId, token }));
  },

  leaveQueue: async (request) => {
    const { concertId } = parseInput(concertPathSchema, request.pathParameters, 'path');
    parseInput(emptyBodySchema, request.body, 'body');
    const token = queueTokenOf(request);
    return statusResult(200, await leaveQueue(queueDeps(), { userId: request.userId, concertId, token }));
  },

  getQueueState: async (request) => {
    const { concertId } = parseInput(concertPathSchema, request.pathParameters, 'path');
    return { statusCode: 200, body: await getQueueState(queueDeps(), concertId), headers: { 'cache-control': QUEUE_STATE_CACHE_CONTROL } };
  },

  getJoinChallenge: async (request) => {
    const { concertId } = parseInput(concertPathSchema, request.pathParameters, 'path');
    return { statusCode: 200, body: await getJoinChallenge(queueDeps(), { userId: request.userId, concertId }) };
  },
});
