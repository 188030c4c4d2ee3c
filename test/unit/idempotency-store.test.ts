import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { IdempotencyConfig, IdempotencyItemAlreadyExistsError } from '@aws-lambda-powertools/idempotency';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createHash } from 'node:crypto';
import { ResendAwareDynamoDBPersistenceLayer } from '../../functions/idempotency/dynamo-idempotency-store';

/**
 * A claim whose answer was lost and that the SDK sent again meets its own record: it must count as
 * claimed, not as another request in flight (which would answer 409 IN_USE until the record ran out).
 */
const plain = mockClient(DynamoDBClient);
const NOW = 1_800_000_000_000;
const hash = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('base64');
const data = { key: 'k-1', body: { amount: 1_000 } };

function layer() {
  const store = new ResendAwareDynamoDBPersistenceLayer({
    tableName: 'idempotency',
    keyAttr: 'id',
    awsSdkV3Client: new DynamoDBClient({ region: 'local' }),
  });
  store.configure({
    config: new IdempotencyConfig({ eventKeyJmesPath: 'key', payloadValidationJmesPath: 'body', hashFunction: 'sha256' }),
  });
  return store;
}

const existing = (inProgressExpiry: number, body: unknown) =>
  new ConditionalCheckFailedException({
    message: 'exists',
    $metadata: {},
    Item: marshall({
      id: 'x',
      status: 'INPROGRESS',
      expiration: NOW / 1000 + 3600,
      in_progress_expiration: inProgressExpiry,
      validation: hash(body),
    }),
  });

beforeEach(() => {
  plain.reset();
  jest.spyOn(Date, 'now').mockReturnValue(NOW);
});
afterEach(() => jest.restoreAllMocks());

test('its own in-progress record (same body hash, same in-flight expiry to the millisecond) counts as claimed', async () => {
  plain.on(PutItemCommand).rejects(existing(NOW + 10_000, data.body));
  await expect(layer().saveInProgress(data, 10_000)).resolves.toBeUndefined();
});

test("another request's in-progress record, or another body's, is still in flight", async () => {
  plain.on(PutItemCommand).rejects(existing(NOW + 9_000, data.body));
  await expect(layer().saveInProgress(data, 10_000)).rejects.toBeInstanceOf(IdempotencyItemAlreadyExistsError);
  plain.reset();
  plain.on(PutItemCommand).rejects(existing(NOW + 10_000, { amount: 2_000 }));
  await expect(layer().saveInProgress(data, 10_000)).rejects.toBeInstanceOf(IdempotencyItemAlreadyExistsError);
});
