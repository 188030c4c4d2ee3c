import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { costPerLoser, criticalPathRoundTrips, callPredecessors } from '../../bench/dynamodb-calls';
import { startScriptNodeOptions } from '../../bench/environment';
import { processTree, treeRssMiB, type ProcessRow } from '../../bench/process-stats';
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
  expect(() => criticalPathRoundTrips([...calls, { startedAt: 2, endedAt: 0 }])).toThrow(/still in flight/);
});

test("a race's losers cost its calls less the winner's, which are those of the same hold made alone", () => {
  const lone = { calls: 3, writeCapacity: 2, byCommand: { BatchGetItemCommand: 1, GetItemCommand: 1, TransactWriteItemsCommand: 1 } };
  const race = {
    calls: 3 + 199 * 3,
    writeCapacity: 2,
    byCommand: { BatchGetItemCommand: 200, GetItemCommand: 200, TransactWriteItemsCommand: 1 + 150, UpdateItemCommand: 49 },
  };
  expect(costPerLoser(race, lone, 199)).toEqual({ calls: 3, writes: 1, transactions: 150 / 199, writeCapacity: 0 });
  expect(costPerLoser(race, lone, 0).calls).toBeNaN();
});

test("npm start's memory is the sum over every process it left running, and only those", () => {
  const rows: ProcessRow[] = [
    { pid: 1, ppid: 0, rssKiB: 4096, command: 'init' },
    { pid: 10, ppid: 1, rssKiB: 56 * 1024, command: 'npm start' },
    { pid: 11, ppid: 10, rssKiB: 80 * 1024, command: 'node --require tsx/cjs local/start.ts' },
    { pid: 12, ppid: 11, rssKiB: 110 * 1024, command: 'java -jar DynamoDBLocal.jar' },
    { pid: 20, ppid: 1, rssKiB: 999 * 1024, command: 'node something-else.js' },
  ];
  const tree = processTree(rows, 10);
  expect(tree.map((row) => row.pid)).toEqual([10, 11, 12]);
  expect(treeRssMiB(tree)).toBe(246);
  expect(processTree(rows, 99)).toEqual([]);
});

test("the bench's server runs with the node options of npm start", () => {
  const options = startScriptNodeOptions();
  expect(options).toContain('tsx/cjs');
  expect(options.some((option) => option.endsWith('.ts'))).toBe(false);
});
