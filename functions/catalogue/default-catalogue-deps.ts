import { tableName } from '../shared/config';
import { documentClient } from '../shared/dynamodb-client';
import type { CatalogueDeps } from './catalogue-deps';
import type { CatalogueRepository } from './catalogue-repository';
import { createDynamoCatalogueRepository } from './dynamo-catalogue-repository';
import { ulidFactory } from '../shared/ulid-ids';

const SCHEDULES_CACHE_MS = 60_000;

let repository: CatalogueRepository | undefined;
let deps: CatalogueDeps | undefined;
const ulid = ulidFactory();

/** The catalogue on this process's table, built on first use (seeding and tests use it alone). */
export function catalogueRepository(): CatalogueRepository {
  repository ??= withRememberedSchedules(createDynamoCatalogueRepository(documentClient, tableName('catalogue')));
  return repository;
}

/** The catalogue wired to this process's table, built on first use and then reused. */
export function catalogueDeps(): CatalogueDeps {
  deps ??= { catalogue: catalogueRepository(), now: Date.now, newId: () => ulid().toLowerCase() };
  return deps;
}

/**
 * A concert's schedules never change once it can be found (they are written before the concert
 * item), so a concert's list is remembered for a minute: the dates route then reads only the taken
 * seats. An empty list (no such concert yet) is never remembered.
 */
function withRememberedSchedules(catalogue: CatalogueRepository): CatalogueRepository {
  const remembered = new Map<
    string,
    { readonly at: number; readonly schedules: Awaited<ReturnType<CatalogueRepository['listSchedules']>> }
  >();
  return {
    ...catalogue,
    async listSchedules(concertId) {
      const hit = remembered.get(concertId);
      if (hit && Date.now() - hit.at < SCHEDULES_CACHE_MS) return hit.schedules;
      const schedules = await catalogue.listSchedules(concertId);
      if (schedules.length > 0) remembered.set(concertId, { at: Date.now(), schedules });
      return schedules;
    },
  };
}
