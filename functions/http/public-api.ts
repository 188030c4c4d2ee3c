import { AppError } from '../shared/errors';
import { createApiHandler } from './create-api-handler';

/** Liveness and the JSON 404 for every path no route matches. */
export const handler = createApiHandler('public', {
  health: async () => ({ statusCode: 200, body: { status: 'ok' } }),
  notFound: async () => {
    throw new AppError('NOT_FOUND', 'no such route; see the API reference for the routes there are');
  },
});
