import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { criticalPathRoundTrips, callPredecessors } from '../../bench/dynamodb-calls';
import { formatTable, judged, notMeasured, reported, writeResults } from '../../bench/results';

test('bench/results.json lists one entry per figure: name, value, unit, target, pass', () => {
  const figures = [
    judged('2 handler overhead', 'GET /balance p50 / raw calls p50', 1.2, 'x', '<=', 1.5),
    judged('4 contention', '5xx answers', 3, 'answers', '==', 0),
    reported('5 journeys', 'hold p99', 42.5, 'ms'),
    notMeasured('3 poll vs queue depth', 'poll p50 ratio', 'x', '<= 1.2', 'no DynamoDB access'),
  ];
  const path = join(mkdtempSync(join(tmpdir(), 'bench-')), 'results.json');
  writeResults(path, {
    mode: 'quick',
    startedAt: '2026-11-25T00:00:00.000Z',
    durationSeconds: 1,
    machine: { cpus: 2, cpuModel: 'test', memoryGiB: 1, node: 'v20', platform: 'linux x64' },
    environment: 'test',
    figures,
  });
  const written = JSON.parse(readFileSync(path, 'utf8'));
  expect(written.figures).toEqual([
    { group: '2 handler overhead', name: 'GET /balance p50 / raw calls p50', value: 1.2, unit: 'x', target: '<= 1.5', pass: true },
    { group: '4 contention', name: '5xx answers', value: 3, unit: 'answers', target: '== 0', pass: false },
    { group: '5 journeys', name: 'hold p99', value: 42.5, unit: 'ms', target: null, pass: null },
    {
      group: '3 poll vs queue depth',
      name: 'poll p50 ratio',
      value: null,
      unit: 'x',
      target: '<= 1.2',
      pass: null,
      note: 'not measured: no DynamoDB access',
    },
  ]);
  expect(formatTable(figures).split('\n')).toHaveLength(2 + figures.length);
});

test('round trips on the critical path: overlapping calls count once, a call that waited counts again', () => {
  const calls = [
    { startedAt: 0, endedAt: 10 }, // token check
    { startedAt: 1, endedAt: 8 }, // read, in parallel
    { startedAt: 11, endedAt: 20 }, // the write, after both
  ];
  expect(criticalPathRoundTrips(calls)).toBe(2);
  expect(callPredecessors(calls)).toEqual([-1, -1, 0]);
  expect(criticalPathRoundTrips([])).toBe(0);
});
