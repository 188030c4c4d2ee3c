import type { BenchEnvironment } from './environment';
import type { HttpClient } from './http-client';
import type { BenchSizes } from './options';
import type { Figure } from './results';

export interface ScenarioContext {
  readonly env: BenchEnvironment;
  /** Keep-alive client for setup and virtual users. */
  readonly http: HttpClient;
  readonly sizes: BenchSizes;
  log(message: string): void;
}

/** One scenario of the bench: it sets up its own data and returns its figures. */
export interface Scenario {
  readonly name: string;
  run(context: ScenarioContext): Promise<Figure[]>;
}
