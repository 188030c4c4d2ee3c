import { catalogue } from '../catalogue/default-catalogue';
import { listConcerts } from '../catalogue/list-concerts';
import { createApiHandler } from './create-api-handler';

/** What is on: concerts. */
export const handler = createApiHandler('catalogue', {
  listConcerts: async () => ({ statusCode: 200, body: { concerts: await listConcerts(catalogue(), new Date()) } }),
});
