import { METRIC, recordMetric } from '../../functions/shared/metrics';
import { captureLogs } from '../support/captured-logs';

test('a bad value is dropped with a warning, never thrown at the request, and leaves nothing behind for the next line', () => {
  const logs = captureLogs('WARN');
  try {
    expect(() => recordMetric.payment(Number.NaN)).not.toThrow();
    recordMetric.refusal('NOT_FOUND');
    recordMetric.joined();
  } finally {
    logs.stop();
  }
  expect(logs.entries()).toEqual([expect.objectContaining({ level: 'WARN', message: 'metric not written' })]);
  expect(logs.metrics().map(({ name, value, dimensions }) => ({ name, value, dimensions }))).toEqual([
    { name: METRIC.refusals, value: 1, dimensions: { service: 'concert-reservation', code: 'NOT_FOUND' } },
    { name: METRIC.joins, value: 1, dimensions: { service: 'concert-reservation' } },
  ]);
});

test('off unless switched on: no line outside a capture (POWERTOOLS_METRICS_DISABLED, as the tests set it)', () => {
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    recordMetric.joined();
    expect(write).not.toHaveBeenCalled();
  } finally {
    write.mockRestore();
  }
});
