import type { Settings } from '../shared/config';
import type { StatsReader } from './stats-repository';

export interface StatsDeps {
  readonly stats: StatsReader;
  readonly settings: Pick<Settings, 'holdSeconds' | 'activeSeconds' | 'admitPerTick' | 'maxActivePerConcert' | 'admissionIntervalSeconds'>;
  readonly now: () => number;
}
