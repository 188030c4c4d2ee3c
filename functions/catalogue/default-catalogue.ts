import { tableName } from '../shared/config';
import { documentClient } from '../shared/dynamodb-client';
import type { CatalogueRepository } from './catalogue-repository';
import { createDynamoCatalogueRepository } from './dynamo-catalogue-repository';

let repository: CatalogueRepository | undefined;

/** The catalogue wired to this process's table, built on first use. */
export function catalogue(): CatalogueRepository {
  repository ??= createDynamoCatalogueRepository(documentClient, tableName('catalogue'));
  return repository;
}
