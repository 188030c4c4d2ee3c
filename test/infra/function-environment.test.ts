import { resolve } from 'node:path';
import { jobs } from '../../functions/jobs/job-table';
import { tableDefinitions } from '../../functions/shared/tables';
import { jobTableAccess } from '../../lib/table-access';
import { useFreshTables } from '../support/tables';

const ROOT = resolve(__dirname, '../..');
let tableEnv: Record<string, string | undefined>;

beforeAll(async () => {
  await useFreshTables();
  tableEnv = Object.fromEntries(tableDefinitions.map((table) => [table.envVar, process.env[table.envVar]]));
});

beforeEach(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));
afterEach(() => {
  Object.assign(process.env, tableEnv);
  jest.restoreAllMocks();
});

/** Deployed, a function sees only the table names the stack binds to it; a lookup of any other fails. */
test.each(jobs)('the $name job runs with only the tables lib/table-access.ts gives it', async (job) => {
  const granted = new Set<string>(Object.keys(jobTableAccess[job.name]));
  for (const table of tableDefinitions) {
    if (!granted.has(table.id)) delete process.env[table.envVar];
  }
  let handler: () => Promise<unknown> = async () => undefined;
  jest.isolateModules(() => {
    handler = (require(resolve(ROOT, job.entry)) as { handler: () => Promise<unknown> }).handler;
  });
  await expect(handler()).resolves.toEqual({ concerts: [] });
});
