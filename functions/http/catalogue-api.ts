import { monotonicFactory } from 'ulid';
import { createConcert } from '../catalogue/create-concert';
import { catalogue } from '../catalogue/default-catalogue';
import { getSeatMap } from '../catalogue/get-seat-map';
import { listConcerts } from '../catalogue/list-concerts';
import { listSchedules } from '../catalogue/list-schedules';
import { readWhenActive } from './active-read';
import { createConcertBodySchema, schedulePathSchema } from './catalogue-schemas';
import { createApiHandler } from './create-api-handler';
import { concertPathSchema } from './schemas';
import { parseInput } from './validation';

const ulid = monotonicFactory();
const newId = () => ulid().toLowerCase();

/** What is on: concerts, their dates and seat maps; and creating concerts. */
export const handler = createApiHandler('catalogue', {
  listConcerts: async () => ({ statusCode: 200, body: { concerts: await listConcerts(catalogue(), new Date()) } }),

  listSchedules: async (request) => {
    const { concertId } = parseInput(concertPathSchema, request.pathParameters, 'path');
    const schedules = await readWhenActive(request, () => listSchedules(catalogue(), concertId, Date.now()));
    return { statusCode: 200, body: { schedules } };
  },

  getSeatMap: async (request) => {
    const path = parseInput(schedulePathSchema, request.pathParameters, 'path');
    const seats = await readWhenActive(request, () => getSeatMap(catalogue(), path, Date.now()));
    return { statusCode: 200, body: { seats } };
  },

  createConcert: async (request) => {
    const body = parseInput(createConcertBodySchema, request.body, 'body');
    return { statusCode: 201, body: await createConcert({ catalogue: catalogue(), newId }, body) };
  },
});
