import type { CatalogueRepository } from './catalogue-repository';

export interface CatalogueDeps {
  readonly catalogue: CatalogueRepository;
  /** Epoch milliseconds. */
  readonly now: () => number;
  /** A new id for a concert or a schedule. */
  readonly newId: () => string;
}
