import { catalogueDeps } from '../catalogue/default-catalogue-deps';
import { getSeatMap } from '../catalogue/get-seat-map';
import { listConcerts } from '../catalogue/list-concerts';
import { listSchedules } from '../catalogue/list-schedules';
import { readWhenActive } from './active-read';
import { schedulePathSchema } from './catalogue-schemas';
import { createApiHandler } from './create-api-handler';
import { activeQueueToken } from './middleware/active-queue-token';
import { concertPathSchema } from './schemas';
import { parseInput } from './validation';

/** What is on: concerts, their dates and seat maps. Read only: creating concerts is the admin group's. */
export const handler = createApiHandler(
  'catalogue',
  {
    listConcerts: async () => {
      const { catalogue, now } = catalogueDeps();
      return { statusCode: 200, body: { concerts: await listConcerts(catalogue, new Date(now())) } };
    },

    listSchedules: async (request) => {
      const { concertId } = parseInput(concertPathSchema, request.pathParameters, 'path');
      const { catalogue, now } = catalogueDeps();
      const schedules = await readWhenActive(request, () => listSchedules(catalogue, concertId, now()));
      return { statusCode: 200, body: { schedules } };
    },

    getSeatMap: async (request) => {
      const path = parseInput(schedulePathSchema, request.pathParameters, 'path');
      const { catalogue, now } = catalogueDeps();
      const seats = await readWhenActive(request, () => getSeatMap(catalogue, path, now()));
      return { statusCode: 200, body: { seats } };
    },
  },
  { activeToken: activeQueueToken() },
);
