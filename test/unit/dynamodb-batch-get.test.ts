import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { getAll, getAllByTable } from '../../functions/shared/dynamodb-batch-get';
import { UnavailableError } from '../../functions/shared/errors';

// DynamoDB Local never leaves keys unprocessed: only a stub can throttle a BatchGetItem.
const documents = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'local' }));
const keys = (n: number) => Array.from({ length: n }, (_, i) => ({ pk: `k${i}` }));
const keysOf = (call: number) =>
  (documents.commandCalls(BatchGetCommand)[call].args[0].input.RequestItems?.table.Keys ?? []) as { pk: string }[];

beforeEach(() => documents.reset());
afterEach(() => jest.useRealTimers());

describe('getAll', () => {
  it('reads past 100 keys in calls of at most 100, consistently, and leaves out keys that are not there', async () => {
    documents.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: { pk: string }[] }> }) => ({
      Responses: { table: input.RequestItems.table.Keys.filter(({ pk }) => pk !== 'k7') },
    }));

    const items = await getAll(client, 'table', keys(250));

    expect(items.map(({ pk }) => pk).sort()).toEqual(
      keys(250)
        .map(({ pk }) => pk)
        .filter((pk) => pk !== 'k7')
        .sort(),
    );
    const calls = documents.commandCalls(BatchGetCommand);
    expect(calls.map((_, i) => keysOf(i).length)).toEqual([100, 100, 50]);
    expect(calls.every((call) => call.args[0].input.RequestItems?.table.ConsistentRead === true)).toBe(true);
  });

  it('asks again, after a pause, for the keys a throttled call left unprocessed', async () => {
    documents
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { table: [{ pk: 'k0' }] }, UnprocessedKeys: { table: { Keys: [{ pk: 'k1' }, { pk: 'k2' }] } } })
      .resolvesOnce({ Responses: { table: [{ pk: 'k1' }, { pk: 'k2' }] } });

    const items = await getAll(client, 'table', keys(3));

    expect(items).toEqual([{ pk: 'k0' }, { pk: 'k1' }, { pk: 'k2' }]);
    expect(keysOf(1)).toEqual([{ pk: 'k1' }, { pk: 'k2' }]);
  });

  it('gives up as unavailable when throttling goes on, after 8 calls', async () => {
    jest.useFakeTimers();
    documents.on(BatchGetCommand).resolves({ Responses: { table: [] }, UnprocessedKeys: { table: { Keys: [{ pk: 'k0' }] } } });

    const read = getAll(client, 'table', keys(1));
    const failed = expect(read).rejects.toBeInstanceOf(UnavailableError);
    await jest.advanceTimersByTimeAsync(60_000);
    await failed;
    expect(documents).toHaveReceivedCommandTimes(BatchGetCommand, 8);
  });
});

describe('getAllByTable', () => {
  it('puts keys of several tables in one call up to 100, and asks again for what each table left unprocessed', async () => {
    documents
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { queue: [{ pk: 'q0' }], catalogue: [] },
        UnprocessedKeys: { catalogue: { Keys: [{ pk: 'c0' }] } },
      })
      .resolvesOnce({ Responses: { catalogue: [{ pk: 'c0' }] } });

    const found = await getAllByTable(client, { queue: [{ pk: 'q0' }, { pk: 'q1' }], catalogue: [{ pk: 'c0' }] });

    expect(found.get('queue')).toEqual([{ pk: 'q0' }]);
    expect(found.get('catalogue')).toEqual([{ pk: 'c0' }]);
    const [first, second] = documents.commandCalls(BatchGetCommand).map((call) => call.args[0].input.RequestItems);
    expect(first).toEqual({
      queue: { Keys: [{ pk: 'q0' }, { pk: 'q1' }], ConsistentRead: true },
      catalogue: { Keys: [{ pk: 'c0' }], ConsistentRead: true },
    });
    expect(second).toEqual({ catalogue: { Keys: [{ pk: 'c0' }], ConsistentRead: true } });
  });
});
