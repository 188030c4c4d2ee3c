import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { startLocalStreamConsumer } from '../../local/table-stream';

// DynamoDB Local never closes a shard within a test's time: only a stub can show the consumer a shard's children.
const tables = mockClient(DynamoDBClient);
const streams = mockClient(DynamoDBStreamsClient);
const STREAM = 'arn:aws:dynamodb:local:000000000000:table/wallet/stream/1';
const record = (id: string) =>
  ({ eventID: id, eventName: 'MODIFY', dynamodb: { SequenceNumber: id, Keys: { pk: { S: id } } } }) as StreamRecord;

beforeEach(() => {
  tables.reset();
  streams.reset();
  tables.on(DescribeTableCommand).resolves({ Table: { LatestStreamArn: STREAM } });
  streams.on(GetShardIteratorCommand).callsFake(({ ShardId }: { ShardId: string }) => ({ ShardIterator: `${ShardId}:0` }));
});

async function consumer() {
  const batches: string[][] = [];
  const started = await startLocalStreamConsumer({
    endpoint: 'http://127.0.0.1:1',
    tableName: 'wallet',
    handler: async (event: DynamoDBStreamEvent) => void batches.push(event.Records.map((r) => r.eventID!)),
  });
  return { batches, started };
}

test('the shards are listed once while one stays open, and again once it closes, to find its children', async () => {
  streams
    .on(DescribeStreamCommand)
    .resolvesOnce({ StreamDescription: { Shards: [{ ShardId: 'parent' }] } })
    .resolves({ StreamDescription: { Shards: [{ ShardId: 'parent' }, { ShardId: 'child', ParentShardId: 'parent' }] } });
  streams.on(GetRecordsCommand, { ShardIterator: 'parent:0' }).resolves({ Records: [record('1')], NextShardIterator: 'parent:1' });
  // Caught up while open; then its last record with no next iterator: closed.
  streams
    .on(GetRecordsCommand, { ShardIterator: 'parent:1' })
    .resolvesOnce({ Records: [], NextShardIterator: 'parent:1' })
    .resolvesOnce({ Records: [record('2')] });
  streams.on(GetRecordsCommand, { ShardIterator: 'child:0' }).resolves({ Records: [record('3')], NextShardIterator: 'child:1' });
  streams.on(GetRecordsCommand, { ShardIterator: 'child:1' }).resolves({ Records: [], NextShardIterator: 'child:1' });
  const { batches, started } = await consumer();

  await started.pollOnce(); // lists, reads the parent to where it is
  await started.pollOnce(); // still listed: reads the parent's last record, and it closes
  expect(streams).toHaveReceivedCommandTimes(DescribeStreamCommand, 1);
  await started.pollOnce(); // listed again: the child, read after its parent
  await started.pollOnce();
  expect(streams).toHaveReceivedCommandTimes(DescribeStreamCommand, 2);
  expect(batches).toEqual([['1'], ['2'], ['3']]);
  await started.stop();
});

test('a stream with no open shard yet is listed at every poll until one appears', async () => {
  streams
    .on(DescribeStreamCommand)
    .resolvesOnce({ StreamDescription: { Shards: [] } })
    .resolves({ StreamDescription: { Shards: [{ ShardId: 'first' }] } });
  streams
    .on(GetRecordsCommand)
    .resolvesOnce({ Records: [record('1')], NextShardIterator: 'first:1' })
    .resolves({ Records: [], NextShardIterator: 'first:1' });
  const { batches, started } = await consumer();

  await started.pollOnce();
  expect(batches).toEqual([]);
  await started.pollOnce();
  await started.pollOnce();
  expect(batches).toEqual([['1']]);
  expect(streams).toHaveReceivedCommandTimes(DescribeStreamCommand, 2);
  await started.stop();
});
