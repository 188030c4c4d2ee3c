import { createConcert } from '../catalogue/create-concert';
import { catalogueDeps } from '../catalogue/default-catalogue-deps';
import { createConcertBodySchema } from './catalogue-schemas';
import { createApiHandler } from './create-api-handler';
import { parseInput } from './validation';

/**
 * The admin routes, in a function of their own: its role may write the catalogue, so the public
 * catalogue function that answers anonymous callers can hold read access only.
 */
export const handler = createApiHandler('admin', {
  createConcert: async (request) => {
    const body = parseInput(createConcertBodySchema, request.body, 'body');
    return { statusCode: 201, body: await createConcert(catalogueDeps(), body) };
  },
});
