import { resolve } from 'node:path';
import { jobs } from '../../functions/jobs/job-table';
import { groupEntry, handlerGroups, NOT_FOUND_HANDLER, routeKeyOf, routes, type HandlerGroup } from '../../functions/http/route-table';
import { tableDefinitions } from '../../functions/shared/tables';
import { handlerGroupTableAccess, jobTableAccess, streamConsumerTableAccess } from '../../lib/table-access';
import { streamConsumers } from '../../functions/jobs/stream-consumers';

const ROOT = resolve(__dirname, '../..');
const servedBy = (group: HandlerGroup): string[] =>
  (require(resolve(ROOT, groupEntry(group))) as { handler: { routeHandlers: string[] } }).handler.routeHandlers;

describe.each(handlerGroups)('the %s handler group', (group) => {
  const routeHandlers = routes.filter((route) => route.group === group).map((route) => route.handler as string);
  const expected = group === NOT_FOUND_HANDLER.group ? [...routeHandlers, NOT_FOUND_HANDLER.handler] : routeHandlers;

  test('serves exactly the handlers the route table names for it', () => {
    expect([...servedBy(group)].sort()).toEqual([...expected].sort());
  });

  test('has a table access entry', () => {
    expect(Object.hasOwn(handlerGroupTableAccess, group)).toBe(true);
  });
});

test('every job has a table access entry', () => {
  expect(Object.keys(jobTableAccess).sort()).toEqual(jobs.map((job) => job.name).sort());
});

test('every stream consumer has a table access entry, and reads the stream of a table that has one', () => {
  expect(Object.keys(streamConsumerTableAccess).sort()).toEqual(streamConsumers.map((consumer) => consumer.name).sort());
  for (const consumer of streamConsumers) expect(tableDefinitions.find((table) => table.id === consumer.table)?.stream).toBeDefined();
});

test('the access map names only defined tables, and no group the route table lacks', () => {
  const tableIds = tableDefinitions.map((table) => table.id as string);
  const maps = [handlerGroupTableAccess, jobTableAccess, streamConsumerTableAccess];
  for (const access of maps.flatMap((map) => Object.values(map))) {
    for (const tableId of Object.keys(access)) expect(tableIds).toContain(tableId);
  }
  expect(Object.keys(handlerGroupTableAccess).sort()).toEqual([...handlerGroups].sort());
});

test('each route key appears once', () => {
  const keys = routes.map(routeKeyOf);
  expect(new Set(keys).size).toBe(keys.length);
});
